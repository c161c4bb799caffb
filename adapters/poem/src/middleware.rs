//! The middleware and the endpoint it wraps.

use std::fmt;

use fastsession_core::{RequestSessions, SessionManager, SessionStore, Sessions};
use poem::http::StatusCode;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

/// The session middleware: `route.with(SessionMiddleware::new(sessions, store))`.
///
/// # Examples
///
/// ```
/// use poem::{EndpointExt, Route, get, handler};
/// use fastsession_poem::{Config, Key, MemoryStore, SessionMiddleware, Sessions};
///
/// #[handler]
/// fn index() -> &'static str { "hello" }
///
/// let sessions = Sessions::new(Config::new(Key::generate().unwrap().into())).unwrap();
/// let app = Route::new().at("/", get(index)).with(SessionMiddleware::new(sessions, MemoryStore::new()));
/// ```
pub struct SessionMiddleware<S> {
    manager: SessionManager<S>,
}

impl<S> Clone for SessionMiddleware<S> {
    fn clone(&self) -> Self {
        Self {
            manager: self.manager.clone(),
        }
    }
}

impl<S: fmt::Debug> fmt::Debug for SessionMiddleware<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionMiddleware")
            .field("manager", &self.manager)
            .finish()
    }
}

impl<S: SessionStore> SessionMiddleware<S> {
    /// The middleware over `sessions` and `store`.
    pub fn new(sessions: Sessions, store: S) -> Self {
        Self {
            manager: SessionManager::new(sessions, store),
        }
    }

    /// The middleware over an existing manager.
    pub fn from_manager(manager: SessionManager<S>) -> Self {
        Self { manager }
    }
}

impl<E: Endpoint, S: SessionStore> Middleware<E> for SessionMiddleware<S> {
    type Output = SessionEndpoint<E, S>;

    fn transform(&self, inner: E) -> Self::Output {
        SessionEndpoint {
            inner,
            manager: self.manager.clone(),
        }
    }
}

/// The endpoint [`SessionMiddleware`] wraps around the app.
pub struct SessionEndpoint<E, S> {
    inner: E,
    manager: SessionManager<S>,
}

impl<E: fmt::Debug, S: fmt::Debug> fmt::Debug for SessionEndpoint<E, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionEndpoint")
            .field("inner", &self.inner)
            .field("manager", &self.manager)
            .finish()
    }
}

impl<E: Endpoint, S: SessionStore> Endpoint for SessionEndpoint<E, S> {
    type Output = Response;

    async fn call(&self, mut request: Request) -> poem::Result<Response> {
        let session = self.manager.start(request.headers());
        request
            .extensions_mut()
            .get_or_insert_default::<RequestSessions>()
            .insert(session.clone());
        // Errors become responses here, so that a 404 or a handler error still gets the
        // session's headers and the right save decision.
        let mut response = match self.inner.call(request).await {
            Ok(output) => output.into_response(),
            Err(error) => error.into_response(),
        };
        let outcome = session.finish(response.status().as_u16()).await;
        if let Some((status, body)) = outcome.replacement() {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            response = body.with_status(status).into_response();
        }
        outcome.append_to(response.headers_mut());
        Ok(response)
    }
}
