//! For adapter authors, and for integrations that drive the sans-IO core themselves.
//!
//! - The sans-IO lifecycle: [`Sessions::begin`] reads a request's headers into a
//!   [`SessionHandle`]; [`SessionHandle::load`] (or [`SessionHandle::next_load`] and
//!   [`SessionHandle::complete_load`]) loads it; [`Sessions::finish`] decides the writes
//!   ([`Finish`]) and [`Finish::commit`] runs them, giving a [`Committed`] (the headers to add) or
//!   a [`SaveError`] (answer a 500 and its headers).
//! - The async driver (feature `driver`) that runs the same lifecycle for the four adapters:
//!   [`SessionManager`], one [`RequestSession`] per request, and the [`SessionRegistry`] of a
//!   request's session objects.
//! - A user's sessions without the driver: [`list_user_sessions`], [`end_user_session`],
//!   [`end_user_sessions`] (the driver's [`UserSessions`](crate::UserSessions) calls them).
//! - How a failed use of the session becomes a response: [`Rejection`], [`ExtractError`],
//!   [`ERROR_BODY`].
//! - The header traits a framework implements on its own types: [`RequestHeaders`],
//!   [`ResponseHeaders`].

pub use crate::commit::{Committed, Finished, SaveError, SaveFailure};
pub use crate::cookie::SetCookie;
#[cfg(feature = "driver")]
pub use crate::driver::{RequestSession, SessionManager};
pub use crate::finish::Finish;
pub use crate::handle::SessionHandle;
pub use crate::headers::ResponseHeaders;
#[cfg(feature = "driver")]
pub use crate::registry::SessionRegistry;
pub use crate::rejection::{ERROR_BODY, ExtractError, Rejection, TOO_LARGE_BODY};
pub use crate::sessions::{RequestHeaders, Sessions};
pub use crate::users::{end_user_session, end_user_sessions, list_user_sessions};
