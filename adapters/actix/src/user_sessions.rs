//! The [`UserSessions`] extractor.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
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
/// use fastsession_actix::{SessionRejection, UserSessions};
///
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

impl FromRequest for UserSessions {
    type Error = SessionRejection;
    type Future = Pin<Box<dyn Future<Output = Result<Self, SessionRejection>>>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let sessions = sessions(request);
        Box::pin(async move { Ok(Self(sessions.user_sessions(DEFAULT_OBJECT).await?)) })
    }
}
