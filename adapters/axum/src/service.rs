//! The tower layer and service.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fastsession_core::adapter::{Finished as _, SessionManager, SessionRegistry, Sessions};
use fastsession_core::store::SessionStore;
use fastsession_core::{Config, ConfigError};
use tower_layer::Layer;
use tower_service::Service;

/// A [`SessionLayer`] with this configuration over `store`.
///
/// # Errors
///
/// A [`ConfigError`] for an impossible or dangerous setting: the message names the value and
/// says what is allowed.
///
/// # Examples
///
/// ```
/// use axum::{Router, routing::get};
/// use fastsession_axum::{Config, Key, MemoryStore};
///
/// let config = Config::new(Key::generate().unwrap());
/// let app: Router = Router::new()
///     .route("/", get(|| async { "hello" }))
///     .layer(fastsession_axum::layer(config, MemoryStore::new()).unwrap());
/// ```
pub fn layer<S: SessionStore>(config: Config, store: S) -> Result<SessionLayer<S>, ConfigError> {
    Ok(SessionLayer {
        manager: SessionManager::new(Sessions::new(config)?, store),
    })
}

/// The session middleware as a tower [`Layer`]; build it with [`layer`].
#[must_use]
pub struct SessionLayer<S> {
    manager: SessionManager<S>,
}

impl<S> Clone for SessionLayer<S> {
    fn clone(&self) -> Self {
        Self {
            manager: self.manager.clone(),
        }
    }
}

impl<S: fmt::Debug> fmt::Debug for SessionLayer<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionLayer")
            .field("manager", &self.manager)
            .finish()
    }
}

impl<S> SessionLayer<S> {
    /// A layer over an existing manager (for example one shared with another part of the app).
    pub fn from_manager(manager: SessionManager<S>) -> Self {
        Self { manager }
    }
}

impl<Inner, S> Layer<Inner> for SessionLayer<S> {
    type Service = SessionService<Inner, S>;

    fn layer(&self, inner: Inner) -> Self::Service {
        SessionService {
            inner,
            manager: self.manager.clone(),
        }
    }
}

/// The service [`SessionLayer`] produces.
pub struct SessionService<Inner, S> {
    inner: Inner,
    manager: SessionManager<S>,
}

impl<Inner: Clone, S> Clone for SessionService<Inner, S> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            manager: self.manager.clone(),
        }
    }
}

impl<Inner: fmt::Debug, S: fmt::Debug> fmt::Debug for SessionService<Inner, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionService")
            .field("inner", &self.inner)
            .field("manager", &self.manager)
            .finish()
    }
}

impl<Inner, S> Service<Request> for SessionService<Inner, S>
where
    Inner: Service<Request, Response = Response> + Clone + Send + 'static,
    Inner::Future: Send + 'static,
    S: SessionStore,
{
    type Response = Response;
    type Error = Inner::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Inner::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let session = self.manager.start(request.headers());
        request
            .extensions_mut()
            .get_or_insert_default::<SessionRegistry>()
            .insert(session.clone());
        // The clone is the one that was polled ready; keep a fresh clone for next time.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let mut response = inner.call(request).await?;
            let finished = session.finish(response.status().as_u16()).await;
            if let Some((status, body)) = finished.replacement() {
                let status =
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                response = (status, body).into_response();
            }
            finished.append_to(response.headers_mut());
            Ok(response)
        })
    }
}
