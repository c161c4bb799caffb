//! Tampering, foreign keys, renamed cookies, key rotation, malformed and duplicate cookies.

mod common;

use common::{Browser, KEY, OLD_KEY, World, count, counter, key, log_out, read_counter, send};
use fastsession_core::{Cause, KeyRing, Session};

async fn cause_for(world: &World, cookie: &str) -> (Cause, u16, bool) {
    let mut cause = Cause::Success;
    let response = send(
        &world.manager,
        Some(cookie),
        Some(|session: &Session| {
            cause = session.cause();
            count(session)
        }),
    )
    .await;
    (cause, response.status, response.set_cookie().is_some())
}

async fn logged_in(world: &World) -> String {
    let mut browser = Browser::new();
    browser.request(&world.manager, count).await;
    browser.cookie.unwrap()
}

#[tokio::test]
async fn a_flipped_signature_character_starts_a_new_session() {
    let world = World::new();
    let cookie = logged_in(&world).await;
    let mut tampered = cookie.clone().into_bytes();
    let at = tampered.len() - 20;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_eq!(
        cause_for(&world, &tampered).await,
        (Cause::InvalidSignature, 200, true)
    );
    assert_eq!(world.store.len(), 2);
    // The original still reaches its data.
    let seen = read_counter(&world.manager, Some(&cookie)).await;
    assert_eq!(seen, 1);
}

#[tokio::test]
async fn malformed_cookies_never_fail_the_request() {
    let world = World::new();
    let long = format!("sid={}", "a".repeat(4096));
    let cases = [
        "sid=",
        "sid=abc",
        "sid=a.b",
        "sid=\"x\"",
        long.as_str(),
        "sid=a=b c",
        "sid=.",
        "sid=%41%42",
    ];
    for cookie in cases {
        let (cause, status, set_cookie) = cause_for(&world, cookie).await;
        assert_eq!(
            (cause, status, set_cookie),
            (Cause::Malformed, 200, true),
            "{cookie}"
        );
    }
}

#[tokio::test]
async fn invalid_utf8_in_a_cookie_header_spoils_only_its_pair() {
    let world = World::new();
    let cookie = logged_in(&world).await;
    let header: Vec<u8> = [&b"junk=\xff\xfe; "[..], cookie.as_bytes()].concat();
    let headers: &[(&str, &[u8])] = &[("cookie", &header)];
    let request = world.manager.start(headers);
    let session = request.session().await.unwrap();
    assert_eq!(session.cause(), Cause::Success);
    assert_eq!(counter(&session), 1);
}

#[tokio::test]
async fn a_cookie_from_another_key_is_rejected() {
    let world = World::new();
    let foreign = World::with(|config| config.with_keys(KeyRing::from(key(OLD_KEY))));
    let cookie = logged_in(&foreign).await;
    assert_eq!(cause_for(&world, &cookie).await.0, Cause::InvalidSignature);
    assert_eq!(
        world.store.len(),
        1,
        "the foreign ID never enters the store"
    );
}

#[tokio::test]
async fn old_key_cookies_verify_and_are_reissued_under_the_new_key() {
    let old_world = World::with(|config| config.with_keys(KeyRing::from(key(OLD_KEY))));
    let cookie = logged_in(&old_world).await;
    let rotated = old_world
        .sibling(|config| config.with_keys(KeyRing::new([key(KEY), key(OLD_KEY)]).unwrap()));
    let mut browser = Browser {
        cookie: Some(cookie.clone()),
    };
    let mut seen = (0, Cause::New);
    let response = browser
        .request(&rotated, |session| {
            seen = (counter(session), session.cause());
            200
        })
        .await;
    assert_eq!(seen, (1, Cause::Success));
    let reissued = browser.cookie.clone().unwrap();
    assert!(
        response.set_cookie().is_some(),
        "an old-key cookie is re-issued"
    );
    assert_ne!(reissued, cookie);
    assert_eq!(&reissued[..4 + 43], &cookie[..4 + 43], "same ID");
    // The new cookie verifies under the new key alone.
    let new_only = old_world.sibling(|config| config);
    let mut seen = Cause::New;
    send(
        &new_only,
        Some(&reissued),
        Some(|session: &Session| {
            seen = session.cause();
            200
        }),
    )
    .await;
    assert_eq!(seen, Cause::Success);
    // And is not re-issued again.
    let response = browser
        .request(&rotated, |session| {
            counter(session);
            200
        })
        .await;
    assert!(response.set_cookie().is_none());
}

#[tokio::test]
async fn duplicate_cookies_use_the_first_live_one_in_either_order() {
    let world = World::new();
    let good = logged_in(&world).await;
    for header in [
        format!("sid=garbage; {good}"),
        format!("{good}; sid=garbage"),
    ] {
        let (cause, _, set_cookie) = cause_for(&world, &header).await;
        assert_eq!(cause, Cause::Success, "{header}");
        assert!(!set_cookie);
    }
    // A validly signed but dead cookie first: the live one behind it still wins.
    let dead = logged_in(&world).await;
    send(&world.manager, Some(&dead), Some(log_out)).await;
    let (cause, _, _) = cause_for(&world, &format!("{dead}; {good}")).await;
    assert_eq!(cause, Cause::Success);
}

#[tokio::test]
async fn the_cookie_is_found_in_any_of_several_cookie_headers() {
    let world = World::new();
    let good = logged_in(&world).await;
    let headers: &[(&str, &[u8])] = &[
        ("cookie", b"a=1"),
        ("Cookie", good.as_bytes()),
        ("cookie", b"b=2"),
    ];
    let session = world.manager.start(headers).session().await.unwrap();
    assert_eq!(session.cause(), Cause::Success);
}

#[tokio::test]
async fn names_are_never_decoded_or_case_folded() {
    let world = World::with(|config| config.with_cookie_name("__Host-id").with_secure(true));
    let good = logged_in(&world).await;
    let value = good.split_once('=').unwrap().1;
    for name in ["__%48ost-id", "__host-id", "__HOST-id", "__Host-ID"] {
        let (cause, _, _) = cause_for(&world, &format!("{name}={value}")).await;
        assert_eq!(cause, Cause::New, "{name}");
    }
}

#[tokio::test]
async fn only_the_first_four_well_formed_same_name_cookies_are_checked() {
    let world = World::new();
    let good = logged_in(&world).await;
    // Values of the issued shape whose MAC is wrong: each takes a candidate slot.
    let forged = format!("sid={0}.{0}; ", "A".repeat(43)).repeat(50);
    let (cause, _, _) = cause_for(&world, &format!("{forged}{good}")).await;
    assert_eq!(
        cause,
        Cause::InvalidSignature,
        "the fifth and later candidates are ignored"
    );
}

#[tokio::test]
async fn junk_cookies_planted_before_the_real_one_cannot_hide_it() {
    let world = World::new();
    let good = logged_in(&world).await;
    let junk = [
        "x",
        "",
        "a.b",
        &"!".repeat(87),
        &format!("{}=", "A".repeat(86)),
    ]
    .map(|value| format!("sid={value}; "))
    .concat()
    .repeat(20);
    let mut cause = Cause::New;
    let mut seen = 0;
    send(
        &world.manager,
        Some(&format!("{junk}{good}")),
        Some(|session: &Session| {
            cause = session.cause();
            seen = counter(session);
            count(session)
        }),
    )
    .await;
    assert_eq!(
        (cause, seen),
        (Cause::Success, 1),
        "the real session continues"
    );
}

#[tokio::test]
async fn forged_ids_cause_no_store_io() {
    let world = World::new();
    let sessions = world.manager.sessions();
    for n in 0..10_000u32 {
        // Well formed, canonical, but not signed by us.
        let forged = format!(
            "sid={}A.{}A",
            &format!("{n:0>42}"),
            &format!("{:0>42}", n * 7)
        );
        let handle = sessions.begin(&[("cookie", forged.as_bytes())]);
        assert_eq!(
            handle.next_load(),
            None,
            "a forged cookie must never reach the store"
        );
        assert_eq!(handle.cause(), Cause::InvalidSignature);
    }
}
