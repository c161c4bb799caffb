//! Everything the library logs over login, rotation, logout, bad cookies and failures: the
//! expected events are there, and no session ID, cookie value or key is.

mod common;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Browser, KEY, OLD_KEY, Outcome, World, count, key, log_out, send};
use fastsession_core::testing::{LogCapture, Probe};
use fastsession_core::{KeyRing, Session, id::OsRandom};

/// Remembers the cookie value and the session ID it carries, in every spelling a log could
/// leak: the whole value, the base64url ID, the tag, and the ID's bytes in hex.
fn remember(cookie: Option<&str>, secrets: &mut Vec<String>) {
    let Some(cookie) = cookie else { return };
    let value = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
    let (id, tag) = value.split_once('.').unwrap();
    let bytes = URL_SAFE_NO_PAD.decode(id).unwrap();
    secrets.extend([
        value.to_owned(),
        id.to_owned(),
        tag.to_owned(),
        bytes.iter().map(|b| format!("{b:02x}")).collect(),
    ]);
}

/// Login, rotation, logout, bad cookies, an old-key cookie, a lost race, store faults (failed
/// and stalled) and a failing random source, with real random IDs.
async fn flows(secrets: &mut Vec<String>) {
    let world = World::with(|config| {
        config
            .with_id_generator(OsRandom)
            .with_keys(KeyRing::new(vec![key(KEY), key(OLD_KEY)]).unwrap())
            .with_store_timeout(Duration::from_millis(20))
            .with_serialized_requests(false)
    });
    let (manager, faults) = world.faulty();
    let probe = faults.probe();
    let mut browser = Browser::new();
    browser.request(&manager, count).await;
    remember(browser.cookie.as_deref(), secrets);
    browser
        .request(&manager, |session: &Session| {
            session.cycle_id().unwrap();
            session.insert("user", "ada").unwrap();
            200
        })
        .await;
    remember(browser.cookie.as_deref(), secrets);
    let old = browser.cookie.clone().unwrap();

    // Bad cookies: tampered, garbage, duplicates, and a replay of the rotated-away ID.
    let mut tampered = old.clone();
    tampered.replace_range(old.len() - 3.., "AAA");
    send(&manager, Some(&tampered), Some(count)).await;
    send(&manager, Some("sid=garbage"), Some(count)).await;
    send(&manager, Some(&format!("{old}; {old}")), Some(count)).await;

    // A cookie signed with the old key (by an app that had only that key) is accepted here and
    // re-issued under the new one.
    let old_key_world = World::with(|config| {
        config
            .with_id_generator(OsRandom)
            .with_keys(KeyRing::from(key(OLD_KEY)))
    });
    let mut legacy = Browser::new();
    legacy.request(&old_key_world.manager, count).await;
    remember(legacy.cookie.as_deref(), secrets);
    let legacy_cookie = legacy.cookie.clone().unwrap();
    let reissued = send(&world.manager, Some(&legacy_cookie), Some(count)).await;
    remember(reissued.set_cookie().as_deref(), secrets);

    // Store faults: a failed load, failed writes, a stalled load, a failed delete.
    Probe::set(&probe.fail_load, true);
    browser.request(&manager, count).await;
    Probe::set(&probe.fail_load, false);
    probe.fail_writes(true);
    browser.request(&manager, count).await;
    probe.fail_writes(false);
    Probe::set(&probe.stall_load, true);
    browser.request(&manager, count).await;
    Probe::set(&probe.stall_load, false);
    Probe::set(&probe.fail_delete, true);
    let mut doomed = Browser::new();
    doomed.request(&manager, count).await;
    remember(doomed.cookie.as_deref(), secrets);
    doomed.request(&manager, log_out).await;
    Probe::set(&probe.fail_delete, false);

    // A request that loaded the session loses the race to a logout.
    let headers: Vec<(&str, &[u8])> = vec![("cookie", old.as_bytes())];
    let slow = manager.start(headers.as_slice());
    let late = slow.session().await.unwrap();
    browser.request(&manager, log_out).await;
    late.insert("cart", &5).unwrap();
    assert!(Outcome(slow.finish(200).await).set_cookie().is_none());
    send(&manager, Some(&old), Some(count)).await;

    // A failing random source.
    world.ids.fail();
    let failing = world.sibling(|config| config.with_id_generator(world.ids.clone()));
    Browser::new().request(&failing, count).await;
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
        "loading the session failed",
        "saving the session failed",
        "the session store timed out",
        "destroying the session failed",
        "session ended by a concurrent request",
        "generating a session id failed",
    ] {
        assert!(
            log.contains(expected),
            "missing event {expected:?} in:\n{log}"
        );
    }
    assert!(secrets.len() >= 20, "{} secrets", secrets.len());
    for secret in &secrets {
        for window in secret.as_bytes().windows(8) {
            let window = std::str::from_utf8(window).unwrap();
            assert!(
                !log.contains(window),
                "the log contains {window:?}, part of a session secret"
            );
        }
    }
    for key in [KEY, OLD_KEY] {
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        assert!(!log.contains(&hex[..16]));
        let base64 = URL_SAFE_NO_PAD.encode(key);
        assert!(!log.contains(&base64[..8]), "no base64 of a key");
    }
}

/// Everything logged while `flow` runs on a fresh runtime.
fn captured<F: Future<Output = ()>>(flow: impl FnOnce(World) -> F) -> String {
    let capture = LogCapture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
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
    capture.text()
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

#[tokio::test]
async fn debug_output_redacts_ids_cookie_values_and_keys() {
    let world = World::with(|config| config.with_id_generator(OsRandom));
    let mut browser = Browser::new();
    let response = browser.request(&world.manager, count).await;
    let mut secrets = Vec::new();
    remember(browser.cookie.as_deref(), &mut secrets);
    let cookie = browser.cookie.clone().unwrap();
    let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie.as_bytes())];
    let request = world.manager.start(headers.as_slice());
    let session = request.session().await.unwrap();
    session.insert("user", "ada").unwrap();
    let debug = [
        format!("{session:?}"),
        format!("{:?}", response.outcome),
        format!("{:?}", response.outcome.set_cookie()),
        format!("{:?}", world.manager),
        format!("{:?}", world.manager.sessions().config()),
        format!("{:?}", key(KEY)),
    ]
    .join("\n");
    drop(request.finish(200).await);
    for secret in &secrets {
        for window in secret.as_bytes().windows(8) {
            let window = std::str::from_utf8(window).unwrap();
            assert!(!debug.contains(window), "Debug shows {window:?}:\n{debug}");
        }
    }
    let hex: String = KEY.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!debug.contains(&hex[..16]), "{debug}");
    assert!(!debug.contains("66, 66, 66"), "no key bytes: {debug}");
}
