//! The [`UserSessions`] extractor.

use std::ops::Deref;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use fastsession_core::limits::DEFAULT_SESSION_OBJECT as DEFAULT_OBJECT;

use crate::extract::{SessionRejection, sessions};

/// The sessions of the user this request's session belongs to
/// ([`set_user`](fastsession_core::Session::set_user)): list them, end one by its label, end
/// the others ("log out other devices"), end all ("log out everywhere"). Derefs to
/// [`fastsession_core::UserSessions`]; its errors convert into [`SessionRejection`] with `?`.
///
/// # Examples
///
/// ```
/// use fastsession_axum::{Session, SessionRejection, UserSessions};
///
/// async fn login(session: Session) -> Result<&'static str, SessionRejection> {
///     session.cycle_id()?;      // a new ID on every privilege change
///     session.set_user("ada")?; // kept through rotations; destroy() removes it
///     Ok("welcome")
/// }
///
/// async fn log_out_other_devices(devices: UserSessions) -> Result<String, SessionRejection> {
///     let ended = devices.end_others().await?; // end_all() includes this one
///     Ok(format!("{ended} other sessions ended"))
/// }
/// ```
#[derive(Clone, Debug)]
pub struct UserSessions(fastsession_core::UserSessions);

impl Deref for UserSessions {
    type Target = fastsession_core::UserSessions;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<St: Send + Sync> FromRequestParts<St> for UserSessions {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &St) -> Result<Self, Self::Rejection> {
        Ok(Self(sessions(parts).user_sessions(DEFAULT_OBJECT).await?))
    }
}
