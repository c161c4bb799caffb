//! Checklist items that cut across the Python FastSession's scenarios: transport, forged IDs, resurrection,
//! identity changes, and what the logs may show (checklist 12, 23, 28, 34, 46, 47).

use std::sync::{Arc, OnceLock};

use fastsession_core::testing::LogCapture;
use reqwest::Method;

use super::{SID, count, log_in, whoami, whoami_with};
use crate::client::cookie_value;
use crate::fixture::Fixture;
use crate::store::Probe;
use crate::target::Target;

/// Checklist 12: only the `Cookie` header carries the session: not the query, not another
/// header.
pub async fn only_the_cookie_header_carries_the_session(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    let cookie = log_in(&client, "ada").await;
    let value = cookie_value(&cookie);
    let stranger = app.client();
    let reply = stranger.get(&format!("/whoami?sid={value}")).await;
    assert_eq!(reply.json()["cause"], "new");
    for header in ["x-session-id", "authorization", "sid"] {
        let reply = stranger
            .raw(Method::GET, "/whoami", None, &[(header, value.as_bytes())])
            .await;
        assert_eq!(reply.json()["cause"], "new", "{header}");
    }
}

/// Checklist 23: well-formed but forged cookies never reach the store.
pub async fn forged_cookies_cause_no_store_io(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    let loads = Probe::count(&app.store.probe().loads);
    for n in 0..100u32 {
        let forged = format!("sid={:0>42}A.{:0>42}A", n, n.wrapping_mul(7919));
        assert_eq!(
            whoami_with(&client, &forged).await.cause,
            "renew after InvalidSignature"
        );
    }
    assert_eq!(Probe::count(&app.store.probe().loads), loads);
}

/// Checklist 34: a slow request racing a logout never brings the logged-out session back.
pub async fn no_resurrection_after_a_concurrent_logout(target: Target) {
    let app = Fixture::start(target).await;
    let client = Arc::new(app.client());
    let cookie = log_in(&client, "ada").await;
    let slow = {
        let client = client.clone();
        let cookie = cookie.clone();
        tokio::spawn(async move { client.post_with_cookie("/incr-slow/m", &cookie).await })
    };
    let logout = client.post_with_cookie("/logout", &cookie).await;
    assert_eq!(logout.status, 200);
    let slow = slow.await.expect("the slow request finishes");
    assert_eq!(slow.status, 200);
    let replay = whoami_with(&client, &cookie).await;
    assert_ne!(replay.cause, "success", "the logged-out session stays dead");
    if let Some(new_cookie) = slow.set_cookie(SID) {
        // The slow request ran after the logout: it may only have made a brand-new session.
        let me = whoami_with(&client, &format!("sid={}", cookie_value(&new_cookie))).await;
        assert!(
            !me.keys.contains(&"user".to_owned()),
            "no trace of the old session: {me:?}"
        );
    }
}

/// Checklist 28: logging in as someone else on a logged-in session rotates the ID again.
pub async fn identity_change_rotates_the_id(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    let first = log_in(&client, "alice").await;
    let id_alice = whoami(&client).await.id;
    let second = log_in(&client, "bob").await;
    assert_ne!(first, second);
    assert_ne!(whoami(&client).await.id, id_alice);
    assert_eq!(client.get("/get/user").await.json()["value"], "bob");
    assert_ne!(whoami_with(&client, &first).await.cause, "success");
}

/// Every log line of this process, from the first call on.
fn capture() -> &'static LogCapture {
    static CAPTURE: OnceLock<LogCapture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = LogCapture::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        capture
    })
}

/// Checklist 46 and 47: over logins, rotations, logouts, bad cookies and store faults, the log
/// records each anomaly and never an ID, a cookie value or a key.
pub async fn logs_never_show_secrets(target: Target) {
    let capture = capture();
    let app = Fixture::start(target).await;
    let client = app.client();
    let mut secrets = Vec::new();
    let mut remember = |pair: String| {
        let value = cookie_value(&pair);
        secrets.push(value[..43].to_owned());
        secrets.push(value);
    };
    count(&client, "/session_test").await;
    remember(client.session_pair(SID).expect("a cookie"));
    remember(log_in(&client, "ada").await);
    remember(log_in(&client, "bob").await);
    let current = client.session_pair(SID).expect("a cookie");
    let bad_macs = 100;
    for n in 0..bad_macs {
        let tampered = super::flip(&current, current.len() - 1 - n % 40);
        whoami_with(&client, &tampered).await;
    }
    whoami_with(&client, "sid=garbage").await;
    Probe::set(&app.store.probe().fail_load, true);
    assert_eq!(client.get("/whoami").await.status, 503);
    Probe::set(&app.store.probe().fail_load, false);
    client.post("/logout", None).await;
    whoami_with(&client, &current).await;

    let log = capture.text();
    for expected in [
        "new session",
        "session cookie rejected",
        "InvalidSignature",
        "BadSignature",
        "loading the session failed",
        "session destroyed",
    ] {
        assert!(log.contains(expected), "no {expected:?} event in the log");
    }
    let rejections = log.matches("reason=\"InvalidSignature\"").count();
    assert!(
        rejections >= bad_macs,
        "{rejections} events for {bad_macs} bad signatures"
    );
    for secret in &secrets {
        for window in secret.as_bytes().windows(8) {
            let window = std::str::from_utf8(window).unwrap_or_default();
            assert!(
                !log.contains(window),
                "the log shows {window:?}, part of a session secret"
            );
        }
    }
    let key = crate::options::TEST_KEY_HEX;
    assert!(!log.contains(&key[..16]), "the log shows the key");
}
