//! The request guards.

use std::io::Cursor;
use std::ops::Deref;
use std::sync::PoisonError;

use fastsession_core::{
    adapter::ExtractError, adapter::Rejection, adapter::SessionRegistry,
    limits::DEFAULT_SESSION_OBJECT as DEFAULT_OBJECT,
};
use rocket::http::{ContentType, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Responder, Response};

use crate::fairing::local;

/// This request's session (the one with the default session object name, `session`).
///
/// Derefs to [`fastsession_core::Session`].
///
/// # Examples
///
/// ```
/// use fastsession_rocket::{Session, SessionRejection};
///
/// #[rocket::post("/logout")]
/// fn logout(session: Session) -> Result<&'static str, SessionRejection> {
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

pub(crate) fn sessions(request: &Request<'_>) -> SessionRegistry {
    local(request)
        .sessions
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

pub(crate) fn reject<T>(
    request: &Request<'_>,
    error: ExtractError,
) -> Outcome<T, SessionRejection> {
    let rejection = SessionRejection::from(error);
    let status = rejection.0.status();
    *local(request)
        .rejected
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = Some((status, rejection.0.body()));
    Outcome::Error((Status::new(status), rejection))
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Session {
    type Error = SessionRejection;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match sessions(request).session(DEFAULT_OBJECT).await {
            Ok(session) => Outcome::Success(Self(session)),
            Err(error) => reject(request, error),
        }
    }
}

/// The session, or `None` on a request exempted by a skip rule. A store failure is still an
/// error (503).
#[derive(Clone, Debug)]
pub struct OptionalSession(pub Option<Session>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for OptionalSession {
    type Error = SessionRejection;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match sessions(request).optional(DEFAULT_OBJECT).await {
            Ok(session) => Outcome::Success(Self(session.map(Session))),
            Err(error) => reject(request, error),
        }
    }
}

/// Every session of the request, by session object name, for stacked fairings.
#[derive(Clone, Debug)]
pub struct SessionObjects(SessionRegistry);

impl SessionObjects {
    /// The session named `name`, loaded.
    ///
    /// # Errors
    ///
    /// A [`SessionRejection`] when no fairing provides that name, the request was skipped, or
    /// the store is unavailable.
    pub async fn get(&self, name: &str) -> Result<Session, SessionRejection> {
        Ok(Session(self.0.session(name).await?))
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SessionObjects {
    type Error = SessionRejection;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(Self(sessions(request)))
    }
}

/// Why a handler could not use its session: a 503 (store unavailable), 413 (payload cap) or
/// 500 with a generic body; the details go to the log, never to the client.
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

impl<'r> Responder<'r, 'static> for SessionRejection {
    fn respond_to(self, _request: &'r Request<'_>) -> response::Result<'static> {
        let body = self.0.body();
        Response::build()
            .status(Status::new(self.0.status()))
            .header(ContentType::Plain)
            .sized_body(body.len(), Cursor::new(body))
            .ok()
    }
}
