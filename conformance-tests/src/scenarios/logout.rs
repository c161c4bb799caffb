//! I. Logging out (checklist 29, 42, 43): `destroy()` applies whatever the response status, a
//! logout followed by a write keeps only the logout on a server error, and a logout whose store
//! work fails still removes the cookie and leaves no successor.

use fastsession_core::adapter::ERROR_BODY;
use serde_json::json;

use super::{SID, assert_removal, log_in, whoami, whoami_with};
use crate::client::describe;
use crate::fixture::Fixture;
use crate::store::Probe;
use crate::target::Target;

/// Checklist 29: `destroy()` applies on any status: a logout answered 500 or 404, or 502 or 400
/// through the framework's own error mechanism, keeps its status, sends the removal cookie and
/// deletes the session.
pub async fn a_logout_applies_on_any_status(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    for (query, status) in [
        ("status=500", 500),
        ("status=404", 404),
        ("error=502", 502),
        ("error=400", 400),
    ] {
        let cookie = log_in(&client, "ada").await;
        assert_eq!(app.stored().await, 1, "{query}");
        let reply = client.post(&format!("/logout?{query}"), None).await;
        assert_removal(&reply, status);
        assert_eq!(app.stored().await, 0, "{query}: the session is deleted");
        assert_ne!(
            whoami_with(&client, &cookie).await.cause,
            "success",
            "{query}"
        );
    }
}

/// Checklist 29 and 42: a logout followed by a write (`/logout-then-set`) answered with a server
/// error applies only the logout: the removal cookie, and no record, old or new. Answered 200,
/// the write lands in a fresh session holding nothing else.
pub async fn a_logout_then_write_on_a_server_error_applies_only_the_logout(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    let old = log_in(&client, "ada").await;
    let reply = client
        .post("/logout-then-set/flash", Some(json!("bye")))
        .await;
    assert_eq!(reply.status, 200, "{}", describe(&reply));
    assert_ne!(client.session_pair(SID), Some(old.clone()), "a new ID");
    assert_eq!(whoami(&client).await.keys, ["flash"]);
    assert_eq!(app.stored().await, 1, "the flash's session only");
    assert_ne!(whoami_with(&client, &old).await.cause, "success");

    for (query, status) in [("status=500", 500), ("error=502", 502)] {
        log_in(&client, "ada").await;
        let reply = client
            .post(
                &format!("/logout-then-set/flash?{query}"),
                Some(json!("bye")),
            )
            .await;
        assert_removal(&reply, status);
        assert_eq!(app.stored().await, 0, "{query}: no record, old or new");
    }
}

/// A way to make the store fail, switched on or off.
type Faults = fn(&Probe, bool);

/// Checklist 43: a logout followed by a write whose store work fails answers 500 with the
/// generic body and the removal cookie, and leaves no successor: a failed retirement or creation
/// still deletes the old session; when the store fails everything, only the old session is
/// left, as the store kept it.
pub async fn a_failed_logout_then_write_leaves_no_successor(target: Target) {
    let cases: [(&str, Faults, usize); 3] = [
        ("retire", |probe, on| Probe::set(&probe.fail_retire, on), 0),
        ("create", |probe, on| Probe::set(&probe.fail_create, on), 0),
        (
            "every write and delete",
            |probe, on| {
                probe.fail_writes(on);
                Probe::set(&probe.fail_retire, on);
                Probe::set(&probe.fail_delete, on);
            },
            1,
        ),
    ];
    for (name, faults, left) in cases {
        let app = Fixture::start(target).await;
        let client = app.client();
        let old = log_in(&client, "ada").await;
        faults(app.store.probe(), true);
        let reply = client
            .post("/logout-then-set/flash", Some(json!("bye")))
            .await;
        faults(app.store.probe(), false);
        assert_removal(&reply, 500);
        assert_eq!(reply.body, ERROR_BODY, "{name}");
        assert!(client.session_pair(SID).is_none(), "{name}");
        assert_eq!(app.stored().await, left, "{name}");
        let me = whoami_with(&client, &old).await;
        if left == 0 {
            assert_ne!(me.cause, "success", "{name}: the old session is deleted");
        } else {
            assert_eq!(me.keys, ["user"], "{name}: what is left is the old session");
        }
    }
}
