//! Server-side sessions for any Rust web framework, with no framework and no I/O of its own.
//!
//! # How it works
//!
//! The browser's cookie carries only a random 256-bit session ID and its HMAC-SHA256
//! signature; the session's data stays on the server, in a [store](store::SessionStore). This
//! crate holds all the session logic. Adapter crates (`fastsession-axum`, `fastsession-actix`,
//! `fastsession-rocket`, `fastsession-poem`) only translate between their framework and the
//! lifecycle below.
//!
//! # Who finds what where
//!
//! - Application authors: the crate root. A [`Config`] with a [`Key`] (or a [`KeyRing`] to rotate
//!   keys), a store ([`MemoryStore`] here, Redis in `fastsession-redis`), and the handler's
//!   [`Session`] with its [`SessionError`] and [`Cause`]; [`UserSessions`] (feature `driver`)
//!   for a user's sessions ("your devices", "log out everywhere"), and [`Transport`] for clients
//!   that carry the session in a header instead of a cookie. An adapter re-exports what its
//!   users need.
//! - Store authors: [`store`], the contract and what it stores; [`testing`] (feature
//!   `test-util`) has the suite every store must pass.
//! - Adapter authors, and integrations that drive the sans-IO core themselves: [`adapter`].
//! - Injected time and randomness: [`time`] and [`id`]. Defaults and hard limits: [`limits`].
//!
//! # Lifecycle
//!
//! ```text
//!   request headers ──► Sessions::begin ──► SessionHandle ──(handler asks)──► store.load
//!                        (pure: skip rules,     │                               │
//!                         cookie scan, HMAC)     │◄──── complete_load ◄──────────┘
//!                                                ▼
//!                                    Session (get / insert / increment / remove /
//!                                             clear / cycle_id / destroy / cause)
//!                                                │
//!   response status ──► Sessions::finish ──► Finish ──commit(store)──► Committed
//!                        (pure: what to write,                         (Set-Cookie, Vary,
//!                         which cookie)                                 Cache-Control)
//! ```
//!
//! 1. [`Sessions::begin`] applies the skip rules, reads every `Cookie` header, compares names
//!    byte for byte, keeps at most [`MAX_CANDIDATES`](limits::MAX_CANDIDATES) same-name values,
//!    and returns a [`SessionHandle`]. It never fails, reads no clock and never touches the
//!    store. The candidates are verified against every key of the ring the first time the
//!    session is needed, so a route that never uses it pays for no MAC.
//! 2. Loading is lazy: only when a handler asks for the session does [`SessionHandle::load`] load
//!    each verified candidate in turn ([`SessionHandle::next_load`],
//!    [`SessionHandle::complete_load`]), the first live one winning. A missing, expired or
//!    forged session becomes a fresh one, with its [`Cause`].
//! 3. The handler uses a [`Session`]: synchronous, `Clone + Send + Sync`.
//! 4. [`Sessions::finish`] decides, from what the handler did and the response status, the store
//!    writes and the cookie; [`Finish::commit`] runs them and returns a [`Committed`] (the
//!    headers to add) or a [`SaveError`] (answer a 500 with its headers instead). Only changed
//!    sessions are written; a 5xx response writes nothing but a logout (which applies on any
//!    status); a new session with no data creates nothing (unless eager). A rotation creates its
//!    successor, then retires the old record in its favour
//!    ([`SessionStore::retire`](store::SessionStore::retire)) only if it is still live.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! use fastsession_core::adapter::Sessions;
//! use fastsession_core::{Config, Key, MemoryStore};
//!
//! let sessions = Sessions::new(Config::new(Key::generate()?).with_secure(false))?;
//! let store = MemoryStore::new();
//!
//! // A request without a cookie whose handler counts a visit.
//! let headers: &[(&str, &[u8])] = &[];
//! let handle = sessions.begin(headers);
//! let session = handle.load(&store, sessions.now()).await?.expect("not skipped");
//! assert_eq!(session.increment("test_counter", 1)?, 1);
//! let committed = sessions
//!     .finish(handle, 200, sessions.now())
//!     .commit(&store, sessions.now())
//!     .await?;
//! assert!(committed.set_cookie().is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! # The adapter contract
//!
//! The four adapters use [`SessionManager`](adapter::SessionManager) (feature `driver`), which
//! runs exactly these steps against its store, performing only the I/O they ask for: store
//! calls bounded by the store timeout, and the opt-in per-session lock. An adapter:
//!
//! 1. before the handler, calls `manager.start(&headers)` ([`Sessions::begin`]) and puts the
//!    [`RequestSession`](adapter::RequestSession) into the request's
//!    [`SessionRegistry`](adapter::SessionRegistry) (keyed by session object name);
//! 2. in its extractor, calls [`RequestSession::session`](adapter::RequestSession::session); an
//!    [`ExtractError`](adapter::ExtractError) becomes a [`Rejection`](adapter::Rejection): 503
//!    for an unavailable store, 500 otherwise, with the generic
//!    [`ERROR_BODY`](adapter::ERROR_BODY);
//! 3. after the handler, calls [`RequestSession::finish`](adapter::RequestSession::finish) with
//!    the response status, which returns the same [`Committed`] or [`SaveError`] as step 4;
//! 4. answers the [`Finished::replacement`] (a 500 when saving failed) if there is one, and
//!    calls [`Finished::append_to`] on the response's headers.
//!
//! An integration without the driver (the repository's hyper example) runs the lifecycle as in
//! the example above, with its store wrapped in a [`TimeLimited`](store::TimeLimited), and
//! applies the result of `commit` through the same [`Finished`](adapter::Finished) calls.
//!
//! Any decision about session semantics lives here, never in an adapter.
//!
//! [`Sessions::begin`]: adapter::Sessions::begin
//! [`Sessions::finish`]: adapter::Sessions::finish
//! [`SessionHandle`]: adapter::SessionHandle
//! [`SessionHandle::load`]: adapter::SessionHandle::load
//! [`SessionHandle::next_load`]: adapter::SessionHandle::next_load
//! [`SessionHandle::complete_load`]: adapter::SessionHandle::complete_load
//! [`Finish::commit`]: adapter::Finish::commit
//! [`Committed`]: adapter::Committed
//! [`SaveError`]: adapter::SaveError
//! [`Finished::replacement`]: adapter::Finished::replacement
//! [`Finished::append_to`]: adapter::Finished::append_to
//!
//! # Security properties
//!
//! - IDs: 256 bits from the OS CSPRNG through an injectable [`IdGenerator`](id::IdGenerator); a client-chosen ID
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
//!   one-way [`IdLabel`](id::IdLabel).
//!
//! # Features
//!
//! - `memory-store` (default): [`MemoryStore`].
//! - `driver` (default): [`SessionManager`](adapter::SessionManager), the async driver the
//!   adapters use, on tokio's timer and locks. It implies `timeouts`:
//!   [`TimeLimited`](store::TimeLimited), store calls bounded on tokio's timer. Without them
//!   (`--no-default-features`) the crate is the pure sans-IO core, with no tokio in its
//!   dependencies; `core/clippy.toml` forbids reading the clock or the OS random source outside
//!   the modules that provide the defaults.
//! - `http`: [`RequestHeaders`](adapter::RequestHeaders) for `http::HeaderMap`.
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

pub mod adapter;
mod changes;
mod commit;
mod config;
mod cookie;
mod data;
#[cfg(feature = "driver")]
mod driver;
mod engine;
mod expiry;
mod finish;
mod handle;
mod headers;
pub mod id;
#[cfg(any(feature = "driver", feature = "memory-store"))]
mod id_hash;
mod key;
pub mod limits;
#[cfg(feature = "driver")]
mod locks;
mod outcome;
#[cfg(feature = "driver")]
mod registry;
mod rejection;
mod session;
mod sessions;
mod sign;
mod state;
pub mod store;
pub mod time;
mod transport;
#[cfg(feature = "driver")]
mod user_sessions;
mod users;

#[cfg(feature = "test-util")]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test utilities report a broken contract by panicking, as tests do"
)]
pub mod testing;

pub use config::{Config, ConfigError, SameSite, SkipRule};
pub use key::{Key, KeyError, KeyRing};
pub use session::{Session, SessionError};
pub use state::Cause;
#[cfg(feature = "memory-store")]
pub use store::memory::MemoryStore;
pub use transport::{SessionToken, Transport};
#[cfg(feature = "driver")]
pub use user_sessions::UserSessions;
pub use users::{LabelError, SessionLabel, UserSession};
