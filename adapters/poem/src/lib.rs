//! [fastsession](fastsession_core) for [poem]: server-side sessions with signed session-ID
//! cookies, as a middleware and an extractor.
//!
//! # How it works
//!
//! [`SessionMiddleware`] (used with [`EndpointExt::with`](poem::EndpointExt::with)) reads the
//! session cookie of each request (no store I/O), and after the endpoint saves what changed and
//! appends the session's `Set-Cookie`. The [`Session`] extractor loads the session from the store
//! the first time a handler asks for it. All session logic lives in [`fastsession_core`]; this
//! crate only translates.
//!
//! # Quick start
//!
//! ```no_run
//! use fastsession_poem::{Config, Key, MemoryStore, Session, SessionMiddleware, SessionRejection};
//! use poem::listener::TcpListener;
//! use poem::web::Json;
//! use poem::{EndpointExt, Route, Server, get, handler};
//! use serde_json::{Value, json};
//!
//! #[handler]
//! fn session_test(session: Session) -> Result<Json<Value>, SessionRejection> {
//!     let counter = session.increment("test_counter", 1)?; // atomic in the store
//!     Ok(Json(json!({ "test_counter": counter })))
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let key = Key::generate()?;
//!     let config = Config::new(key).with_secure(false);
//!     let app = Route::new()
//!         .at("/session_test", get(session_test))
//!         .with(SessionMiddleware::new(config, MemoryStore::new())?); // validates the config
//!     Server::new(TcpListener::bind("127.0.0.1:3000")).run(app).await?;
//!     Ok(())
//! }
//! ```
//!
//! # Extractors
//!
//! - [`Session`]: the session; 503 when the store is unavailable, 500 on a skipped request.
//! - [`OptionalSession`]: `None` on a skipped request (a store failure is still a 503; poem's
//!   own `Option<T>` would hide it, so use this instead).
//! - [`UserSessions`]: the sessions of the user the session belongs to (after
//!   `session.set_user(..)` at login): list them, end one, the others or all.
//! - [`SessionObjects`]: every session of the request by name, for stacked middlewares.
//!
//! # Features
//!
//! This crate has no cargo features.
//!
//! # Minimum supported Rust version
//!
//! Rust 1.89.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod extract;
mod middleware;
mod user_sessions;

pub use extract::{OptionalSession, Session, SessionObjects, SessionRejection};
pub use fastsession_core;
pub use fastsession_core::{
    Config, ConfigError, Key, KeyRing, MemoryStore, SameSite, SkipRule, Transport,
};
pub use middleware::{SessionEndpoint, SessionMiddleware};
pub use user_sessions::UserSessions;
