//! fastsession's conformance suite: the reference app on all four frameworks, one set of
//! scenarios, and the reference server.
//!
//! # How it works
//!
//! The reference app's handlers are written once ([`app`]) and wired into each framework with
//! its adapter ([`servers`]). Each scenario is an ordinary async function taking the [`Target`]
//! (a framework and a store) to run against. It starts the reference app in-process on
//! 127.0.0.1 (a real server, on a free port) with a manual clock and sequential session IDs, and
//! drives it with a real HTTP client whose cookie jar behaves like a browser's
//! ([`client::Client`]). [`conformance_suite!`] turns every scenario into one named test per
//! framework, so adding a scenario to [`SCENARIOS`] adds it for all four at once. The
//! `reference-server` binary serves the same app from the command line.
//!
//! # Quick start
//!
//! A test file runs every scenario against one target, one named test each:
//!
//! ```
//! // tests/axum.rs
//! fastsession_conformance::conformance_suite!(fastsession_conformance::Target::memory(
//!     fastsession_conformance::Framework::Axum
//! ));
//! # fn main() {}
//! ```
//!
//! A scenario can also be called on its own; it panics on a failure:
//!
//! ```
//! use fastsession_conformance::scenarios::continuation;
//! use fastsession_conformance::{Framework, Target};
//!
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() {
//! let target = Target::memory(Framework::Axum);
//! continuation::counter_continues_and_clients_are_isolated(target).await;
//! # }
//! ```
//!
//! A [`Target::redis`] needs a Redis at `FASTSESSION_REDIS_URL` (default
//! `redis://127.0.0.1:6379`); a [`Target::redis_tls`] one speaking TLS at
//! `FASTSESSION_REDIS_TLS_URL` (default `rediss://127.0.0.1:6390`) and its certificate authority
//! in `FASTSESSION_REDIS_TLS_CA`, as `scripts/test` starts and sets them; a
//! [`Target::redis_cluster`] a Redis Cluster at `FASTSESSION_REDIS_CLUSTER_URL` (default the
//! three masters on 127.0.0.1:7000-7002 that `scripts/test` starts); a
//! [`Target::redis_sentinel`] the sentinels at `FASTSESSION_REDIS_SENTINEL_URL` (default the
//! three on 127.0.0.1:26400-26402 that `scripts/test` starts, watching a master and a replica);
//! a [`Target::postgres`] a PostgreSQL database at `FASTSESSION_POSTGRES_URL` (default the
//! scratch database `fastsession_test` on 127.0.0.1:5432 that `scripts/test` creates for each
//! run), in which each fixture makes a table of its own.
//!
//! # Features
//!
//! This crate has no cargo features.
//!
//! # Minimum supported Rust version
//!
//! Rust 1.89.

pub mod app;
pub mod client;
pub mod fixture;
pub mod instances;
pub mod load;
pub mod options;
pub mod scenarios;
pub mod servers;
pub mod store;
pub mod target;
pub mod user_routes;

pub use options::{Framework, Options};
pub use scenarios::SCENARIOS;
pub use target::{StoreKind, Target};
