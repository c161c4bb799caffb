//! E. Response hygiene (Python FastSession's scenarios 24 to 28; checklist 17, 22, 25, 42, 45).

use reqwest::Method;
use serde_json::{Value, json};

use super::{SID, count, whoami};
use crate::app::CACHEABLE_CACHE_CONTROL;
use crate::client::{Reply, cookie_value};
use crate::fixture::Fixture;
use crate::store::Probe;
use crate::target::{StoreKind, Target};

/// Scenario 24: the app's own cookies survive beside the session cookie.
pub async fn app_cookies_survive(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    let reply = client.get("/app-cookies").await;
    let names: Vec<String> = reply
        .set_cookies()
        .iter()
        .map(|c| c.split('=').next().unwrap_or_default().to_owned())
        .collect();
    for name in ["app", "app2", SID] {
        assert!(
            names.iter().any(|n| n == name),
            "{name} missing from {names:?}"
        );
    }
    assert_eq!(cookie_value(&reply.set_cookies_named("app")[0]), "1");
    assert_eq!(cookie_value(&reply.set_cookies_named("app2")[0]), "2");
    let reply = client.get("/app-cookies").await;
    assert_eq!(reply.set_cookies_named("app").len(), 1);
    assert_eq!(reply.set_cookies_named("app2").len(), 1);
    assert!(
        reply.set_cookie(SID).is_none(),
        "no session cookie for a continuing session"
    );
}

/// Scenario 25: in eager mode a cookieless 404 still gets its session, as Python FastSession does.
pub async fn errors_and_not_found_still_get_a_session_in_eager_mode(target: Target) {
    let app = Fixture::with_flags(target, &["--eager"]).await;
    let reply = app.client().get("/nonexistent").await;
    assert_eq!(reply.status, 404);
    assert!(reply.set_cookie(SID).is_some());
    assert_eq!(app.stored().await, 1);
}

/// Scenario 26 and checklist 42: a 500 from the handler saves nothing and sends no cookie, for a
/// new session and for an existing one.
pub async fn failed_requests_do_not_save(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    let reply = client.get("/fail").await;
    assert_eq!(reply.status, 500);
    assert!(reply.set_cookie(SID).is_none());
    assert_eq!(app.stored().await, 0);
    count(&client, "/session_test").await;
    let writes = Probe::count(&app.store.probe().writes);
    assert_eq!(client.get("/fail").await.status, 500);
    assert_eq!(
        Probe::count(&app.store.probe().writes),
        writes,
        "no store write for a 5xx"
    );
    assert_eq!(
        whoami(&client).await.keys,
        ["test_counter"],
        "the write before the failure was discarded"
    );
}

/// Checklist 42: a handler that writes, then answers through its framework's own error mechanism, is
/// treated by its status exactly as one that answers that status plainly: the write is saved
/// (and a new session's cookie sent) on a 4xx, and nothing is saved on a 5xx.
pub async fn framework_errors_are_treated_by_their_status(target: Target) {
    let app = Fixture::start(target).await;
    for how in ["error", "status"] {
        // A new session: a 5xx creates nothing.
        let client = app.client();
        let stored = app.stored().await;
        let reply = client
            .post(&format!("/set/k2?{how}=503"), Some(json!(2)))
            .await;
        assert_eq!(reply.status, 503, "{how}=503: {}", reply.body);
        assert!(reply.set_cookie(SID).is_none(), "{how}=503: no cookie");
        assert_eq!(app.stored().await, stored, "{how}=503: nothing stored");
        // A 4xx saves the new session and sends its cookie.
        let reply = client
            .post(&format!("/set/k?{how}=422"), Some(json!(1)))
            .await;
        assert_eq!(reply.status, 422, "{how}=422: {}", reply.body);
        assert!(reply.set_cookie(SID).is_some(), "{how}=422: the cookie");
        assert_eq!(value(&client.get("/get/k").await), json!(1), "{how}=422");
        // On the existing session: a 5xx saves nothing, a 4xx saves.
        let reply = client
            .post(&format!("/set/k2?{how}=503"), Some(json!(2)))
            .await;
        assert_eq!(reply.status, 503, "{how}=503: {}", reply.body);
        assert!(reply.set_cookie(SID).is_none(), "{how}=503: no cookie");
        assert_eq!(
            value(&client.get("/get/k2").await),
            Value::Null,
            "{how}=503"
        );
        let reply = client
            .post(&format!("/set/k?{how}=404"), Some(json!(3)))
            .await;
        assert_eq!(reply.status, 404, "{how}=404: {}", reply.body);
        assert_eq!(value(&client.get("/get/k").await), json!(3), "{how}=404");
    }
}

/// `GET /get/{key}`'s value.
fn value(reply: &Reply) -> Value {
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["value"].clone()
}

/// Scenario 27 and checklist 25: cookieless GET, HEAD and OPTIONS, reads and anonymous logouts
/// create nothing; the first write creates one session.
pub async fn lazy_mode_creates_nothing_for_cookieless_traffic(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    for _ in 0..100 {
        for (method, path) in [
            (Method::GET, "/plain"),
            (Method::HEAD, "/plain"),
            (Method::OPTIONS, "/plain"),
            (Method::GET, "/whoami"),
            (Method::GET, "/get/x"),
            (Method::POST, "/logout"),
        ] {
            let reply = client.send(method, path, None, &[]).await;
            assert!(reply.set_cookie(SID).is_none(), "{path}");
        }
    }
    assert_eq!(app.stored().await, 0);
    count(&client, "/session_test").await;
    assert_eq!(app.stored().await, 1);
}

/// Scenario 28: in eager mode, 5,000 cookieless requests all succeed; with the in-memory store
/// bounded to 1,000 sessions, at most 1,000 remain (Redis has no such bound: its memory policy is
/// the operator's, so every session remains).
pub async fn eager_mode_stays_within_the_store_bound(target: Target) {
    let app = Fixture::builder(target)
        .flags(&["--eager"])
        .memory_bound(1000)
        .start()
        .await;
    let client = app.client();
    for _ in 0..5000 {
        let reply = client.raw(Method::GET, "/plain", None, &[]).await;
        assert_eq!(reply.status, 200);
    }
    let stored = app.stored().await;
    match target.store {
        StoreKind::Memory => assert!(
            (900..=1000).contains(&stored),
            "the bound holds and is used: {stored}"
        ),
        StoreKind::Redis
        | StoreKind::RedisTls
        | StoreKind::RedisCluster
        | StoreKind::RedisSentinel
        | StoreKind::Postgres => {
            assert_eq!(stored, 5000)
        }
    }
}

/// Checklist 45: a response that sets the cookie is `Cache-Control: no-store` and varies on
/// `Cookie`; one that only read the session varies on `Cookie`.
pub async fn session_responses_vary_and_are_not_cached(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    let (_, reply) = count(&client, "/session_test").await;
    assert!(reply.set_cookie(SID).is_some());
    assert!(
        reply
            .header("cache-control")
            .unwrap_or_default()
            .contains("no-store"),
        "{:?}",
        reply.headers
    );
    assert!(
        reply.header("vary").unwrap_or_default().contains("Cookie"),
        "{:?}",
        reply.headers
    );
    let reply = client.get("/whoami").await;
    assert!(
        reply.header("vary").unwrap_or_default().contains("Cookie"),
        "{:?}",
        reply.headers
    );
    let reply = client.get("/plain").await;
    assert!(
        !reply.header("vary").unwrap_or_default().contains("Cookie"),
        "a route that never used the session"
    );
}

/// Checklist 17: a login after a session exists (rotation) still sends one `Set-Cookie` for our
/// name, never a folded one.
pub async fn at_most_one_session_cookie_per_response(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    count(&client, "/session_test").await;
    for path in ["/login/ada", "/login/bob", "/logout", "/login/eve"] {
        let reply = client.post(path, None).await;
        assert_eq!(
            reply.set_cookies_named(SID).len(),
            1,
            "{path}: {:?}",
            reply.set_cookies()
        );
        assert!(
            !reply.set_cookies_named(SID)[0].contains(", sid="),
            "never folded"
        );
    }
}

/// Checklist 45: a response that sets the session cookie replaces the application's own
/// `Cache-Control` (`public, max-age=3600`) with a single `no-store`; a response that sets no
/// cookie keeps the application's value, beside `Vary: Cookie`.
pub async fn app_cache_control_gives_way_to_no_store_with_a_cookie(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    let reply = client.get("/cacheable").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["test_counter"], 1);
    assert!(reply.set_cookie(SID).is_some(), "a new session's cookie");
    assert_eq!(cache_control(&reply), ["no-store"], "{:?}", reply.headers);
    let reply = client.get("/cacheable").await;
    assert_eq!(reply.json()["test_counter"], 2, "{}", reply.body);
    assert!(
        reply.set_cookie(SID).is_none(),
        "no cookie on a continuation"
    );
    assert_eq!(
        cache_control(&reply),
        [CACHEABLE_CACHE_CONTROL],
        "{:?}",
        reply.headers
    );
    assert!(
        reply.header("vary").unwrap_or_default().contains("Cookie"),
        "{:?}",
        reply.headers
    );
}

/// Every `Cache-Control` field of `reply`, one entry each.
fn cache_control(reply: &Reply) -> Vec<&str> {
    reply
        .headers
        .get_all("cache-control")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect()
}
