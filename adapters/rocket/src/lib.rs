//! [fastsession](fastsession_core) for [rocket]: server-side sessions with signed session-ID
//! cookies, as a fairing and a request guard.
//!
//! # How it works
//!
//! [`SessionFairing`] reads the session cookie of each request (no store I/O), and once the
//! response is ready saves what changed and appends the session's `Set-Cookie`. The [`Session`]
//! request guard loads the session from the store the first time a handler asks for it. All
//! session logic lives in [`fastsession_core`]; this crate only translates.
//!
//! # Quick start
//!
//! ```no_run
//! use fastsession_rocket::{Config, Key, MemoryStore, Session, SessionFairing, SessionRejection};
//! use rocket::serde::json::{Json, Value, json};
//!
//! #[rocket::get("/session_test")]
//! fn session_test(session: Session) -> Result<Json<Value>, SessionRejection> {
//!     let counter = session.increment("test_counter", 1)?; // atomic in the store
//!     Ok(Json(json!({ "test_counter": counter })))
//! }
//!
//! #[rocket::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let key = Key::generate()?;
//!     let config = Config::new(key).with_secure(false);
//!     rocket::build()
//!         .attach(SessionFairing::new(config, MemoryStore::new())?) // validates the config
//!         .mount("/", rocket::routes![session_test])
//!         .launch()
//!         .await?;
//!     Ok(())
//! }
//! ```
//!
//! # Request guards
//!
//! - [`Session`]: the session; 503 when the store is unavailable, 500 on a skipped request.
//! - [`OptionalSession`]: `None` on a skipped request (a store failure is still a 503; rocket's
//!   own `Option<T>` would hide it, so use this instead).
//! - [`UserSessions`]: the sessions of the user the session belongs to (after
//!   `session.set_user(..)` at login): list them, end one, the others or all.
//! - [`SessionObjects`]: every session of the request by name, for stacked fairings.
//!
//! # Features
//!
//! This crate has no cargo features.
//!
//! # Minimum supported Rust version
//!
//! Rust 1.89.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod fairing;
mod guard;
mod user_sessions;

pub use fairing::SessionFairing;
pub use fastsession_core;
pub use fastsession_core::{
    Config, ConfigError, Key, KeyRing, MemoryStore, SameSite, SkipRule, Transport,
};
pub use guard::{OptionalSession, Session, SessionObjects, SessionRejection};
pub use user_sessions::UserSessions;
