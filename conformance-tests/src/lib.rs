//! fastsession's conformance suite: the reference app on all four frameworks, one set of
//! scenarios, and the reference server.
//!
//! Each scenario is an ordinary async function taking the [`Target`] (a framework and a store)
//! to run against. It
//! starts the reference app in-process on 127.0.0.1 (a real server, on a free port) with a
//! manual clock and sequential session IDs, and drives it with a real HTTP client whose cookie
//! jar behaves like a browser's ([`client::Client`]). [`conformance_suite!`] turns every
//! scenario into one named test per framework, so adding a scenario to [`SCENARIOS`] adds it
//! for all four at once.

pub mod app;
pub mod client;
pub mod fixture;
pub mod options;
pub mod scenarios;
pub mod servers;
pub mod store;
pub mod target;

pub use options::{Framework, Options};
pub use scenarios::SCENARIOS;
pub use target::{StoreKind, Target};
