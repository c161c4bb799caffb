//! G and H. The session API and configuration (Python FastSession's scenarios 33 to 39; checklist 10, 27, 29,
//! 38).

use serde_json::json;

use super::{SID, assert_removal, count, log_in, whoami, whoami_with};
use crate::client::{attribute, cookie_value};
use crate::fixture::{Fixture, SECOND_COOKIE};
use crate::store::Probe;
use crate::target::Target;

const NEW_KEY: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const OLD_KEY: &str = "2222222222222222222222222222222222222222222222222222222222222222";

/// Scenario 33: two stacked middlewares with different cookies and session object names keep
/// separate sessions, each reachable by its name.
pub async fn session_object_names_are_independent(target: Target) {
    let app = Fixture::builder(target).second().start().await;
    let client = app.client();
    assert_eq!(count(&client, "/session_test").await.0, 1);
    assert_eq!(count(&client, "/second/session_test").await.0, 1);
    assert_eq!(count(&client, "/second/session_test").await.0, 2);
    assert_eq!(count(&client, "/session_test").await.0, 2);
    assert!(client.cookie(SID, "/").is_some() && client.cookie(SECOND_COOKIE, "/").is_some());
    assert_ne!(client.cookie(SID, "/"), client.cookie(SECOND_COOKIE, "/"));
    assert_eq!(app.stored().await, 2);
}

/// Scenario 34: `clear` empties the session and keeps its ID, without a new cookie.
pub async fn clear_keeps_the_id(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    count(&client, "/session_test").await;
    count(&client, "/session_test").await;
    let before = whoami(&client).await;
    let reply = client.post("/clear", None).await;
    assert_eq!(reply.json(), json!({ "ok": true }));
    assert!(reply.set_cookie(SID).is_none());
    let after = whoami(&client).await;
    assert_eq!((after.id.clone(), after.keys.len()), (before.id.clone(), 0));
    assert_eq!(count(&client, "/session_test").await.0, 1);
    let last = whoami(&client).await;
    assert_eq!((last.id, last.cause.as_str()), (before.id, "success"));
}

/// Scenario 35 and checklist 29: logout deletes the session and sends a removal cookie with the
/// scope it was issued with; the old cookie then finds nothing.
pub async fn logout_destroys_and_removes_the_cookie(target: Target) {
    let app = Fixture::with_flags(target, &["--secure", "true", "--same-site", "strict"]).await;
    let client = app.client();
    let cookie = log_in(&client, "ada").await;
    let removal = assert_removal(&client.post("/logout", None).await, 200);
    let expires = httpdate::parse_http_date(&attribute(&removal, "Expires").expect("Expires"))
        .expect("a date");
    assert!(expires < std::time::SystemTime::now());
    assert_eq!(attribute(&removal, "Path").as_deref(), Some("/"));
    assert_eq!(attribute(&removal, "SameSite").as_deref(), Some("Strict"));
    assert!(attribute(&removal, "Secure").is_some() && attribute(&removal, "HttpOnly").is_some());
    assert_eq!(app.stored().await, 0);
    assert!(
        client.cookie(SID, "/").is_none(),
        "the browser dropped the cookie"
    );
    let replay = whoami_with(&client, &cookie).await;
    assert_eq!(
        (replay.cause.as_str(), replay.keys.len()),
        ("valid_cookie_but_no_store", 0)
    );
}

/// Scenario 36 and checklist 27: login moves the session to a new ID and keeps its data; the
/// old cookie is then worthless (session fixation is defeated).
pub async fn login_rotates_the_id_and_keeps_the_data(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    client.post("/set/cart", Some(json!(3))).await;
    let planted = client.session_pair(SID).expect("a cookie");
    let before = whoami(&client).await.id;
    let reply = client.post("/login/u", None).await;
    assert!(reply.set_cookie(SID).is_some());
    let after = whoami(&client).await;
    assert_ne!(after.id, before);
    assert_eq!(after.keys, ["cart", "user"]);
    assert_eq!(
        client.get("/get/user").await.json(),
        json!({ "value": "u" })
    );
    assert_eq!(app.stored().await, 1, "the old ID is gone");
    let replay = whoami_with(&client, &planted).await;
    assert_eq!(
        (replay.keys.len(), replay.cause.as_str()),
        (0, "valid_cookie_but_no_store")
    );
}

/// Scenario 37: the cause is metadata: it never appears among the user's keys.
pub async fn cause_is_metadata_not_data(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    assert_eq!(whoami(&client).await.cause, "new");
    count(&client, "/session_test").await;
    let me = whoami(&client).await;
    assert_eq!(me.cause, "success");
    assert_eq!(me.keys, ["test_counter"]);
    assert_eq!(
        client.get("/get/__cause__").await.json(),
        json!({ "value": null })
    );
}

/// Scenario 38 and checklist 10: with keys `[new, old]`, cookies signed by `old` still work and
/// are re-issued under `new`, keeping the ID.
pub async fn keys_rotate_without_logging_anyone_out(target: Target) {
    let before = Fixture::with_flags(target, &["--key", OLD_KEY]).await;
    let client = before.client();
    log_in(&client, "ada").await;
    let old_cookie = client.session_pair(SID).expect("a cookie");
    let rotated = Fixture::builder(target)
        .flags(&["--key", NEW_KEY, "--key", OLD_KEY])
        .beside(&before)
        .start()
        .await;
    let client = rotated.client();
    let reply = client.get_with_cookie("/whoami", &old_cookie).await;
    assert_eq!(reply.json()["cause"], "success");
    let reissued = reply.set_cookie(SID).expect("re-issued under the new key");
    assert_eq!(
        &cookie_value(&reissued)[..43],
        &cookie_value(&old_cookie)[..43],
        "same ID"
    );
    assert_ne!(cookie_value(&reissued), cookie_value(&old_cookie));
    let new_only = Fixture::builder(target)
        .flags(&["--key", NEW_KEY])
        .beside(&before)
        .start()
        .await;
    let me = whoami_with(
        &new_only.client(),
        &format!("sid={}", cookie_value(&reissued)),
    )
    .await;
    assert_eq!(
        (me.cause.as_str(), me.keys.as_slice()),
        ("success", &["user".to_owned()][..])
    );
}

/// Scenario 39: each app has its own default store: a cookie from one app finds nothing in
/// another with the same key.
pub async fn stores_are_per_instance(target: Target) {
    let first = Fixture::start(target).await;
    let second = Fixture::start(target).await;
    let client = first.client();
    log_in(&client, "ada").await;
    let cookie = client.session_pair(SID).expect("a cookie");
    assert_eq!(
        whoami_with(&second.client(), &cookie).await.cause,
        "valid_cookie_but_no_store"
    );
}

/// Scenario 39: a read-only request writes nothing; a modifying one writes exactly once.
pub async fn only_changed_sessions_are_written(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    count(&client, "/session_test").await;
    let writes = || Probe::count(&app.store.probe().writes);
    let start = writes();
    for _ in 0..5 {
        whoami(&client).await;
        client.get("/get/test_counter").await;
    }
    assert_eq!(writes(), start, "reads write nothing");
    count(&client, "/session_test").await;
    assert_eq!(writes(), start + 1, "one write per modifying request");
}

/// Checklist 38: an insert past the 64 KiB payload cap is refused with 413; nothing is stored and
/// no cookie is sent.
pub async fn payload_cap_is_enforced(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    let big = json!("x".repeat(70 * 1024));
    let reply = client.post("/set/big", Some(big)).await;
    assert_eq!(
        reply.status,
        413,
        "{}",
        &reply.body[..reply.body.len().min(200)]
    );
    assert!(reply.set_cookie(SID).is_none());
    assert_eq!(app.stored().await, 0);
    client.post("/set/small", Some(json!("fits"))).await;
    let reply = client
        .post("/set/big", Some(json!("x".repeat(70 * 1024))))
        .await;
    assert_eq!(reply.status, 413);
    assert_eq!(
        whoami(&client).await.keys,
        ["small"],
        "the refused insert changed nothing"
    );
}
