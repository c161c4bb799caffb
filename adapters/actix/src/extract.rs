//! The extractors.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use fastsession_core::{
    adapter::Rejection, adapter::SessionRegistry, limits::DEFAULT_SESSION_OBJECT as DEFAULT_OBJECT,
};

type LocalFuture<T> = Pin<Box<dyn Future<Output = Result<T, SessionRejection>>>>;

/// This request's session (the one with the default session object name, `session`).
///
/// Derefs to [`fastsession_core::Session`]. `Send + Sync`.
///
/// # Examples
///
/// ```
/// use fastsession_actix::{Session, SessionRejection};
///
/// async fn logout(session: Session) -> Result<&'static str, SessionRejection> {
///     session.destroy()?;
///     Ok("bye")
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Session(fastsession_core::Session);

impl Session {
    /// The core session.
    pub fn into_inner(self) -> fastsession_core::Session {
        self.0
    }
}

impl Deref for Session {
    type Target = fastsession_core::Session;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

pub(crate) fn sessions(request: &HttpRequest) -> SessionRegistry {
    request
        .extensions()
        .get::<SessionRegistry>()
        .cloned()
        .unwrap_or_default()
}

impl FromRequest for Session {
    type Error = SessionRejection;
    type Future = LocalFuture<Self>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let sessions = sessions(request);
        Box::pin(async move { Ok(Self(sessions.session(DEFAULT_OBJECT).await?)) })
    }
}

/// The session, or `None` on a request exempted by a skip rule. A store failure is still an
/// error (503).
#[derive(Clone, Debug)]
pub struct OptionalSession(pub Option<Session>);

impl FromRequest for OptionalSession {
    type Error = SessionRejection;
    type Future = LocalFuture<Self>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let sessions = sessions(request);
        Box::pin(async move { Ok(Self(sessions.optional(DEFAULT_OBJECT).await?.map(Session))) })
    }
}

/// Every session of the request, by session object name, for stacked middlewares.
#[derive(Clone, Debug)]
pub struct SessionObjects(SessionRegistry);

impl SessionObjects {
    /// The session named `name`, loaded.
    ///
    /// # Errors
    ///
    /// A [`SessionRejection`] when no middleware provides that name, the request was skipped,
    /// or the store is unavailable.
    pub async fn get(&self, name: &str) -> Result<Session, SessionRejection> {
        Ok(Session(self.0.session(name).await?))
    }
}

impl FromRequest for SessionObjects {
    type Error = SessionRejection;
    type Future = std::future::Ready<Result<Self, SessionRejection>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        std::future::ready(Ok(Self(sessions(request))))
    }
}

/// Why a handler could not use its session: the response is a 503 (store unavailable), 413
/// (payload cap) or 500, with a generic body; the details go to the log, never to the client.
///
/// Handlers can return it: `?` converts session errors into it.
#[derive(Debug)]
pub struct SessionRejection(Rejection);

impl SessionRejection {
    /// The core rejection: status, body, and the error for the log.
    pub fn rejection(&self) -> &Rejection {
        &self.0
    }
}

impl<E> From<E> for SessionRejection
where
    Rejection: From<E>,
{
    fn from(error: E) -> Self {
        Self(Rejection::from(error))
    }
}

impl std::fmt::Display for SessionRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

/// Its source is the core [`Rejection`], whose own source is the error for the log.
impl std::error::Error for SessionRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl ResponseError for SessionRejection {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code())
            .content_type("text/plain")
            .body(self.0.body())
    }
}
