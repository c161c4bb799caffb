//! C. Bad cookies (Python FastSession's scenarios 11 to 16; checklist 6 to 9, 11, 18 to 20, 22, 26).

use super::{SID, WhoAmI, count, flip, log_in, whoami, whoami_with};
use crate::client::cookie_value;
use crate::fixture::Fixture;
use crate::target::Target;

/// Scenario 11 and checklist 6: one flipped character of the signature gives a new session;
/// the original cookie still reaches its data.
pub async fn tampered_signature_starts_a_new_session(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    count(&client, "/session_test").await;
    let original = client.session_pair(SID).expect("a cookie");
    for at in [44, 60, 86] {
        let tampered = flip(&original, 4 + at);
        let reply = client.get_with_cookie("/session_test", &tampered).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.json()["test_counter"], 1, "a new session");
        assert!(reply.set_cookie(SID).is_some(), "a new cookie");
        let after = whoami_with(&client, &tampered).await;
        assert_eq!(after.cause, "renew after InvalidSignature");
    }
    assert_eq!(
        count(&client, "/session_test").await.0,
        2,
        "the original still works"
    );
}

/// Scenario 12 and checklist 9 and 26: malformed values answer 200 with a fresh session.
pub async fn malformed_cookies_never_fail(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    let valid = {
        count(&client, "/session_test").await;
        client.session_pair(SID).expect("a cookie")
    };
    let bare_id = format!("sid={}", &cookie_value(&valid)[..43]);
    let long = format!("sid={}", "a".repeat(4000));
    let cases = [
        "sid=",
        "sid=abc",
        "sid=a.b",
        "sid=\"x\"",
        "sid=.",
        "sid=\"\"",
        "sid=a=b c",
        long.as_str(),
        bare_id.as_str(),
    ];
    for cookie in cases {
        let reply = client.get_with_cookie("/session_test", cookie).await;
        assert_eq!(reply.status, 200, "{cookie}: {}", reply.body);
        assert_eq!(reply.json()["test_counter"], 1, "{cookie}");
        assert!(
            reply.set_cookie(SID).is_some(),
            "{cookie}: the bad cookie is replaced"
        );
        let cause = whoami_with(&client, cookie).await.cause;
        assert!(cause.starts_with("renew after"), "{cookie}: {cause}");
    }
}

/// Scenario 13: a cookie signed with another secret is a new session, and its ID never enters
/// the store.
pub async fn cookie_from_another_secret_is_rejected(target: Target) {
    let other = Fixture::builder(target)
        .flags(&["--key", &"ab".repeat(32)])
        .real_ids()
        .start()
        .await;
    let stranger = other.client();
    count(&stranger, "/session_test").await;
    let foreign = stranger.session_pair(SID).expect("a cookie");
    let app = Fixture::builder(target).real_ids().start().await;
    let client = app.client();
    assert_eq!(
        whoami_with(&client, &foreign).await.cause,
        "renew after InvalidSignature"
    );
    let reply = client.get_with_cookie("/session_test", &foreign).await;
    assert_eq!(reply.json()["test_counter"], 1);
    let fresh = cookie_value(&reply.set_cookie(SID).expect("a cookie"));
    assert_ne!(
        &fresh[..43],
        &cookie_value(&foreign)[..43],
        "the foreign ID is not adopted"
    );
}

/// Scenario 14 and checklist 7: the three non-canonical spellings of the last character, and
/// padding, are rejected.
pub async fn non_canonical_encodings_are_rejected(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    count(&client, "/session_test").await;
    let valid = client.session_pair(SID).expect("a cookie");
    let last = valid.as_bytes()[valid.len() - 1];
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let index = ALPHABET.iter().position(|&b| b == last).expect("base64url");
    let stem = &valid[..valid.len() - 1];
    for low_bits in 1..4 {
        let respelled = format!(
            "{stem}{}",
            ALPHABET[(index & !3) | ((index + low_bits) & 3)] as char
        );
        assert_ne!(
            whoami_with(&client, &respelled).await.cause,
            "success",
            "{respelled}"
        );
    }
    for variant in [
        format!("{valid}="),
        valid[..valid.len() - 1].to_owned(),
        format!("{valid}A"),
    ] {
        assert_ne!(
            whoami_with(&client, &variant).await.cause,
            "success",
            "{variant}"
        );
    }
    assert_eq!(whoami_with(&client, &valid).await.cause, "success");
}

/// Scenario 15 and checklist 11: a valid signature over an unknown ID is never adopted.
pub async fn valid_signature_unknown_id_is_not_adopted(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    count(&client, "/session_test").await;
    let cookie = client.session_pair(SID).expect("a cookie");
    let id = whoami(&client).await.id.expect("an id");
    app.store
        .inner()
        .purge_expired(std::time::SystemTime::now() + std::time::Duration::from_secs(400 * 86_400))
        .await;
    assert_eq!(app.stored().await, 0, "the store forgot the session");
    assert_eq!(
        whoami_with(&client, &cookie).await.cause,
        "valid_cookie_but_no_store"
    );
    let (n, reply) = count(&client, "/session_test").await;
    assert_eq!(n, 1);
    let fresh = cookie_value(&reply.set_cookie(SID).expect("a new cookie"));
    assert_ne!(&fresh[..43], id.as_str(), "the client's ID is not adopted");
}

/// Scenario 16 and checklist 22: with two `sid` cookies, the first that verifies and is live
/// wins, in either order.
pub async fn duplicate_cookies_are_resolved_deterministically(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    let good = log_in(&client, "ada").await;
    let dead = {
        let other = app.client();
        let dead = log_in(&other, "bob").await;
        other.post("/logout", None).await;
        dead
    };
    for header in [
        format!("sid=bad; {good}"),
        format!("{good}; sid=bad"),
        format!("{dead}; {good}"),
        format!("{good}; {dead}"),
    ] {
        let me = whoami_with(&client, &header).await;
        assert_eq!(
            (me.cause.as_str(), me.keys.as_slice()),
            ("success", &["user".to_owned()][..]),
            "{header}"
        );
    }
}

/// Checklist 8: a value minted for another cookie name does not verify under ours.
pub async fn cookie_for_another_name_is_rejected(target: Target) {
    let app = Fixture::builder(target).second().start().await;
    let client = app.client();
    let reply = client.get("/second/session_test").await;
    assert_eq!(reply.json()["test_counter"], 1);
    let value = client
        .cookie(crate::fixture::SECOND_COOKIE, "/")
        .expect("the second cookie");
    assert_eq!(
        whoami_with(&client, &format!("sid={value}")).await.cause,
        "renew after InvalidSignature"
    );
}

/// Checklist 19: names are compared byte for byte: no percent-decoding, no case folding.
pub async fn names_are_matched_byte_exactly(target: Target) {
    let app =
        Fixture::with_flags(target, &["--cookie-name", "__Host-id", "--secure", "true"]).await;
    let client = app.client();
    count(&client, "/session_test").await;
    let value = client
        .cookie("__Host-id", "/")
        .expect("the secure cookie is kept for loopback");
    assert_eq!(
        whoami_with(&client, &format!("__Host-id={value}"))
            .await
            .cause,
        "success"
    );
    for name in [
        "__%48ost-id",
        "__host-id",
        "__HOST-id",
        "__Host-ID",
        "__Host-id_",
    ] {
        let me = whoami_with(&client, &format!("{name}={value}")).await;
        assert_eq!(
            me,
            WhoAmI {
                id: None,
                cause: "new".to_owned(),
                keys: vec![]
            },
            "{name}"
        );
    }
}

/// Checklist 18: the cookie is found in any of several `Cookie` header fields.
pub async fn every_cookie_header_is_read(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    let good = log_in(&client, "ada").await;
    let reply = client
        .raw(
            reqwest::Method::GET,
            "/whoami",
            None,
            &[
                ("cookie", b"a=1"),
                ("cookie", good.as_bytes()),
                ("cookie", b"b=2"),
            ],
        )
        .await;
    assert_eq!(
        WhoAmI::from_reply(&reply).cause,
        "success",
        "{}",
        reply.body
    );
}

/// Checklist 20: malformed `Cookie` fields (bad bytes, empty pairs, bare tokens, quotes) do not
/// fail the request, and do not hide a valid cookie beside them.
pub async fn malformed_cookie_headers_never_fail(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    let good = log_in(&client, "ada").await;
    let empties = ";".repeat(8000);
    let cases: Vec<Vec<u8>> = vec![
        [&b"junk=\xff\xfe; "[..], good.as_bytes()].concat(),
        format!(";;;=; {good}").into_bytes(),
        format!("bare; \"quoted\"; ={good}; {good}").into_bytes(),
        format!("{empties}{good}").into_bytes(),
    ];
    for header in cases {
        let reply = client
            .raw(
                reqwest::Method::GET,
                "/whoami",
                None,
                &[("cookie", &header)],
            )
            .await;
        assert_eq!(
            reply.status,
            200,
            "{}",
            String::from_utf8_lossy(&header[..40.min(header.len())])
        );
        // A framework may drop a header field it cannot decode; the request must still succeed.
        let cause = WhoAmI::from_reply(&reply).cause;
        assert!(cause == "success" || cause == "new", "{cause}");
    }
    let reply = client
        .get_with_cookie("/whoami", &format!(";;;=; {good}"))
        .await;
    assert_eq!(WhoAmI::from_reply(&reply).cause, "success");
}
