//! How a handler's failed use of its session becomes a response: [`Rejection`] (status, generic
//! body, the error for the log), from an [`ExtractError`] or a [`SessionError`]. Pure: any
//! integration uses it, with or without the driver.

use std::fmt;

use crate::session::SessionError;
use crate::store::StoreError;

/// The body of every error response the session layer produces: generic on purpose.
pub const ERROR_BODY: &str = "The session service is unavailable. Please try again.";

/// A handler could not get its session.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// A skip rule exempted the request, so it has no session (answer 500).
    #[error("this request was skipped by a session skip rule and has no session")]
    Skipped,
    /// The store failed to load the session (answer 503).
    #[error("the session store is unavailable")]
    Unavailable(#[source] StoreError),
    /// No session middleware with this name runs for the request (answer 500).
    #[error("no session middleware named {0:?} is installed for this route")]
    NotInstalled(String),
    /// The request already finished.
    #[error("the request has finished")]
    Finished,
}

impl ExtractError {
    /// The status to answer: 503 when the store is unavailable, 500 otherwise.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unavailable(_) => 503,
            _ => 500,
        }
    }
}

/// A handler's failed use of its session, as the response it becomes: the status
/// ([`Rejection::status`]), a generic body ([`Rejection::body`]), and the error for the log.
///
/// Adapters wrap it in their framework's error type.
///
/// # Examples
///
/// ```
/// use fastsession_core::{adapter::ExtractError, adapter::Rejection};
///
/// let rejection = Rejection::from(ExtractError::Skipped);
/// assert_eq!(rejection.status(), 500);
/// assert_eq!(rejection.body(), fastsession_core::adapter::ERROR_BODY);
/// ```
#[derive(Debug)]
pub struct Rejection {
    status: u16,
    error: Box<dyn std::error::Error + Send + Sync>,
}

/// The body of a 413 answer to an insert past the payload cap.
pub const TOO_LARGE_BODY: &str = "The session is too large.";

impl Rejection {
    /// The status to answer: 503 (store unavailable), 413 (payload cap) or 500.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The body to answer: generic, never the error's details.
    pub fn body(&self) -> &'static str {
        if self.status == 413 {
            TOO_LARGE_BODY
        } else {
            ERROR_BODY
        }
    }

    /// What went wrong, for the log.
    pub fn error(&self) -> &(dyn std::error::Error + Send + Sync) {
        &*self.error
    }
}

impl From<ExtractError> for Rejection {
    fn from(error: ExtractError) -> Self {
        Self {
            status: error.status(),
            error: Box::new(error),
        }
    }
}

impl From<SessionError> for Rejection {
    fn from(error: SessionError) -> Self {
        let status = match error {
            SessionError::TooLarge { .. } => 413,
            _ => 500,
        };
        Self {
            status,
            error: Box::new(error),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for Rejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}
