//! [fastsession](fastsession_core) for [actix-web](actix_web): server-side sessions with signed
//! session-ID cookies, as a middleware and an extractor.
//!
//! # How it works
//!
//! [`SessionMiddleware`] reads the session cookie of each request (no store I/O), and after your
//! handler saves what changed and appends the session's `Set-Cookie`. The [`Session`] extractor
//! loads the session from the store the first time a handler asks for it. Unlike
//! actix-session's, this `Session` is `Send + Sync`, so it can cross `.await`s in spawned tasks.
//! All session logic lives in [`fastsession_core`]; this crate only translates.
//!
//! # Quick start
//!
//! ```no_run
//! use actix_web::{App, HttpResponse, HttpServer, web};
//! use fastsession_actix::{Config, Key, MemoryStore, Session, SessionMiddleware, SessionRejection};
//! use serde_json::json;
//!
//! async fn session_test(session: Session) -> Result<HttpResponse, SessionRejection> {
//!     let counter = session.increment("test_counter", 1)?; // atomic in the store
//!     Ok(HttpResponse::Ok().json(json!({ "test_counter": counter })))
//! }
//!
//! #[actix_web::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let key = Key::generate()?;
//!     let config = Config::new(key).with_secure(false);
//!     // Built outside HttpServer::new, so that every worker shares one store.
//!     let middleware = SessionMiddleware::new(config, MemoryStore::new())?; // validates the config
//!     HttpServer::new(move || {
//!         App::new().wrap(middleware.clone()).route("/session_test", web::get().to(session_test))
//!     })
//!     .bind(("127.0.0.1", 3000))?
//!     .run()
//!     .await?;
//!     Ok(())
//! }
//! ```
//!
//! # Extractors
//!
//! - [`Session`]: the session; 503 when the store is unavailable, 500 on a skipped request.
//! - [`OptionalSession`]: `None` on a skipped request (a store failure is still a 503; actix's
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
mod inner_error;
mod middleware;
mod user_sessions;

pub use extract::{OptionalSession, Session, SessionObjects, SessionRejection};
pub use fastsession_core;
pub use fastsession_core::{
    Config, ConfigError, Key, KeyRing, MemoryStore, SameSite, SkipRule, Transport,
};
pub use inner_error::InnerError;
pub use middleware::{SessionMiddleware, SessionMiddlewareService};
pub use user_sessions::UserSessions;
