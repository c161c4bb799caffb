//! F. Skip rules (Python FastSession's scenarios 29 to 32).

use super::{SID, count};
use crate::fixture::Fixture;
use crate::store::Probe;
use crate::target::Target;

/// Scenario 29: an exact match (header name in any case) skips: no session, no cookie, no
/// store I/O, even with a valid session cookie.
pub async fn exact_match_skips(target: Target) {
    let app = Fixture::with_flags(target, &["--skip-header", "X-FastSession-Skip=skip"]).await;
    let client = app.client();
    count(&client, "/session_test").await;
    let cookie = client.session_pair(SID).expect("a cookie");
    let loads = Probe::count(&app.store.probe().loads);
    let headers: [(&str, &[u8]); 2] = [
        ("x-fastsession-skip", b"skip"),
        ("cookie", cookie.as_bytes()),
    ];
    let reply = client
        .raw(reqwest::Method::GET, "/optional", None, &headers)
        .await;
    assert_eq!(reply.json(), serde_json::json!({ "session": false }));
    assert!(reply.set_cookies().is_empty());
    assert_eq!(
        Probe::count(&app.store.probe().loads),
        loads,
        "a skipped request loads nothing"
    );
    assert_eq!(app.stored().await, 1);
}

/// Scenario 30: `SKIP`, ` skip`, `other` and no header all get a session; either of two rules
/// skips.
pub async fn near_misses_do_not_skip(target: Target) {
    let app = Fixture::with_flags(
        target,
        &["--skip-header", "A=skip", "--skip-header", "B=skip"],
    )
    .await;
    let client = app.client();
    for value in [&b"SKIP"[..], b" skip!", b"other"] {
        let reply = client
            .raw(reqwest::Method::GET, "/session_test", None, &[("a", value)])
            .await;
        assert_eq!(reply.status, 200);
        assert!(reply.set_cookie(SID).is_some(), "{value:?}");
    }
    for header in ["a", "B"] {
        let reply = client
            .raw(
                reqwest::Method::GET,
                "/optional",
                None,
                &[(header, b"skip")],
            )
            .await;
        assert_eq!(reply.json()["session"], false, "{header}");
    }
    let app = Fixture::start(target).await;
    let reply = app
        .client()
        .raw(
            reqwest::Method::GET,
            "/optional",
            None,
            &[("x-fastsession-skip", b"skip")],
        )
        .await;
    assert_eq!(reply.json()["session"], true, "no rules, no skipping");
}

/// Scenario 30: a presence rule skips whenever the header is there, even empty.
pub async fn presence_rule_skips_on_any_value(target: Target) {
    let app = Fixture::with_flags(target, &["--skip-header", "X-Health"]).await;
    let client = app.client();
    for value in [&b""[..], b"1", b"anything"] {
        let reply = client
            .raw(
                reqwest::Method::GET,
                "/optional",
                None,
                &[("x-health", value)],
            )
            .await;
        assert_eq!(reply.json()["session"], false, "{value:?}");
    }
    assert_eq!(client.get("/optional").await.json()["session"], true);
}

/// Scenario 32: on a skipped request the optional extractor gives no session and the mandatory
/// one answers a generic 500.
pub async fn skipped_requests_have_no_session(target: Target) {
    let app = Fixture::with_flags(target, &["--skip-header", "X-Skip"]).await;
    let client = app.client();
    let reply = client
        .raw(
            reqwest::Method::GET,
            "/session_test",
            None,
            &[("x-skip", b"1")],
        )
        .await;
    assert_eq!(reply.status, 500);
    assert_eq!(reply.body, fastsession_core::adapter::ERROR_BODY);
    assert!(reply.set_cookies().is_empty());
    assert_eq!(app.stored().await, 0);
}
