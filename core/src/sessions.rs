//! [`Sessions`]: the two pure steps of every request, and [`RequestHeaders`], what `begin` reads.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use crate::config::{Config, ConfigError};
use crate::cookie::{Candidates, find_candidates};
use crate::engine::Engine;
use crate::finish::{Finish, plan_finish};
use crate::handle::SessionHandle;
use crate::state::State;
use crate::time::to_millis;
use crate::transport::{HeaderValues, Via};

/// A source of request headers, by lowercase name.
///
/// Implemented for `http::HeaderMap` (feature `http`) and for slices and arrays of
/// `(name, value)` pairs;
/// an adapter for a framework with its own header type implements it on a small wrapper.
///
/// # Examples
///
/// ```
/// use fastsession_core::adapter::RequestHeaders;
///
/// let headers: &[(&str, &[u8])] = &[("Cookie", b"a=1"), ("cookie", b"sid=x")];
/// assert_eq!(headers.values("cookie").count(), 2);
/// ```
pub trait RequestHeaders {
    /// Every value of the header `name` (given in lowercase), in order.
    fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a;
}

impl RequestHeaders for [(&str, &[u8])] {
    fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.iter()
            .filter(move |(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| *value)
    }
}

impl<const N: usize> RequestHeaders for [(&str, &[u8]); N] {
    fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.as_slice().values(name)
    }
}

#[cfg(feature = "http")]
impl RequestHeaders for http::HeaderMap {
    fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.get_all(name)
            .into_iter()
            .map(http::HeaderValue::as_bytes)
    }
}

/// The session engine: validated configuration, prepared keys, and the two pure steps of every
/// request, [`begin`](Sessions::begin) and [`finish`](Sessions::finish).
///
/// Cheap to clone (one reference count). See the [crate documentation](crate) for the lifecycle.
///
/// # Examples
///
/// ```
/// use fastsession_core::adapter::Sessions;
/// use fastsession_core::{Cause, Config, Key};
///
/// let sessions = Sessions::new(Config::new(Key::generate().unwrap())).unwrap();
/// let headers: &[(&str, &[u8])] = &[("cookie", b"sid=not-a-valid-cookie")];
/// let handle = sessions.begin(headers);
/// assert_eq!(handle.cause(), Cause::Malformed);
/// assert_eq!(handle.cause().as_str(), "renew after BadSignature");
/// ```
#[derive(Clone)]
pub struct Sessions {
    pub(crate) engine: Arc<Engine>,
}

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sessions")
            .field("config", &self.engine.config)
            .finish()
    }
}

impl Sessions {
    /// Validates `config` and prepares the keys.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] for any impossible or dangerous setting; the message names the value and
    /// says what is allowed.
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self {
            engine: Arc::new(Engine::new(config)),
        })
    }

    /// The validated configuration.
    pub fn config(&self) -> &Config {
        &self.engine.config
    }

    /// The current time from the configured [`Clock`](crate::time::Clock).
    pub fn now(&self) -> SystemTime {
        self.engine.config.clock.now()
    }

    /// Step 1: applies the skip rules, then finds our cookie among the values of every `Cookie`
    /// header, keeps at most [`MAX_CANDIDATES`](crate::limits::MAX_CANDIDATES) same-name
    /// candidates (verified in constant time when the handle is first asked for the session or
    /// its cause), and returns the request's [`SessionHandle`]. Pure: no clock, no store, no
    /// randomness; never fails and never panics, whatever the bytes.
    pub fn begin<H: RequestHeaders + ?Sized>(&self, headers: &H) -> SessionHandle {
        let engine = &self.engine;
        let skipped = engine
            .config
            .skip_rules
            .iter()
            .any(|rule| rule.matches(headers.values(rule.name())));
        if skipped {
            tracing::debug!(
                cookie = engine.cookies.name(),
                "request skipped by a skip rule: no session"
            );
            return SessionHandle::new(engine.clone(), State::skipped());
        }
        let transport = engine.config.transport;
        let candidates = if transport.reads_cookie() {
            find_candidates(headers.values("cookie"), engine.cookies.name().as_bytes())
        } else {
            Candidates::default()
        };
        let header = if transport.reads_header() {
            let fields = headers.values(engine.header.name());
            engine.header.values(fields, crate::cookie::MAX_CANDIDATES)
        } else {
            HeaderValues::default()
        };
        let via = Via {
            cookie: candidates.seen > 0,
            header: header.seen > 0,
        };
        let mut state = State::pending(via);
        // Verification waits until the session is needed (see `State::verify`). The cookie's
        // candidates come first.
        for value in candidates.iter().chain(header.values.iter().copied()) {
            state.add_candidate(value);
        }
        if candidates.seen > crate::cookie::MAX_CANDIDATES {
            tracing::info!(
                cookie = engine.cookies.name(),
                seen = candidates.seen,
                "too many same-name cookies; only the first ones were checked"
            );
        }
        SessionHandle::new(engine.clone(), state)
    }

    /// Step 4: decides what to store and which cookie to send, given the response status. Pure:
    /// run the result with [`Finish::commit`]. Nothing is written for a 5xx response.
    pub fn finish(&self, handle: SessionHandle, status: u16, now: SystemTime) -> Finish {
        plan_finish(&self.engine, &handle, status, to_millis(now))
    }
}
