//! The [`UserSessions`] request guard.

use std::ops::Deref;

use fastsession_core::limits::DEFAULT_SESSION_OBJECT as DEFAULT_OBJECT;
use rocket::request::{FromRequest, Outcome, Request};

use crate::guard::{SessionRejection, reject, sessions};

/// The sessions of the user this request's session belongs to
/// ([`set_user`](fastsession_core::Session::set_user)): list them, end one by its label, end
/// the others ("log out other devices"), end all ("log out everywhere"). Derefs to
/// [`fastsession_core::UserSessions`]; its errors convert into [`SessionRejection`] with `?`.
///
/// # Examples
///
/// ```
/// use fastsession_rocket::{SessionRejection, UserSessions};
///
/// #[rocket::post("/logout-others")]
/// async fn log_out_other_devices(devices: UserSessions) -> Result<String, SessionRejection> {
///     let ended = devices.end_others().await?;
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

#[rocket::async_trait]
impl<'r> FromRequest<'r> for UserSessions {
    type Error = SessionRejection;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match sessions(request).user_sessions(DEFAULT_OBJECT).await {
            Ok(devices) => Outcome::Success(Self(devices)),
            Err(error) => reject(request, error),
        }
    }
}
