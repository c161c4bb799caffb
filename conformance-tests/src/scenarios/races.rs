//! J. Races between the requests of one session (checklist 27, 34, 35, 44), staged over HTTP
//! with `delay_ms`: rotations and destroy-then-write racing a logout or each other (with request
//! serialization off, so the race reaches the store), and the bound on waiting for a session
//! another request holds (with it on).

use std::sync::Arc;
use std::time::Duration;

use fastsession_core::adapter::ERROR_BODY;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use super::{SID, assert_removal, count, log_in, whoami, whoami_with};
use crate::client::{Client, Reply, cookie_value, describe};
use crate::fixture::Fixture;
use crate::store::Probe;
use crate::target::Target;

/// Lets concurrent requests of one session reach the store together.
const UNSERIALIZED: &[&str] = &["--serialized-requests", "false"];

/// Sends `method path` (with a JSON `body`) through `client`'s jar in the background, and returns
/// once the store has been asked for its session, plus a short pause for the answer. The pause
/// only orders the next request after this one's load; nothing is timed.
pub(crate) async fn after_its_load(
    app: &Fixture,
    client: &Arc<Client>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> JoinHandle<Reply> {
    let loads = Probe::count(&app.store.probe().loads);
    let (client, path) = (Arc::clone(client), path.to_owned());
    let body = body.map(|body| body.to_string().into_bytes());
    let request = tokio::spawn(async move { client.send(method, &path, body, &[]).await });
    // Bounded, so a request that never loads fails on the assertions rather than hanging here.
    for _ in 0..2000 {
        if Probe::count(&app.store.probe().loads) > loads {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    request
}

/// Awaits a request started by [`after_its_load`].
pub(crate) async fn finished(request: JoinHandle<Reply>) -> Reply {
    request.await.expect("the background request finishes")
}

/// Asserts that neither the cookies `client` holds nor `old` reach a session.
async fn assert_anonymous(client: &Client, old: &str) {
    for me in [whoami(client).await, whoami_with(client, old).await] {
        assert_ne!(me.cause, "success", "{me:?}");
        assert!(me.keys.is_empty(), "{me:?}");
    }
}

/// Checklist 27 and 34: a login racing a logout does not revive the session: the login, which
/// loaded the session before the logout ended it, answers 200 with no session cookie, and
/// nothing is stored.
pub async fn a_login_racing_a_logout_does_not_revive_the_session(target: Target) {
    let app = Fixture::with_flags(target, UNSERIALIZED).await;
    let client = Arc::new(app.client());
    let cookie = log_in(&client, "ada").await;
    let login = after_its_load(&app, &client, Method::POST, "/login/u?delay_ms=600", None).await;
    assert_removal(&client.post("/logout", None).await, 200);
    let login = finished(login).await;
    assert_eq!(login.status, 200, "{}", describe(&login));
    assert_eq!(login.set_cookie(SID), None, "no cookie for a successor");
    assert_eq!(app.stored().await, 0);
    assert_anonymous(&client, &cookie).await;
}

/// Checklist 27 and 35: two concurrent logins (rotations) of one session leave exactly one
/// successor: one response carries its cookie, the other none; the old cookie is dead.
pub async fn two_concurrent_logins_leave_exactly_one_successor(target: Target) {
    let app = Fixture::with_flags(target, UNSERIALIZED).await;
    let client = app.client();
    let cookie = log_in(&client, "ada").await;
    let login = || client.post_with_cookie("/login/u?delay_ms=400", &cookie);
    let (first, second) = tokio::join!(login(), login());
    assert_eq!((first.status, second.status), (200, 200));
    let cookies: Vec<String> = [&first, &second]
        .into_iter()
        .filter_map(|reply| reply.set_cookie(SID))
        .collect();
    assert_eq!(cookies.len(), 1, "exactly one successor: {cookies:?}");
    assert_eq!(app.stored().await, 1);
    let successor = format!("{SID}={}", cookie_value(&cookies[0]));
    let me = whoami_with(&client, &successor).await;
    assert_eq!(
        (me.cause.as_str(), me.keys.as_slice()),
        ("success", &["user".to_owned()][..])
    );
    assert_ne!(whoami_with(&client, &cookie).await.cause, "success");
}

/// Checklist 34: a logout followed by a write (`/logout-then-set`) racing a logout creates
/// nothing: it answers 200 with at most the removal cookie, and nothing is stored.
pub async fn a_logout_then_write_racing_a_logout_creates_nothing(target: Target) {
    let app = Fixture::with_flags(target, UNSERIALIZED).await;
    let client = Arc::new(app.client());
    let cookie = log_in(&client, "ada").await;
    let path = "/logout-then-set/flash?delay_ms=600";
    let flash = after_its_load(&app, &client, Method::POST, path, Some(json!("bye"))).await;
    assert_removal(&client.post("/logout", None).await, 200);
    let flash = finished(flash).await;
    if flash.set_cookie(SID).is_some() {
        assert_removal(&flash, 200);
    } else {
        assert_eq!(flash.status, 200, "{}", describe(&flash));
    }
    assert_eq!(app.stored().await, 0, "no flash session");
    assert_anonymous(&client, &cookie).await;
}

/// Checklist 44: with request serialization on, a request waiting for another request of the
/// same session gives up after the store timeout with 503 and the generic body; the holder
/// finishes normally, and the next request continues the counter.
pub async fn waiting_for_a_held_session_is_bounded(target: Target) {
    let app = Fixture::with_flags(
        target,
        &["--serialized-requests", "true", "--store-timeout-ms", "300"],
    )
    .await;
    let client = Arc::new(app.client());
    assert_eq!(count(&client, "/session_test").await.0, 1);
    let path = "/session_test?delay_ms=2000";
    let holder = after_its_load(&app, &client, Method::GET, path, None).await;
    let waiter = client.get("/session_test").await;
    assert_eq!(
        (waiter.status, waiter.body.as_str()),
        (503, ERROR_BODY),
        "{}",
        describe(&waiter)
    );
    assert!(waiter.set_cookies().is_empty());
    let holder = finished(holder).await;
    assert_eq!(holder.status, 200, "{}", describe(&holder));
    assert_eq!(holder.json()["test_counter"], 2, "incremented once");
    assert_eq!(count(&client, "/session_test").await.0, 3);
}
