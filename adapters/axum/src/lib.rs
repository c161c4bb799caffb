//! [fastsession](fastsession_core) for [axum]: server-side sessions with signed session-ID
//! cookies, as a tower layer and an extractor.
//!
//! # How it works
//!
//! [`layer`] wraps your router in a [`SessionLayer`]. For each request it reads the session
//! cookie (no store I/O), and after your handler it saves what changed and appends the
//! session's `Set-Cookie`. The [`Session`] extractor loads the session from the store the first
//! time a handler asks for it, so routes that never extract it never touch the store. All
//! session logic lives in [`fastsession_core`]; this crate only translates.
//!
//! # Quick start
//!
//! ```no_run
//! use axum::{Json, Router, routing::get};
//! use fastsession_axum::{Config, Key, MemoryStore, Session, SessionRejection};
//! use serde_json::{Value, json};
//!
//! /// Python FastSession's counter: each browser counts its own visits.
//! async fn session_test(session: Session) -> Result<Json<Value>, SessionRejection> {
//!     let counter = session.increment("test_counter", 1)?; // atomic in the store
//!     Ok(Json(json!({ "test_counter": counter })))
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let key = Key::generate()?; // production: Key::try_from(secret bytes, 32 or more), the same on every instance
//!     let config = Config::new(key).with_secure(false); // plain HTTP for this demo only
//!     let app = Router::new()
//!         .route("/session_test", get(session_test))
//!         .layer(fastsession_axum::layer(config, MemoryStore::new())?); // validates the config
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//!     axum::serve(listener, app).await?;
//!     Ok(())
//! }
//! ```
//!
//! # Extractors
//!
//! - [`Session`]: the session; fails with 503 when the store is unavailable, and with 500 on a
//!   request exempted by a skip rule.
//! - `Option<Session>`: `None` on a skipped request (a store failure is still a 503).
//! - [`UserSessions`]: the sessions of the user the session belongs to (after
//!   `session.set_user(..)` at login): list them, end one, the others or all.
//! - [`SessionObjects`]: every session of the request by name, when several layers with
//!   different cookie names are stacked ([`Config::with_session_object`]).
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
mod service;
mod user_sessions;

pub use extract::{Session, SessionObjects, SessionRejection};
pub use fastsession_core;
pub use fastsession_core::{
    Config, ConfigError, Key, KeyRing, MemoryStore, SameSite, SkipRule, Transport,
};
pub use service::{SessionLayer, SessionService, layer};
pub use user_sessions::UserSessions;
