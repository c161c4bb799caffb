//! Store failures (checklist 41 to 43): the documented statuses, generic bodies, no cookie for
//! unsaved state, and recovery.

use fastsession_core::adapter::ERROR_BODY;

use super::{SID, assert_removal, count, log_in, whoami, whoami_with};
use crate::fixture::Fixture;
use crate::store::Probe;
use crate::target::Target;

/// Checklist 41: a failed load answers 503 with a generic body and no cookie; once the store is
/// back, the user is still logged in.
pub async fn failed_load_answers_503_and_recovers(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    let cookie = log_in(&client, "ada").await;
    Probe::set(&app.store.probe().fail_load, true);
    let reply = client.get("/whoami").await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.body, ERROR_BODY);
    assert!(reply.set_cookies().is_empty());
    Probe::set(&app.store.probe().fail_load, false);
    assert_eq!(client.session_pair(SID), Some(cookie));
    let me = whoami(&client).await;
    assert_eq!(
        (me.cause.as_str(), me.keys.as_slice()),
        ("success", &["user".to_owned()][..])
    );
}

/// Checklist 42: a failed save answers 500 with a generic body and no cookie, for a new session
/// and for an existing one, and changes nothing.
pub async fn failed_save_answers_500_without_a_cookie(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    app.store.probe().fail_writes(true);
    let reply = client.get("/session_test").await;
    assert_eq!((reply.status, reply.body.as_str()), (500, ERROR_BODY));
    assert!(reply.set_cookies().is_empty());
    app.store.probe().fail_writes(false);
    count(&client, "/session_test").await;
    app.store.probe().fail_writes(true);
    let reply = client.get("/session_test").await;
    assert_eq!((reply.status, reply.body.as_str()), (500, ERROR_BODY));
    assert!(reply.set_cookies().is_empty());
    app.store.probe().fail_writes(false);
    assert_eq!(
        count(&client, "/session_test").await.0,
        2,
        "the failed write left the session as it was"
    );
}

/// Checklist 43: a logout whose delete fails answers 500 but still removes the cookie.
pub async fn failed_logout_still_removes_the_cookie(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    log_in(&client, "ada").await;
    Probe::set(&app.store.probe().fail_delete, true);
    assert_removal(&client.post("/logout", None).await, 500);
    assert!(client.cookie(SID, "/").is_none());
}

/// Routes that never extract the session keep answering while the store is down.
pub async fn routes_without_the_session_survive_an_outage(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    log_in(&client, "ada").await;
    Probe::set(&app.store.probe().fail_load, true);
    app.store.probe().fail_writes(true);
    let reply = client.get("/plain").await;
    assert_eq!((reply.status, reply.body.as_str()), (200, "Hello, world!"));
    assert!(reply.set_cookies().is_empty());
    assert_eq!(client.get("/optional").await.status, 503);
}

/// Checklist 44: a store that stops answering hits the store timeout. A stalled load answers
/// 503, a stalled save 500 without a cookie, a stalled logout 500 with the removal cookie; every
/// body is generic, and the session is intact once the store answers again.
pub async fn stalled_store_hits_the_timeout(target: Target) {
    let app = Fixture::builder(target)
        .config(|config| config.with_store_timeout(std::time::Duration::from_millis(200)))
        .start()
        .await;
    let client = app.client();
    let cookie = log_in(&client, "ada").await;
    let probe = app.store.probe();

    Probe::set(&probe.stall_load, true);
    let reply = client.get("/whoami").await;
    assert_eq!((reply.status, reply.body.as_str()), (503, ERROR_BODY));
    assert!(reply.set_cookies().is_empty());
    Probe::set(&probe.stall_load, false);

    Probe::set(&probe.stall_writes, true);
    let reply = client.get("/session_test").await;
    assert_eq!((reply.status, reply.body.as_str()), (500, ERROR_BODY));
    assert!(reply.set_cookies().is_empty());
    Probe::set(&probe.stall_writes, false);
    assert_eq!(client.session_pair(SID), Some(cookie.clone()));

    Probe::set(&probe.stall_delete, true);
    assert_removal(&client.post("/logout", None).await, 500);
    Probe::set(&probe.stall_delete, false);

    let me = whoami_with(&client, &cookie).await;
    assert_eq!(
        (me.cause.as_str(), me.keys.as_slice()),
        ("success", &["user".to_owned()][..]),
        "the stalled calls changed nothing"
    );
}

/// A failed expiry refresh (`touch`) costs only the refresh: the request still answers 200, with
/// no re-issued cookie, and the next request refreshes it.
pub async fn failed_refresh_costs_only_the_refresh(target: Target) {
    let app = Fixture::with_flags(target, &["--max-age", "10", "--rolling"]).await;
    let client = app.client();
    log_in(&client, "ada").await;
    app.advance(6);
    Probe::set(&app.store.probe().fail_touch, true);
    let reply = client.get("/whoami").await;
    assert_eq!(reply.status, 200);
    assert!(reply.set_cookies().is_empty(), "no refresh was stored");
    Probe::set(&app.store.probe().fail_touch, false);
    let reply = client.get("/whoami").await;
    assert_eq!(reply.status, 200);
    assert!(reply.set_cookie(SID).is_some(), "refreshed once it can be");
}
