//! Server-side sessions for any Rust web framework, with no framework and no I/O of its own.
//!
//! # How it works
//!
//! The browser's cookie carries only a random 256-bit session ID and its HMAC-SHA256
//! signature; the session's data stays on the server, in a [`SessionStore`]. This crate holds
//! all the session logic. Adapter crates (`fastsession-axum`, `fastsession-actix`,
//! `fastsession-rocket`, `fastsession-poem`) only translate between their framework and the
//! lifecycle below.
//!
//! # Quick start
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! use fastsession_core::{Config, Key, MemoryStore, SessionManager, Sessions};
//!
//! let key = Key::generate()?; // load a stable key in production
//! let sessions = Sessions::new(Config::new(key.into()).with_secure(false))?;
//! let manager = SessionManager::new(sessions, MemoryStore::new());
//!
//! let headers: &[(&str, &[u8])] = &[];
//! let request = manager.start(headers);
//! let session = request.session().await?;
//! let n: u64 = session.get("test_counter")?.unwrap_or(0);
//! session.insert("test_counter", &(n + 1))?;
//! let outcome = request.finish(200).await;
//! assert!(outcome.set_cookie().is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! # Lifecycle
//!
//! ```text
//!   request headers ──► Sessions::begin ──► SessionHandle ──(handler asks)──► store.load
//!                        (pure: skip rules,     │                               │
//!                         cookie scan, HMAC)     │◄──── complete_load ◄──────────┘
//!                                                ▼
//!                                    Session (get / insert / remove / clear /
//!                                             cycle_id / destroy / cause)
//!                                                │
//!   response status ──► Sessions::finish ──► Finish ──commit(store)──► Committed
//!                        (pure: what to write,                         (Set-Cookie, Vary,
//!                         which cookie)                                 Cache-Control)
//! ```
//!
//! 1. [`Sessions::begin`] (or [`Sessions::begin_request`], which also applies the skip rules)
//!    reads every `Cookie` header, compares names byte for byte, keeps at most
//!    [`MAX_CANDIDATES`] same-name values, and returns a [`SessionHandle`]. It never fails and
//!    never touches the store. The candidates are verified against every key of the ring the
//!    first time the session is needed, so a route that never uses it pays for no MAC.
//! 2. Loading is lazy: only when a handler asks for the session does [`SessionHandle::load`] load
//!    each verified candidate in turn ([`SessionHandle::next_load`],
//!    [`SessionHandle::complete_load`]), the first live one winning; `SessionManager` runs this
//!    same loop. A missing, expired or forged session becomes a fresh one, with its [`Cause`].
//! 3. The handler uses a [`Session`]: synchronous, `Clone + Send + Sync`.
//! 4. [`Sessions::finish`] decides, from what the handler did and the response status, the store
//!    writes and the cookie; [`Finish::commit`] runs them. Only changed sessions are written; a
//!    5xx response writes nothing but a logout (which applies on any status); a new session with
//!    no data creates nothing (unless eager). A rotation creates its successor, then retires the
//!    old record in its favour ([`SessionStore::retire`]) only if it is still live.
//!
//! # The adapter contract
//!
//! An adapter uses [`SessionManager`], which runs steps 1 to 4 against its store (with store
//! timeouts, the opt-in per-session serialization, and error mapping), and does exactly this:
//!
//! 1. before the handler, `manager.start(&headers)`, and put the [`RequestSession`] into the
//!    request (in a [`RequestSessions`] keyed by session object name);
//! 2. its extractor calls [`RequestSession::session`]; an [`ExtractError`] becomes
//!    [`ExtractError::status`] (503 for an unavailable store, 500 otherwise) with
//!    [`ERROR_BODY`];
//! 3. after the handler, [`RequestSession::finish`] with the response status;
//! 4. it removes the [`Outcome::replaced_headers`] and appends every [`Outcome::headers`] as
//!    separate header fields, or, when [`Outcome::error_status`] is set, replaces the response
//!    with that status, [`ERROR_BODY`] and those headers only.
//!
//! An integration without the driver (the hyper example) runs steps 1 to 4 itself:
//! `begin_request`, [`SessionHandle::load`] through a [`TimeLimited`] store, the handler,
//! `finish` and `commit`, then [`Committed::append_to`] or, on a [`SaveError`], a 500 with
//! [`SaveError::append_to`].
//!
//! Any decision about session semantics lives here, never in an adapter.
//!
//! # Security properties
//!
//! - IDs: 256 bits from the OS CSPRNG through an injectable [`IdGenerator`]; a client-chosen ID
//!   is never adopted; new IDs are inserted only if unused.
//! - Cookie: `base64url(id) "." base64url(HMAC-SHA256(key, "fastsession/v1" ‖ cookie name ‖ id))`,
//!   87 characters, decoded strictly (no padding, no non-canonical trailing bits), verified in
//!   constant time under every key of the [`KeyRing`].
//! - Expiry is enforced on the server: idle timeout, optional absolute timeout, and the cookie's
//!   max age.
//! - Concurrent requests on one session merge their key-level changes; a write never brings
//!   back a session that was destroyed or rotated meanwhile; a rotation racing a logout creates
//!   nothing, and of two racing rotations one successor survives. Every store operation touches
//!   one record, so no step needs the old and new records on one Redis Cluster slot (proved here
//!   on the memory store and a single Redis node).
//! - IDs, cookie values and keys never appear in logs, errors or `Debug` output; logs carry a
//!   one-way [`IdLabel`].
//!
//! # Features
//!
//! - `memory-store` (default): [`MemoryStore`].
//! - `driver` (default): [`SessionManager`], the async driver the adapters use, on tokio's timer
//!   and locks. It implies `timeouts`: [`TimeLimited`], store calls bounded on tokio's timer. Without it (`--no-default-features`) the crate is the pure sans-IO core, with no
//!   tokio in its dependencies; `core/clippy.toml` forbids reading the clock or the OS random
//!   source outside the modules that provide the defaults.
//! - `http`: [`RequestHeaders`] for `http::HeaderMap`.
//! - `test-util`: [`testing`]: a manual clock, deterministic IDs and the store test suite.
//!
//! # Minimum supported Rust version
//!
//! Rust 1.89. Raising it is not a breaking change.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(clippy::exhaustive_enums, clippy::exhaustive_structs)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod changes;
mod commit;
mod config;
mod cookie;
mod data;
#[cfg(feature = "driver")]
mod driver;
mod engine;
mod finish;
mod handle;
mod headers;
mod id;
#[cfg(any(feature = "driver", feature = "memory-store"))]
mod id_hash;
mod key;
#[cfg(feature = "driver")]
mod locks;
mod rejection;
mod session;
mod sign;
mod store;
mod time;

#[cfg(feature = "test-util")]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test utilities report a broken contract by panicking, as tests do"
)]
pub mod testing;

pub use changes::Changes;
pub use commit::{CREATE_ATTEMPTS, Committed, SaveError, SaveFailure};
pub use config::{
    Config, ConfigError, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_SESSION_OBJECT,
    DEFAULT_STORE_TIMEOUT, MAX_ATTRIBUTE_LEN, MAX_COOKIE_AGE, MAX_TIMEOUT, SameSite, SkipRule,
};
pub use cookie::{MAX_CANDIDATES, SetCookie};
pub use data::SessionData;
#[cfg(feature = "driver")]
pub use driver::{Outcome, RequestSession, RequestSessions, SessionManager};
pub use engine::{RequestHeaders, Sessions};
pub use finish::Finish;
pub use handle::{Cause, SessionHandle};
pub use headers::ResponseHeaders;
pub use id::{ID_LEN, IdError, IdGenerator, IdLabel, OsRandom, SessionId};
pub use key::{Key, KeyError, KeyRing, MAX_KEYS, MIN_KEY_LEN};
pub use rejection::{ERROR_BODY, ExtractError, Rejection, TOO_LARGE_BODY};
pub use session::{Session, SessionError};
#[cfg(feature = "memory-store")]
pub use store::memory::{
    DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, DEFAULT_SWEEP_INTERVAL, MemoryStore,
};
#[cfg(feature = "timeouts")]
pub use store::time_limited::TimeLimited;
pub use store::{
    Expiry, MAX_SUCCESSORS_FOLLOWED, Record, SessionStore, StoreError, StoreErrorKind,
};
pub use time::{Clock, SystemClock};
