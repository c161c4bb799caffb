//! [`LogCapture`]: a writer that keeps what a log subscriber writes, for tests that check logs.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

/// Bytes written through any clone, kept in one buffer: give a clone to a log subscriber's
/// writer (for `tracing_subscriber`, `.with_writer(move || capture.clone())`), then read
/// [`LogCapture::text`].
///
/// # Examples
///
/// ```
/// use std::io::Write;
/// use fastsession_core::testing::LogCapture;
///
/// let capture = LogCapture::default();
/// let mut writer = capture.clone();
/// writeln!(writer, "DEBUG redis store call").unwrap();
/// assert_eq!(capture.text(), "DEBUG redis store call\n");
/// ```
#[derive(Clone, Debug, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    /// Everything written so far, as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

impl Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
