//! The library's defaults and hard limits, in one place.
//!
//! Each is documented where it applies (for example [`Config::with_idle_timeout`] for
//! [`DEFAULT_IDLE_TIMEOUT`] and [`MAX_TIMEOUT`]); this module only gathers them.
//!
//! [`Config::with_idle_timeout`]: crate::Config::with_idle_timeout

pub use crate::commit::CREATE_ATTEMPTS;
pub use crate::config::{
    DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_SESSION_OBJECT, DEFAULT_STORE_TIMEOUT,
    MAX_ATTRIBUTE_LEN, MAX_COOKIE_AGE, MAX_TIMEOUT,
};
pub use crate::cookie::MAX_CANDIDATES;
pub use crate::key::{MAX_KEYS, MIN_KEY_LEN};
#[cfg(feature = "memory-store")]
pub use crate::store::memory::{DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, DEFAULT_SWEEP_INTERVAL};
pub use crate::transport::{DEFAULT_SESSION_HEADER, MAX_HEADER_NAME_LEN, SESSION_SCHEME};
pub use crate::users::{DEFAULT_MAX_SESSIONS_PER_USER, MAX_SESSIONS_PER_USER, MAX_USER_BYTES};
