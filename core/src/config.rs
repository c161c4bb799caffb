//! Configuration: every option, its default, and the validation that runs once at construction.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::id::{IdGenerator, OsRandom};
use crate::key::KeyRing;
use crate::time::{Clock, SystemClock};
use crate::transport::{DEFAULT_SESSION_HEADER, Transport};
use crate::users::DEFAULT_MAX_SESSIONS_PER_USER;

mod skip_rule;
mod validate;

pub use self::skip_rule::SkipRule;
pub use self::validate::ConfigError;

/// The default session object name, under which the adapters' `Session` extractors look.
pub const DEFAULT_SESSION_OBJECT: &str = "session";

/// The longest `max_age` a browser honours: 400 days (RFC 6265bis section 5.5).
pub const MAX_COOKIE_AGE: Duration = Duration::from_secs(400 * 24 * 60 * 60);

/// The longest idle or absolute timeout: 400 days, the cap RFC 6265bis puts on cookie
/// lifetimes. A session that should outlive it cannot keep its cookie anyway.
pub const MAX_TIMEOUT: Duration = MAX_COOKIE_AGE;

/// The default idle timeout: 12 hours since the last activity.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(12 * 60 * 60);

/// The default limit on one store call: 2 seconds (see [`Config::with_store_timeout`]).
pub const DEFAULT_STORE_TIMEOUT: Duration = Duration::from_secs(2);

/// The default cap on one session's serialized data: 64 KiB.
pub const DEFAULT_MAX_PAYLOAD_BYTES: usize = 64 * 1024;

/// The longest `Path` or `Domain` value a browser keeps (RFC 6265bis section 5.6).
pub const MAX_ATTRIBUTE_LEN: usize = 1024;

/// The `SameSite` cookie attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SameSite {
    /// Sent only with same-site requests.
    Strict,
    /// Sent with same-site requests and top-level cross-site navigations (the default).
    Lax,
    /// Sent with every request; browsers require `Secure` with it.
    None,
}

impl SameSite {
    /// The attribute value as it appears in `Set-Cookie`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Strict => "Strict",
            Self::Lax => "Lax",
            Self::None => "None",
        }
    }
}

impl fmt::Display for SameSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that shapes a session: keys, the cookie, lifetimes and policies.
///
/// Build one with [`Config::new`], adjust it with the `with_*` methods, then hand it to
/// [`Sessions::new`](crate::adapter::Sessions::new), which validates it once and fails with a
/// [`ConfigError`] naming the offending value. The defaults are the safe ones:
///
/// | option | default | guards against |
/// | --- | --- | --- |
/// | cookie name | `sid` | |
/// | `HttpOnly` | on | scripts reading the cookie (XSS) |
/// | `Secure` | on | the cookie travelling over plain HTTP |
/// | `SameSite` | `Lax` | cross-site request forgery |
/// | `Path` | `/` | sessions split per directory (a bug of Python FastSession) |
/// | `Domain` | none (host-only) | sibling subdomains reading the cookie |
/// | `Partitioned` | off | |
/// | max age | 0: a browser-session cookie | |
/// | idle timeout | 12 h since the last activity | stolen cookies living forever |
/// | absolute timeout | none | |
/// | rolling expiry | off | |
/// | creation | lazy: nothing until the session holds data | store flooding by cookieless traffic |
/// | payload cap | 64 KiB | oversized sessions |
/// | per-session request serialization (session locking) | off: no request waits for another | handlers awaiting each other; use `Session::increment` for counters |
/// | store timeout | 2 s per store call | a stalled store hanging every request |
/// | sessions per user | 100, then the least recently active end | a user's index growing without bound |
/// | transport | the cookie; `Authorization: Session <value>` when a header is chosen | |
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fastsession_core::{Config, Key, SameSite, adapter::Sessions};
///
/// let key = Key::try_from(&[7u8; 32][..]).unwrap();
/// let config = Config::new(key)
///     .with_cookie_name("__Host-sid")
///     .with_same_site(SameSite::Strict)
///     .with_idle_timeout(Duration::from_secs(30 * 60));
/// let sessions = Sessions::new(config).unwrap();
/// assert_eq!(sessions.config().cookie_name(), "__Host-sid");
///
/// let bad = Config::new(Key::try_from(&[7u8; 32][..]).unwrap())
///     .with_same_site(SameSite::None)
///     .with_secure(false);
/// let err = Sessions::new(bad).unwrap_err();
/// assert!(err.to_string().contains("SameSite=None"));
/// ```
#[derive(Clone)]
pub struct Config {
    pub(crate) keys: KeyRing,
    pub(crate) cookie_name: String,
    pub(crate) session_object: String,
    pub(crate) http_only: bool,
    pub(crate) secure: bool,
    pub(crate) same_site: SameSite,
    pub(crate) path: String,
    pub(crate) domain: Option<String>,
    pub(crate) partitioned: bool,
    pub(crate) max_age_secs: i64,
    pub(crate) idle_timeout: Duration,
    pub(crate) absolute_timeout: Option<Duration>,
    pub(crate) rolling: bool,
    pub(crate) eager: bool,
    pub(crate) serialize_requests: bool,
    pub(crate) store_timeout: Duration,
    pub(crate) skip_rules: Vec<SkipRule>,
    pub(crate) max_payload_bytes: usize,
    pub(crate) max_sessions_per_user: usize,
    pub(crate) transport: Transport,
    pub(crate) session_header: String,
    pub(crate) id_generator: Arc<dyn IdGenerator>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("keys", &format_args!("{} key(s)", self.keys.len()))
            .field("cookie_name", &self.cookie_name)
            .field("session_object", &self.session_object)
            .field("http_only", &self.http_only)
            .field("secure", &self.secure)
            .field("same_site", &self.same_site)
            .field("path", &self.path)
            .field("domain", &self.domain)
            .field("partitioned", &self.partitioned)
            .field("max_age_secs", &self.max_age_secs)
            .field("idle_timeout", &self.idle_timeout)
            .field("absolute_timeout", &self.absolute_timeout)
            .field("rolling", &self.rolling)
            .field("eager", &self.eager)
            .field("serialize_requests", &self.serialize_requests)
            .field("store_timeout", &self.store_timeout)
            .field("skip_rules", &self.skip_rules)
            .field("max_payload_bytes", &self.max_payload_bytes)
            .field("max_sessions_per_user", &self.max_sessions_per_user)
            .field("transport", &self.transport)
            .field("session_header", &self.session_header)
            .field("id_generator", &self.id_generator)
            .field("clock", &self.clock)
            .finish()
    }
}

impl Config {
    /// The defaults (see the table above) with these keys: one [`Key`](crate::Key), or a
    /// [`KeyRing`] to rotate keys.
    pub fn new(keys: impl Into<KeyRing>) -> Self {
        Self {
            keys: keys.into(),
            cookie_name: "sid".to_owned(),
            session_object: DEFAULT_SESSION_OBJECT.to_owned(),
            http_only: true,
            secure: true,
            same_site: SameSite::Lax,
            path: "/".to_owned(),
            domain: None,
            partitioned: false,
            max_age_secs: 0,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            absolute_timeout: None,
            rolling: false,
            eager: false,
            serialize_requests: false,
            store_timeout: DEFAULT_STORE_TIMEOUT,
            skip_rules: Vec::new(),
            max_payload_bytes: DEFAULT_MAX_PAYLOAD_BYTES,
            max_sessions_per_user: DEFAULT_MAX_SESSIONS_PER_USER,
            transport: Transport::Cookie,
            session_header: DEFAULT_SESSION_HEADER.to_owned(),
            id_generator: Arc::new(OsRandom),
            clock: Arc::new(SystemClock),
        }
    }

    /// Replaces the key ring (Python FastSession's `secret_key`).
    #[must_use]
    pub fn with_keys(mut self, keys: KeyRing) -> Self {
        self.keys = keys;
        self
    }

    /// The cookie's name (Python FastSession's `session_cookie`). A name starting with `__Host-` or
    /// `__Secure-` (in any letter case) turns on the prefix's rules, which are checked at
    /// construction.
    #[must_use]
    pub fn with_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = name.into();
        self
    }

    /// The name under which handlers reach this session when several session middlewares
    /// share one app (Python FastSession's `session_object`); default `session`.
    #[must_use]
    pub fn with_session_object(mut self, name: impl Into<String>) -> Self {
        self.session_object = name.into();
        self
    }

    /// The `HttpOnly` attribute; default on.
    #[must_use]
    pub fn with_http_only(mut self, http_only: bool) -> Self {
        self.http_only = http_only;
        self
    }

    /// The `Secure` attribute; default on. Turn it off only for plain-HTTP development.
    #[must_use]
    pub fn with_secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// The `SameSite` attribute; default `Lax`.
    #[must_use]
    pub fn with_same_site(mut self, same_site: SameSite) -> Self {
        self.same_site = same_site;
        self
    }

    /// The `Path` attribute; default `/`.
    #[must_use]
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// The `Domain` attribute; default none, which makes a host-only cookie.
    #[must_use]
    pub fn with_domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// The `Partitioned` attribute (CHIPS); default off. Requires `Secure`.
    #[must_use]
    pub fn with_partitioned(mut self, partitioned: bool) -> Self {
        self.partitioned = partitioned;
        self
    }

    /// The cookie's `Max-Age`; zero (the default) makes a browser-session cookie with neither
    /// `Max-Age` nor `Expires`. A positive age also bounds the session on the server: it ends
    /// `max_age` after creation, or after the last refresh with rolling expiry.
    #[must_use]
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age_secs = i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX);
        self
    }

    /// [`Config::with_max_age`] in seconds, as Python FastSession takes it. A negative value is rejected at
    /// construction.
    #[must_use]
    pub fn with_max_age_secs(mut self, seconds: i64) -> Self {
        self.max_age_secs = seconds;
        self
    }

    /// How long a session may sit unused before the server forgets it; default 12 hours, at most
    /// [`MAX_TIMEOUT`] (400 days).
    /// Activity is recorded sparingly (at most once per tenth of this timeout), so a session ends
    /// between 90 % and 100 % of the timeout after its last use.
    #[must_use]
    pub fn with_idle_timeout(mut self, idle_timeout: Duration) -> Self {
        self.idle_timeout = idle_timeout;
        self
    }

    /// The longest a session may live from its creation, however active; default none, at most
    /// [`MAX_TIMEOUT`] (400 days).
    /// [`Session::cycle_id`](crate::Session::cycle_id) keeps the creation time.
    #[must_use]
    pub fn with_absolute_timeout(mut self, absolute_timeout: Duration) -> Self {
        self.absolute_timeout = Some(absolute_timeout);
        self
    }

    /// Rolling expiry: a positive `max_age` counts from the last refresh instead of from
    /// creation, and the cookie is re-issued once at least half of its lifetime has passed (not
    /// on every response).
    #[must_use]
    pub fn with_rolling(mut self, rolling: bool) -> Self {
        self.rolling = rolling;
        self
    }

    /// Eager creation, as Python FastSession does: a request without a valid session cookie gets a stored
    /// session and its cookie even if the handler never writes. Default off (lazy).
    #[must_use]
    pub fn with_eager(mut self, eager: bool) -> Self {
        self.eager = eager;
        self
    }

    /// Opt-in session locking: whether requests of one session are serialized in this process,
    /// from loading the session to saving it, so that a `get` then `insert` in one request never
    /// loses another request's update. Default **off**: no request waits for another request's
    /// handler (six parallel requests of one user's page take the time of one, not six), and
    /// counters use [`Session::increment`](crate::Session::increment), which the store applies
    /// atomically across requests and app instances. When on, the wait is bounded by the store
    /// timeout (503 after it), it holds within this process only (two instances on one store
    /// still race), and requests that never extract the session are never held.
    #[must_use]
    pub fn with_serialized_requests(mut self, serialize: bool) -> Self {
        self.serialize_requests = serialize;
        self
    }

    /// Adds a skip rule (Python FastSession's `skip_session_header`); a request matching any rule is
    /// skipped.
    #[must_use]
    pub fn with_skip_rule(mut self, rule: SkipRule) -> Self {
        self.skip_rules.push(rule);
        self
    }

    /// How long [`SessionManager`](crate::adapter::SessionManager) waits for one store call before it
    /// gives up with [`StoreErrorKind::Timeout`](crate::store::StoreErrorKind::Timeout); default
    /// [`DEFAULT_STORE_TIMEOUT`]. A stalled store then fails the request (503 on load, 500 on
    /// save) instead of hanging it. Stores may have a shorter timeout of their own. The limit uses
    /// tokio's timer, so the runtime needs its time driver (`enable_time`, which every supported
    /// framework's runtime and `#[tokio::main]` turn on).
    #[must_use]
    pub fn with_store_timeout(mut self, timeout: Duration) -> Self {
        self.store_timeout = timeout;
        self
    }

    /// The cap on one session's data, serialized as JSON; default 64 KiB. An insert that would
    /// pass it fails with [`SessionError::TooLarge`](crate::SessionError::TooLarge).
    #[must_use]
    pub fn with_max_payload_bytes(mut self, max: usize) -> Self {
        self.max_payload_bytes = max;
        self
    }

    /// The bound on one user's sessions ([`Session::set_user`](crate::Session::set_user)); default
    /// [`DEFAULT_MAX_SESSIONS_PER_USER`], at most
    /// [`MAX_SESSIONS_PER_USER`](crate::limits::MAX_SESSIONS_PER_USER). When binding a
    /// session takes a user past it, the user's least recently active sessions end, so a user's
    /// index never grows without bound.
    #[must_use]
    pub fn with_max_sessions_per_user(mut self, max: usize) -> Self {
        self.max_sessions_per_user = max;
        self
    }

    /// Where the session value travels: the cookie (the default), a request header for API and
    /// mobile clients ([`Transport::Header`]), or either ([`Transport::CookieOrHeader`]). The
    /// value is the same signed format, with the same verification, key rotation and expiry.
    #[must_use]
    pub fn with_transport(mut self, transport: Transport) -> Self {
        self.transport = transport;
        self
    }

    /// The header that carries the session value with [`Transport::Header`] or
    /// [`Transport::CookieOrHeader`]; default `Authorization`, whose value is `Session <value>`.
    /// Any other header (a token of at most
    /// [`MAX_HEADER_NAME_LEN`](crate::limits::MAX_HEADER_NAME_LEN) bytes, not `Cookie` or
    /// `Set-Cookie`) carries the bare value. Responses return a new value in the same header.
    #[must_use]
    pub fn with_session_header(mut self, name: impl Into<String>) -> Self {
        self.session_header = name.into();
        self
    }

    /// Where session IDs come from; default [`OsRandom`].
    #[must_use]
    pub fn with_id_generator(mut self, generator: impl IdGenerator) -> Self {
        self.id_generator = Arc::new(generator);
        self
    }

    /// Where adapters read the time; default [`SystemClock`].
    #[must_use]
    pub fn with_clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The key ring.
    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    /// The cookie name.
    pub fn cookie_name(&self) -> &str {
        &self.cookie_name
    }

    /// The name handlers use to reach this session.
    pub fn session_object(&self) -> &str {
        &self.session_object
    }

    /// Whether sessions are created eagerly.
    pub fn is_eager(&self) -> bool {
        self.eager
    }

    /// Whether requests of one session are serialized.
    pub fn serializes_requests(&self) -> bool {
        self.serialize_requests
    }

    /// The limit on one store call.
    pub fn store_timeout(&self) -> Duration {
        self.store_timeout
    }

    /// Where the session value travels.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The session header's name, as configured.
    pub fn session_header(&self) -> &str {
        &self.session_header
    }

    /// The bound on one user's sessions.
    pub fn max_sessions_per_user(&self) -> usize {
        self.max_sessions_per_user
    }

    /// The skip rules.
    pub fn skip_rules(&self) -> &[SkipRule] {
        &self.skip_rules
    }

    /// The clock adapters read.
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }
}
