//! [`InnerError`]: an error from inside the middleware, answered with the session's headers.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{Error, HttpResponse, ResponseError};
use fastsession_core::adapter::{Committed, Finished as _, SaveError};

use crate::middleware::finished;

/// An error that reached [`SessionMiddleware`](crate::SessionMiddleware) from the service it
/// wraps (an inner middleware's, say), after the session was finished by the error's status.
///
/// The middleware passes such an error on as this type, whose response is the original
/// error's with the session's headers (a 4xx keeps what the handler saved and gets its
/// `Set-Cookie`), or the generic 500 when saving failed. Its status, `Display` and `Debug` are the
/// original error's; reach the original itself with [`InnerError::error`].
///
/// A handler's own `Err` never becomes one: actix-web turns it into a response before the
/// middleware sees it.
///
/// # Examples
///
/// ```
/// use actix_web::Error;
/// use fastsession_actix::InnerError;
///
/// /// The error as it was raised inside the session middleware.
/// fn original(error: &Error) -> &Error {
///     error.as_error::<InnerError>().map_or(error, InnerError::error)
/// }
/// ```
pub struct InnerError {
    error: Error,
    /// How finishing the session went.
    finish: Result<Committed, SaveError>,
}

impl InnerError {
    pub(crate) fn new(error: Error, finish: Result<Committed, SaveError>) -> Self {
        Self { error, finish }
    }

    /// The error as the wrapped service returned it.
    pub fn error(&self) -> &Error {
        &self.error
    }
}

impl fmt::Debug for InnerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.error, f)
    }
}

impl fmt::Display for InnerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

/// Its source is the wrapped service's error.
impl std::error::Error for InnerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl ResponseError for InnerError {
    fn status_code(&self) -> StatusCode {
        match self.finish.replacement() {
            Some((status, _)) => {
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
            None => self.error.error_response().status(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        finished(&self.finish, self.error.error_response()).map_into_boxed_body()
    }
}
