//! L. Sessions in a request header, for API and mobile clients (`--transport header`): the
//! same signed value in `Authorization: Session <value>` (or the bare value in another header),
//! returned in the same header when new or rotated, empty when ended, never as a cookie; tampered
//! values, expiry and `Vary` as with the cookie; with `--transport both`, the cookie first.

use std::sync::{Mutex, PoisonError};

use reqwest::Method;
use serde_json::Value;

use super::flip;
use crate::client::{Client, Reply, describe};
use crate::fixture::Fixture;
use crate::target::Target;

const HEADER: &[&str] = &["--transport", "header"];

/// An API client: no cookie jar, the session value kept from the session header of responses
/// (an empty header value means forget it) and sent back in it.
struct ApiClient {
    http: Client,
    header: &'static str,
    value: Mutex<Option<String>>,
    /// Whether a response may set a cookie: only with both transports, to a request that
    /// carried no session.
    cookies_allowed: bool,
}

impl ApiClient {
    fn new(app: &Fixture, header: &'static str) -> Self {
        Self {
            http: app.client(),
            header,
            value: Mutex::new(None),
            cookies_allowed: false,
        }
    }

    fn value(&self) -> Option<String> {
        self.value
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set(&self, value: Option<String>) {
        *self.value.lock().unwrap_or_else(PoisonError::into_inner) = value;
    }

    async fn send(&self, method: Method, path: &str) -> Reply {
        let value = self.value();
        let headers: Vec<(&str, &[u8])> = value
            .iter()
            .map(|value| (self.header, value.as_bytes()))
            .collect();
        let reply = self.http.raw(method, path, None, &headers).await;
        let cookie_allowed = self.cookies_allowed && value.is_none();
        assert!(
            cookie_allowed || reply.set_cookies().is_empty(),
            "no cookie: {}",
            describe(&reply)
        );
        if let Some(returned) = returned(&reply, self.header) {
            self.set((!returned.is_empty()).then_some(returned));
        }
        reply
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path).await
    }

    async fn post(&self, path: &str) -> Reply {
        self.send(Method::POST, path).await
    }
}

/// The value of the session header `name` in `reply`, if present.
fn returned(reply: &Reply, name: &str) -> Option<String> {
    let value = reply.headers.get(name)?;
    Some(value.to_str().unwrap_or_default().to_owned())
}

fn counter(reply: &Reply) -> Value {
    reply.json()["test_counter"].clone()
}

fn cause(reply: &Reply) -> String {
    reply.json()["cause"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A header session continues from request to request; the first response returns the value
/// in `Authorization: Session <value>` with `Cache-Control: no-store`; every response that used
/// the session varies on `Authorization`; no response sets a cookie.
pub async fn header_sessions_continue_and_never_set_a_cookie(target: Target) {
    let app = Fixture::with_flags(target, HEADER).await;
    let api = ApiClient::new(&app, "authorization");
    let first = api.get("/session_test").await;
    assert_eq!(counter(&first), 1, "{}", describe(&first));
    let value = api.value().expect("a session header on the first response");
    assert!(
        value.starts_with("Session ") && value.len() == 8 + 87,
        "{value}"
    );
    let no_store = first
        .headers
        .get("cache-control")
        .and_then(|v| v.to_str().ok());
    assert_eq!(no_store, Some("no-store"));
    for expected in 2..=3 {
        let reply = api.get("/session_test").await;
        assert_eq!(counter(&reply), expected);
        let vary = reply
            .headers
            .get("vary")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            vary.to_ascii_lowercase().contains("authorization"),
            "Vary: {vary}"
        );
        assert_eq!(
            returned(&reply, "authorization"),
            None,
            "nothing new to return"
        );
    }
    assert_eq!(cause(&api.get("/whoami").await), "success");
}

/// A changed character of the header value starts a new session (`InvalidSignature`); a value
/// without the `Session` scheme is not a session at all.
pub async fn a_tampered_header_value_starts_a_new_session(target: Target) {
    let app = Fixture::with_flags(target, HEADER).await;
    let api = ApiClient::new(&app, "authorization");
    api.get("/session_test").await;
    let value = api.value().expect("a value");
    api.set(Some(flip(&value, 20)));
    assert_eq!(
        cause(&api.get("/whoami").await),
        "renew after InvalidSignature"
    );
    api.set(Some(value.replacen("Session ", "Bearer ", 1)));
    assert_eq!(cause(&api.get("/whoami").await), "new");
    api.set(Some(value));
    assert_eq!(
        cause(&api.get("/whoami").await),
        "success",
        "the real one still works"
    );
}

/// A login returns a new value and the old one stops working; a logout returns an empty header,
/// after which the client has no session.
pub async fn login_rotates_the_header_value_and_logout_clears_it(target: Target) {
    let app = Fixture::with_flags(target, HEADER).await;
    let api = ApiClient::new(&app, "authorization");
    api.get("/session_test").await;
    let old = api.value().expect("a value");
    assert_eq!(api.post("/login/ada").await.status, 200);
    let new = api.value().expect("a rotated value");
    assert_ne!(new, old);
    let stale = ApiClient::new(&app, "authorization");
    stale.set(Some(old));
    assert_eq!(
        cause(&stale.get("/whoami").await),
        "valid_cookie_but_no_store"
    );
    let logout = api.post("/logout").await;
    assert_eq!(
        returned(&logout, "authorization").as_deref(),
        Some(""),
        "forget it"
    );
    assert_eq!(api.value(), None);
    assert_eq!(app.stored().await, 0);
    assert_eq!(cause(&api.get("/whoami").await), "new");
}

/// The server's idle timeout ends a header session as it ends a cookie session.
pub async fn header_sessions_expire_on_the_server(target: Target) {
    let flags = ["--transport", "header", "--idle-timeout", "60"];
    let app = Fixture::with_flags(target, &flags).await;
    let api = ApiClient::new(&app, "authorization");
    api.get("/session_test").await;
    app.advance(61);
    assert_eq!(
        cause(&api.get("/whoami").await),
        "renew after SignatureExpired"
    );
}

/// Another header (`--header-name X-Session`) carries the bare value, and `Vary` names it.
pub async fn a_custom_header_carries_the_bare_value(target: Target) {
    let flags = ["--transport", "header", "--header-name", "X-Session"];
    let app = Fixture::with_flags(target, &flags).await;
    let api = ApiClient::new(&app, "x-session");
    let first = api.get("/session_test").await;
    let value = api.value().expect("a value in X-Session");
    assert_eq!(value.len(), 87, "the bare value: {value}");
    let vary = first
        .headers
        .get("vary")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        vary.to_ascii_lowercase().contains("x-session"),
        "Vary: {vary}"
    );
    assert_eq!(counter(&api.get("/session_test").await), 2);
}

/// With `--transport both`, a browser keeps working by cookie and an API client by header, each
/// answered in its own way; a request carrying both is the cookie's session.
pub async fn with_both_transports_each_client_is_answered_in_kind(target: Target) {
    let app = Fixture::with_flags(target, &["--transport", "both"]).await;
    let browser = app.client();
    let first = browser.get("/session_test").await;
    assert_eq!(counter(&first), 1);
    assert!(
        browser.session_pair(super::SID).is_some(),
        "a cookie for the browser"
    );
    assert_eq!(counter(&browser.get("/session_test").await), 2);
    let api = ApiClient {
        cookies_allowed: true,
        ..ApiClient::new(&app, "authorization")
    };
    api.get("/session_test").await;
    assert!(api.value().is_some(), "a header for the API client");
    let rotated = api.post("/login/ada").await;
    assert!(
        returned(&rotated, "authorization").is_some(),
        "{}",
        describe(&rotated)
    );
    let value = api.value().expect("a value");
    let both = browser
        .send(
            Method::GET,
            "/session_test",
            None,
            &[("authorization", value.as_bytes())],
        )
        .await;
    assert_eq!(counter(&both), 3, "the cookie's session");
}
