//! K. A user's sessions (ASVS 5 V7.4): `POST /login/{user}` binds the session; `GET
//! /my-sessions` lists the user's live sessions by label; one ends by its label, all others
//! with `POST /logout-others`, all with `POST /logout-everywhere`; ending is final, even for a
//! request of the ended session already in flight.

use std::sync::Arc;

use reqwest::Method;
use serde_json::{Value, json};

use super::races::{after_its_load, finished};
use super::{SID, assert_removal, log_in, whoami, whoami_with};
use crate::client::{Client, describe};
use crate::fixture::Fixture;
use crate::target::Target;

/// One listed session, as `/my-sessions` shows it.
#[derive(Clone, Debug)]
struct Listed {
    label: String,
    current: bool,
    created: u64,
    last_seen: u64,
}

async fn my_sessions(client: &Client) -> Vec<Listed> {
    let reply = client.get("/my-sessions").await;
    assert_eq!(reply.status, 200, "/my-sessions: {}", describe(&reply));
    let json = reply.json();
    let sessions = json["sessions"].as_array().cloned().unwrap_or_default();
    sessions
        .iter()
        .map(|session| Listed {
            label: session["label"].as_str().unwrap_or_default().to_owned(),
            current: session["current"].as_bool().unwrap_or_default(),
            created: session["created"].as_u64().unwrap_or_default(),
            last_seen: session["last_seen"].as_u64().unwrap_or_default(),
        })
        .collect()
}

/// A client logged in as `user`.
async fn device(app: &Fixture, user: &str) -> Client {
    let client = app.client();
    log_in(&client, user).await;
    client
}

async fn is_live(client: &Client) -> bool {
    whoami(client).await.cause == "success"
}

/// A login lists the session, marked current, with a label that is no ID or cookie and its
/// times; an anonymous session lists nothing; a second login of the same browser (a rotation)
/// leaves one session, under a new label.
pub async fn a_login_lists_the_session_as_current(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    client.get("/session_test").await;
    assert!(my_sessions(&client).await.is_empty(), "not logged in");
    let cookie = log_in(&client, "ada").await;
    let listed = my_sessions(&client).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let session = &listed[0];
    assert!(session.current);
    assert_eq!(session.label.len(), 16);
    assert!(session.label.bytes().all(|byte| byte.is_ascii_hexdigit()));
    assert!(
        !cookie.contains(&session.label),
        "a label is not part of the cookie"
    );
    assert!(session.created > 1_700_000_000 && session.last_seen >= session.created);
    log_in(&client, "ada").await;
    let rotated = my_sessions(&client).await;
    assert_eq!(rotated.len(), 1, "the old ID is not listed: {rotated:?}");
    assert_ne!(rotated[0].label, session.label);
}

/// "Log out other devices" ends every other session of the user, keeps this one and leaves
/// other users alone; an ended device's next request starts a new anonymous session.
pub async fn logging_out_other_devices_ends_only_them(target: Target) {
    let app = Fixture::start(target).await;
    let laptop = device(&app, "ada").await;
    let phone = device(&app, "ada").await;
    let tablet = device(&app, "ada").await;
    let bob = device(&app, "bob").await;
    assert_eq!(my_sessions(&laptop).await.len(), 3);
    let reply = laptop.post("/logout-others", None).await;
    assert_eq!(reply.status, 200, "{}", describe(&reply));
    assert_eq!(reply.json(), json!({ "ended": 2 }));
    for ended in [&phone, &tablet] {
        let me = whoami(ended).await;
        assert_eq!(me.cause, "valid_cookie_but_no_store", "{me:?}");
        assert!(me.keys.is_empty());
    }
    assert!(is_live(&laptop).await);
    assert!(is_live(&bob).await);
    let listed = my_sessions(&laptop).await;
    assert_eq!(listed.len(), 1);
    assert!(listed[0].current);
}

/// "Log out everywhere" ends every session of the user, this one with the removal cookie.
pub async fn logging_out_everywhere_ends_every_session_of_the_user(target: Target) {
    let app = Fixture::start(target).await;
    let laptop = device(&app, "ada").await;
    let phone = device(&app, "ada").await;
    let bob = device(&app, "bob").await;
    let old = laptop.session_pair(SID).expect("a cookie");
    let reply = laptop.post("/logout-everywhere", None).await;
    assert_removal(&reply, 200);
    assert_eq!(reply.json(), json!({ "ended": 2 }));
    assert_ne!(whoami_with(&laptop, &old).await.cause, "success");
    assert!(!is_live(&phone).await);
    assert!(is_live(&bob).await);
    assert_eq!(app.stored().await, 1, "only bob's session is left");
}

/// One session ends by its label (404 the second time); a label of another user's session, or
/// an unknown one, ends nothing (404); text that is no label is a 400.
pub async fn one_session_ends_by_its_label(target: Target) {
    let app = Fixture::start(target).await;
    let laptop = device(&app, "ada").await;
    let phone = device(&app, "ada").await;
    let bob = device(&app, "bob").await;
    let other = my_sessions(&laptop)
        .await
        .into_iter()
        .find(|listed| !listed.current);
    let other = other.expect("the phone's session").label;
    let bobs = my_sessions(&bob).await[0].label.clone();
    let end = |label: &str| format!("/my-sessions/{label}/end");
    let reply = laptop.post(&end(&bobs), None).await;
    assert_eq!(
        reply.status,
        404,
        "another user's label: {}",
        describe(&reply)
    );
    assert!(is_live(&bob).await);
    let reply = laptop.post(&end(&other), None).await;
    assert_eq!(reply.status, 200, "{}", describe(&reply));
    assert_eq!(reply.json(), json!({ "ended": true }));
    assert!(!is_live(&phone).await);
    assert_eq!(laptop.post(&end(&other), None).await.status, 404);
    assert_eq!(laptop.post(&end("not-a-label"), None).await.status, 400);
    assert!(is_live(&laptop).await);
}

/// A request of a session that is in flight while "log out other devices" ends it cannot bring
/// it back: its write is dropped, it gets no cookie, and its next request is anonymous.
pub async fn a_request_in_flight_cannot_revive_an_ended_session(target: Target) {
    let app = Fixture::start(target).await;
    let laptop = device(&app, "ada").await;
    let phone = Arc::new(device(&app, "ada").await);
    let old = phone.session_pair(SID).expect("a cookie");
    let request = after_its_load(
        &app,
        &phone,
        Method::POST,
        "/set/late?delay_ms=400",
        Some(Value::from("write")),
    )
    .await;
    let reply = laptop.post("/logout-others", None).await;
    assert_eq!(reply.json(), json!({ "ended": 1 }), "{}", describe(&reply));
    let late = finished(request).await;
    assert_eq!(late.status, 200, "{}", describe(&late));
    assert_eq!(late.set_cookie(SID), None, "no cookie for an ended session");
    let me = whoami_with(&phone, &old).await;
    assert_ne!(me.cause, "success", "{me:?}");
    assert!(me.keys.is_empty());
    assert_eq!(app.stored().await, 1, "only the laptop's session");
}
