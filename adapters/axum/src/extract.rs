//! The extractors.

use std::ops::Deref;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use fastsession_core::{
    adapter::Rejection, adapter::SessionRegistry, limits::DEFAULT_SESSION_OBJECT as DEFAULT_OBJECT,
};

/// This request's session (the one with the default session object name, `session`).
///
/// Derefs to [`fastsession_core::Session`]: `get`, `insert`, `remove`, `clear`, `cycle_id`,
/// `destroy`, `id`, `cause`.
///
/// # Examples
///
/// ```
/// use fastsession_axum::{Session, SessionRejection};
///
/// async fn login(session: Session) -> Result<&'static str, SessionRejection> {
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

/// The request's sessions; none when no layer is installed, which core reports as
/// `NotInstalled` (and logs).
pub(crate) fn sessions(parts: &Parts) -> SessionRegistry {
    parts
        .extensions
        .get::<SessionRegistry>()
        .cloned()
        .unwrap_or_default()
}

impl<St: Send + Sync> FromRequestParts<St> for Session {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &St) -> Result<Self, Self::Rejection> {
        Ok(Self(sessions(parts).session(DEFAULT_OBJECT).await?))
    }
}

impl<St: Send + Sync> OptionalFromRequestParts<St> for Session {
    type Rejection = SessionRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &St,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(sessions(parts).optional(DEFAULT_OBJECT).await?.map(Self))
    }
}

/// Every session of the request, by session object name, for apps that stack several
/// [`SessionLayer`](crate::SessionLayer)s with different cookies.
///
/// # Examples
///
/// ```
/// use fastsession_axum::{SessionObjects, SessionRejection};
///
/// async fn admin_page(sessions: SessionObjects) -> Result<String, SessionRejection> {
///     let admin = sessions.get("admin").await?;
///     Ok(admin.get::<String>("user")?.unwrap_or_default())
/// }
/// ```
#[derive(Clone, Debug)]
pub struct SessionObjects(SessionRegistry);

impl SessionObjects {
    /// The session named `name`, loaded.
    ///
    /// # Errors
    ///
    /// A [`SessionRejection`] when no layer provides that name, the request was skipped, or the
    /// store is unavailable.
    pub async fn get(&self, name: &str) -> Result<Session, SessionRejection> {
        Ok(Session(self.0.session(name).await?))
    }
}

impl<St: Send + Sync> FromRequestParts<St> for SessionObjects {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &St) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<SessionRegistry>()
                .cloned()
                .unwrap_or_default(),
        ))
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

impl IntoResponse for SessionRejection {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, self.0.body()).into_response()
    }
}
