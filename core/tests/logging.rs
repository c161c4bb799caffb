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
    let mut secrets = Vec::new();
    let log = captured(|_| flows(&mut secrets));

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

/// Everything logged while `flow` runs on a fresh runtime.
fn captured<F: Future<Output = ()>>(flow: impl FnOnce(World) -> F) -> String {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(capture.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(flow(World::new()));
    });
    String::from_utf8(capture.0.lock().unwrap().clone()).unwrap()
}

#[test]
fn a_route_that_never_extracts_the_session_verifies_no_cookie() {
    let forged = format!("sid={}.{}", "A".repeat(43), "B".repeat(43));
    let cookie = forged.clone();
    let untouched = captured(|world| async move {
        send::<_, fn(&Session) -> u16>(&world.manager, Some(&cookie), None).await;
    });
    assert!(
        !untouched.contains("session cookie rejected"),
        "no verification without extraction:\n{untouched}"
    );
    let extracted = captured(|world| async move {
        send(&world.manager, Some(&forged), Some(count)).await;
    });
    assert!(extracted.contains("session cookie rejected"), "{extracted}");
}

#[test]
fn several_distinct_valid_cookies_log_a_warning() {
    let log = captured(|world| async move {
        let mut first = Browser::new();
        let mut second = Browser::new();
        first.request(&world.manager, count).await;
        second.request(&world.manager, count).await;
        let both = format!("{}; {}", first.cookie.unwrap(), second.cookie.unwrap());
        send(&world.manager, Some(&both), Some(count)).await;
    });
    assert!(
        log.contains("several validly signed session cookies"),
        "{log}"
    );
}
