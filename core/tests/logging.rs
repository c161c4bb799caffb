//! Everything the library logs over login, rotation, logout, bad cookies and failures: the
//! expected events are there, and no session ID, cookie value or key is.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{Browser, KEY, World, count, send};
use fastsession_core::Session;
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Self;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

async fn flows(secrets: &mut Vec<String>) {
    let world = World::new();
    let mut browser = Browser::new();
    let remember = |browser: &Browser, secrets: &mut Vec<String>| {
        if let Some(cookie) = &browser.cookie {
            let value = cookie.split_once('=').unwrap().1.to_owned();
            secrets.push(value[..43].to_owned());
            secrets.push(value);
        }
    };
    browser.request(&world.manager, count).await;
    remember(&browser, secrets);
    browser
        .request(&world.manager, |session: &Session| {
            session.cycle_id().unwrap();
            session.insert("user", "ada").unwrap();
            200
        })
        .await;
    remember(&browser, secrets);
    let old = browser.cookie.clone().unwrap();
    let mut tampered = old.clone();
    tampered.replace_range(old.len() - 3.., "AAA");
    send(&world.manager, Some(&tampered), Some(count)).await;
    send(&world.manager, Some("sid=garbage"), Some(count)).await;
    send(&world.manager, Some(&format!("{old}; {old}")), Some(count)).await;
    browser
        .request(&world.manager, |session: &Session| {
            session.destroy().unwrap();
            200
        })
        .await;
    send(&world.manager, Some(&old), Some(count)).await;
    world.ids.fail();
    Browser::new().request(&world.manager, count).await;
}

#[test]
fn logs_never_contain_ids_cookie_values_or_keys() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(capture.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let mut secrets = Vec::new();
    tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(flows(&mut secrets));
    });
    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();

    for expected in [
        "new session",
        "session cookie rejected",
        "reason=\"InvalidSignature\"",
        "reason=\"BadSignature\"",
        "session destroyed",
        "validly signed cookie but no stored session",
        "generating a session id failed",
    ] {
        assert!(
            log.contains(expected),
            "missing event {expected:?} in:\n{log}"
        );
    }
    assert!(secrets.len() >= 4);
    for secret in &secrets {
        for window in secret.as_bytes().windows(8) {
            let window = std::str::from_utf8(window).unwrap();
            assert!(
                !log.contains(window),
                "the log contains {window:?}, part of a session secret"
            );
        }
    }
    let key_hex: String = KEY.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!log.contains(&key_hex[..16]));
    assert!(!log.contains("QkJCQkJC"), "no base64 of the key");
}
