//! The [`UserSessions`] extractor.

use std::ops::Deref;

use fastsession_core::limits::DEFAULT_SESSION_OBJECT as DEFAULT_OBJECT;
use poem::{FromRequest, Request, RequestBody};

use crate::extract::{SessionRejection, sessions};

/// The sessions of the user this request's session belongs to
/// ([`set_user`](fastsession_core::Session::set_user)): list them, end one by its label, end
/// the others ("log out other devices"), end all ("log out everywhere"). Derefs to
/// [`fastsession_core::UserSessions`]; its errors convert into [`SessionRejection`] with `?`.
///
/// # Examples
///
/// ```
/// use poem::handler;
/// use fastsession_poem::{SessionRejection, UserSessions};
///
/// #[handler]
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

impl<'a> FromRequest<'a> for UserSessions {
    async fn from_request(request: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let devices = sessions(request)
            .user_sessions(DEFAULT_OBJECT)
            .await
            .map_err(SessionRejection::from)?;
        Ok(Self(devices))
    }
}
