//! The middleware and the endpoint it wraps.

use std::fmt;

use fastsession_core::adapter::{Finished as _, SessionManager, SessionRegistry, Sessions};
use fastsession_core::store::SessionStore;
use fastsession_core::{Config, ConfigError};
use poem::http::StatusCode;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

/// The session middleware: `route.with(SessionMiddleware::new(config, store)?)`.
///
/// # Examples
///
/// ```
/// use poem::{EndpointExt, Route, get, handler};
/// use fastsession_poem::{Config, Key, MemoryStore, SessionMiddleware};
///
/// #[handler]
/// fn index() -> &'static str { "hello" }
///
/// let config = Config::new(Key::generate().unwrap());
/// let middleware = SessionMiddleware::new(config, MemoryStore::new()).unwrap();
/// let app = Route::new().at("/", get(index)).with(middleware);
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
    /// The middleware with this configuration over `store`.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] for an impossible or dangerous setting: the message names the value
    /// and says what is allowed.
    pub fn new(config: Config, store: S) -> Result<Self, ConfigError> {
        Ok(Self {
            manager: SessionManager::new(Sessions::new(config)?, store),
        })
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
            .get_or_insert_default::<SessionRegistry>()
            .insert(session.clone());
        // Errors become responses here, so that a 404 or a handler error still gets the
        // session's headers and the right save decision.
        let mut response = match self.inner.call(request).await {
            Ok(output) => output.into_response(),
            Err(error) => error.into_response(),
        };
        let finished = session.finish(response.status().as_u16()).await;
        if let Some((status, body)) = finished.replacement() {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            response = body.with_status(status).into_response();
        }
        finished.append_to(response.headers_mut());
        Ok(response)
    }
}
