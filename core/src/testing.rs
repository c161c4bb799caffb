//! Test utilities (feature `test-util`): a manual clock, deterministic IDs, a store that fails on
//! demand, a log capture, and the generic store test suite every [`SessionStore`](crate::store::SessionStore)
//! implementation should pass.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::id::{IdError, IdGenerator, SessionId};
use crate::time::Clock;

mod faulty_store;
mod log_capture;
pub mod races;
pub mod store_suite;

pub use faulty_store::{FaultyStore, Probe};
pub use log_capture::LogCapture;

/// A clock that moves only when told. Clones share the same time.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fastsession_core::time::Clock;
/// use fastsession_core::testing::ManualClock;
///
/// let clock = ManualClock::new();
/// let start = clock.now();
/// clock.advance(Duration::from_secs(61));
/// assert_eq!(clock.now().duration_since(start).unwrap(), Duration::from_secs(61));
/// ```
#[derive(Clone, Debug)]
pub struct ManualClock {
    millis: Arc<AtomicU64>,
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl ManualClock {
    /// A clock at 2026-01-01T00:00:00Z, the store suite's [`start`](store_suite::start).
    pub fn new() -> Self {
        Self::at(store_suite::start())
    }

    /// A clock at `time`.
    pub fn at(time: SystemTime) -> Self {
        Self {
            millis: Arc::new(AtomicU64::new(crate::time::to_millis(time))),
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        self.millis
            .fetch_add(crate::time::duration_millis(by), Ordering::SeqCst);
    }

    /// Sets the clock.
    pub fn set(&self, time: SystemTime) {
        self.millis
            .store(crate::time::to_millis(time), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        crate::time::from_millis(self.millis.load(Ordering::SeqCst))
    }
}

/// IDs 1, 2, 3, … (as the big-endian number in the last 8 bytes), or a scripted sequence.
/// Clones share the sequence.
///
/// # Examples
///
/// ```
/// use fastsession_core::id::IdGenerator;
/// use fastsession_core::testing::SequentialIds;
///
/// let ids = SequentialIds::new();
/// assert_ne!(ids.generate().unwrap(), ids.generate().unwrap());
///
/// let repeating = SequentialIds::scripted([7, 7, 8]);
/// assert_eq!(repeating.generate().unwrap(), repeating.generate().unwrap());
/// ```
#[derive(Clone, Debug, Default)]
pub struct SequentialIds {
    inner: Arc<Mutex<Sequence>>,
}

#[derive(Debug, Default)]
struct Sequence {
    next: u64,
    script: Vec<u64>,
    failing: bool,
}

impl SequentialIds {
    /// IDs 1, 2, 3, …
    pub fn new() -> Self {
        Self::default()
    }

    /// These numbers first, in order, then counting on from the largest.
    pub fn scripted(numbers: impl IntoIterator<Item = u64>) -> Self {
        let mut script: Vec<u64> = numbers.into_iter().collect();
        let next = script.iter().copied().max().unwrap_or(0);
        script.reverse();
        Self {
            inner: Arc::new(Mutex::new(Sequence {
                next,
                script,
                failing: false,
            })),
        }
    }

    /// The ID with number `n`.
    pub fn id(n: u64) -> SessionId {
        let mut bytes = [0u8; 32];
        bytes[24..].copy_from_slice(&n.to_be_bytes());
        // Spread the number over the bytes the in-memory store hashes and shards by, too.
        bytes[..8].copy_from_slice(&n.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_le_bytes());
        bytes[8] = n.to_le_bytes()[0];
        SessionId::from_bytes(bytes)
    }

    /// Makes every later `generate` fail, as a broken random source would.
    pub fn fail(&self) {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .failing = true;
    }
}

impl IdGenerator for SequentialIds {
    fn generate(&self) -> Result<SessionId, IdError> {
        let mut sequence = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if sequence.failing {
            return Err(IdError::new("the scripted generator was told to fail"));
        }
        let n = match sequence.script.pop() {
            Some(n) => n,
            None => {
                sequence.next += 1;
                sequence.next
            }
        };
        Ok(Self::id(n))
    }
}
