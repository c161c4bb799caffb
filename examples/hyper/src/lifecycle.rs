//! One request's session, on fastsession-core's sans-IO API alone: what an adapter's driver
//! (`SessionManager`) does for it, written out.
//!
//! 1. `Sessions::begin` reads the cookie from the request headers (pure, no I/O);
//! 2. a route that uses the session loads it ([`LazySession::load`]); one that does not never
//!    touches the store;
//! 3. the route runs against the `Session`;
//! 4. `Sessions::finish` decides the writes from the response status, `Finish::commit` runs
//!    them, and `App::finish` applies the resulting headers to the response.
//!
//! [`App::handle`] takes every request through these steps, the app's and the tests' alike.

use std::time::SystemTime;

use example_support::ExampleStore;
use fastsession_core::adapter::end_user_sessions;
use fastsession_core::adapter::{ExtractError, Finished as _, SessionHandle, Sessions};
use fastsession_core::store::{SessionRef, SessionStore, TimeLimited};
use fastsession_core::{Session, SessionError};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};

use crate::response::{Body, plain};
use crate::routes;

/// The engine and the store, shared by every request. The example runs on the store
/// `FASTSESSION_STORE` names (in memory by default); the tests use a store that fails on demand.
#[derive(Debug)]
pub(crate) struct App<S = ExampleStore> {
    sessions: Sessions,
    store: TimeLimited<S>,
}

impl<S: SessionStore> App<S> {
    /// Pairs the engine with `store`, each store call bounded by the configured store timeout.
    pub(crate) fn new(sessions: Sessions, store: S) -> Self {
        let limit = sessions.config().store_timeout();
        Self {
            sessions,
            store: TimeLimited::new(store, limit),
        }
    }

    /// Answers one request with `route`: begins its session from the request's headers, runs
    /// the route with the session loaded lazily, then finishes and commits the session and puts
    /// its headers on the response.
    pub(crate) async fn handle<B>(
        &self,
        request: Request<B>,
        route: impl AsyncFnOnce(Request<B>, &LazySession<'_, S>) -> Response<Body>,
    ) -> Response<Body> {
        let now = self.sessions.now();
        let handle = self.sessions.begin(request.headers());
        let lazy = LazySession {
            app: self,
            handle: &handle,
            now,
        };
        let response = route(request, &lazy).await;
        self.finish(handle, response, now).await
    }

    /// Decides and runs the session's writes for `response`, and adds their headers to it; if a
    /// write that matters fails, answers a 500 instead, carrying only a logout's removal cookie.
    async fn finish(
        &self,
        handle: SessionHandle,
        mut response: Response<Body>,
        now: SystemTime,
    ) -> Response<Body> {
        let status = response.status().as_u16();
        let finished = self
            .sessions
            .finish(handle, status, now)
            .commit(&self.store, now)
            .await;
        if let Some((status, body)) = finished.replacement() {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            response = plain(status, body);
        }
        finished.append_to(response.headers_mut());
        response
    }
}

impl App {
    /// Answers one request with the app's routes ([`App::handle`]).
    pub(crate) async fn serve(&self, request: Request<Incoming>) -> Response<Body> {
        self.handle(request, routes::route).await
    }
}

/// The session of the request in flight, loaded only when a route asks for it.
#[derive(Debug)]
pub(crate) struct LazySession<'a, S = ExampleStore> {
    app: &'a App<S>,
    handle: &'a SessionHandle,
    now: SystemTime,
}

impl<S: SessionStore> LazySession<'_, S> {
    /// The session, loaded from the store on the first call.
    ///
    /// # Errors
    ///
    /// The response to answer instead: 503 when the store failed (the handle is then marked
    /// failed, so `finish` neither writes nor sends a cookie), 500 on a request a skip rule
    /// exempted (this example configures none).
    pub(crate) async fn load(&self) -> Result<Session, Rejection> {
        match self.handle.load(&self.app.store, self.now).await {
            Ok(Some(session)) => Ok(session),
            Ok(None) => Err(ExtractError::Skipped.into()),
            Err(error) => Err(ExtractError::Unavailable(error).into()),
        }
    }

    /// Ends every other session of the user `session` belongs to ("log out other devices"),
    /// with the core's sans-IO helper; returns how many it ended.
    ///
    /// # Errors
    ///
    /// The response to answer instead: 503 when the store failed.
    pub(crate) async fn end_other_sessions(&self, session: &Session) -> Result<usize, Rejection> {
        let Some(user) = session.user() else {
            return Ok(0);
        };
        let current = session.id().map(|id| SessionRef::of(&id));
        end_user_sessions(&self.app.store, &user, current, self.now)
            .await
            .map_err(|error| ExtractError::Unavailable(error).into())
    }
}

/// A route's failed use of its session, as the response it becomes (`?` converts a
/// [`SessionError`]): 413 past the payload cap, 500 otherwise, with a generic body.
#[derive(Debug)]
pub(crate) struct Rejection(pub(crate) Response<Body>);

/// The core's mapping: status and generic body of a [`fastsession_core::adapter::Rejection`].
fn rejected(rejection: fastsession_core::adapter::Rejection) -> Rejection {
    let status =
        StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    Rejection(plain(status, rejection.body()))
}

impl From<SessionError> for Rejection {
    fn from(error: SessionError) -> Self {
        rejected(error.into())
    }
}

impl From<ExtractError> for Rejection {
    fn from(error: ExtractError) -> Self {
        rejected(error.into())
    }
}

#[cfg(test)]
mod tests {
    use fastsession_core::adapter::ERROR_BODY;
    use fastsession_core::testing::{FaultyStore, Probe};
    use fastsession_core::{Config, Key, MemoryStore};
    use http_body_util::BodyExt;
    use hyper::header::{CACHE_CONTROL, COOKIE, HeaderValue, LOCATION, SET_COOKIE};
    use serde_json::json;

    use super::*;
    use crate::response::{json, redirect};

    type Faulty = FaultyStore<MemoryStore>;

    /// The app on a store that fails on demand, and a handle on that store's switches.
    fn app() -> (App<Faulty>, Faulty) {
        let key = Key::generate().unwrap();
        let sessions = Sessions::new(Config::new(key).with_secure(false)).unwrap();
        let store = FaultyStore::new(MemoryStore::new());
        (App::new(sessions, store.clone()), store)
    }

    /// One request carrying `cookie`, through [`App::handle`] as [`App::serve`] does, with
    /// `route` in place of the routes.
    async fn run<S: SessionStore>(
        app: &App<S>,
        cookie: Option<&str>,
        route: impl FnOnce(&Session) -> Result<Response<Body>, SessionError>,
    ) -> Response<Body> {
        let mut request = Request::new(());
        if let Some(cookie) = cookie {
            let cookie = HeaderValue::from_str(cookie).unwrap();
            request.headers_mut().insert(COOKIE, cookie);
        }
        app.handle(request, async |_, lazy| match lazy.load().await {
            Ok(session) => route(&session).unwrap_or_else(|error| Rejection::from(error).0),
            Err(Rejection(response)) => response,
        })
        .await
    }

    fn set_cookies(response: &Response<Body>) -> Vec<&str> {
        response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|value| value.to_str().unwrap())
            .collect()
    }

    /// The `name=value` to send back for the session cookie `response` set.
    fn cookie_of(response: &Response<Body>) -> String {
        let set_cookie = set_cookies(response)[0];
        set_cookie.split(';').next().unwrap().to_owned()
    }

    async fn body_of(response: Response<Body>) -> String {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    /// A session holding a user, and its cookie.
    async fn logged_in(app: &App<Faulty>) -> String {
        let response = run(app, None, |session| {
            session.insert("user", "ada")?;
            Ok(redirect("/"))
        })
        .await;
        cookie_of(&response)
    }

    #[tokio::test]
    async fn session_headers_replace_the_routes_cache_control() {
        let (app, _store) = app();
        let response = run(&app, None, |session| {
            session.insert("test_counter", &1)?;
            let mut response = json(&json!({ "test_counter": 1 }));
            let public = HeaderValue::from_static("public, max-age=3600");
            response.headers_mut().insert(CACHE_CONTROL, public);
            Ok(response)
        })
        .await;
        let headers = response.headers();
        let cache_control: Vec<_> = headers.get_all(CACHE_CONTROL).iter().collect();
        assert_eq!(cache_control, ["no-store"]);
        assert_eq!(
            headers.get_all("vary").iter().collect::<Vec<_>>(),
            ["Cookie"]
        );
        assert_eq!(set_cookies(&response).len(), 1);
    }

    #[tokio::test]
    async fn a_failed_load_answers_503_and_leaves_the_cookie_alone() {
        let (app, store) = app();
        let cookie = logged_in(&app).await;
        Probe::set(&store.probe().fail_load, true);
        let response = run(&app, Some(&cookie), |_| Ok(redirect("/"))).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(set_cookies(&response).is_empty());
        assert_eq!(body_of(response).await, ERROR_BODY);
    }

    #[tokio::test]
    async fn a_failed_write_answers_500_without_a_cookie() {
        let (app, store) = app();
        store.probe().fail_writes(true);
        let response = run(&app, None, |session| {
            session.insert("test_counter", &1)?;
            Ok(redirect("/"))
        })
        .await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(set_cookies(&response).is_empty());
        assert!(response.headers().get(LOCATION).is_none());
        assert_eq!(body_of(response).await, ERROR_BODY);
    }

    #[tokio::test]
    async fn a_failed_logout_answers_500_with_only_the_removal_cookie() {
        let (app, store) = app();
        let cookie = logged_in(&app).await;
        Probe::set(&store.probe().fail_delete, true);
        let response = run(&app, Some(&cookie), |session| {
            session.destroy()?;
            Ok(redirect("/"))
        })
        .await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(response.headers().get(LOCATION).is_none());
        let removal = set_cookies(&response);
        assert_eq!(removal.len(), 1);
        assert!(removal[0].starts_with("sid=;"), "{removal:?}");
        assert!(removal[0].contains("Max-Age=0"), "{removal:?}");
    }

    /// Time is paused: the store timeout passes as soon as nothing else can run.
    #[tokio::test(start_paused = true)]
    async fn a_stalled_store_is_given_up_after_the_store_timeout() {
        let (app, store) = app();
        let cookie = logged_in(&app).await;
        Probe::set(&store.probe().stall_load, true);
        let response = run(&app, Some(&cookie), |_| Ok(redirect("/"))).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);

        Probe::set(&store.probe().stall_load, false);
        Probe::set(&store.probe().stall_writes, true);
        let response = run(&app, Some(&cookie), |session| {
            session.insert("test_counter", &1)?;
            Ok(redirect("/"))
        })
        .await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
