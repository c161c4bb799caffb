//! The extractors.

use std::ops::Deref;

use fastsession_core::{
    adapter::Rejection, adapter::SessionRegistry, limits::DEFAULT_SESSION_OBJECT as DEFAULT_OBJECT,
};
use poem::error::ResponseError;
use poem::http::StatusCode;
use poem::{FromRequest, IntoResponse, Request, RequestBody, Response};

/// This request's session (the one with the default session object name, `session`).
///
/// Derefs to [`fastsession_core::Session`].
///
/// # Examples
///
/// ```
/// use poem::handler;
/// use fastsession_poem::{Session, SessionRejection};
///
/// #[handler]
/// fn login(session: Session) -> Result<&'static str, SessionRejection> {
///     session.cycle_id()?;
///     session.insert("user", "ada")?;
///     Ok("welcome")
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

pub(crate) fn sessions(request: &Request) -> SessionRegistry {
    request
        .extensions()
        .get::<SessionRegistry>()
        .cloned()
        .unwrap_or_default()
}

impl<'a> FromRequest<'a> for Session {
    async fn from_request(request: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let session = sessions(request)
            .session(DEFAULT_OBJECT)
            .await
            .map_err(SessionRejection::from)?;
        Ok(Self(session))
    }
}

/// The session, or `None` on a request exempted by a skip rule. A store failure is still an
/// error (503).
#[derive(Clone, Debug)]
pub struct OptionalSession(pub Option<Session>);

impl<'a> FromRequest<'a> for OptionalSession {
    async fn from_request(request: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let session = sessions(request)
            .optional(DEFAULT_OBJECT)
            .await
            .map_err(SessionRejection::from)?;
        Ok(Self(session.map(Session)))
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

impl<'a> FromRequest<'a> for SessionObjects {
    async fn from_request(request: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Self(sessions(request)))
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
    fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn as_response(&self) -> Response {
        self.0
            .body()
            .with_status(ResponseError::status(self))
            .into_response()
    }
}
