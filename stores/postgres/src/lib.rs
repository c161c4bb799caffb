//! The PostgreSQL store for [fastsession](fastsession_core): sessions kept in the database an
//! application already runs, shared by every instance of the application.
//!
//! # Quick start
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use fastsession_core::{Config, Key, adapter::SessionManager, adapter::Sessions};
//! use fastsession_postgres::PostgresStore;
//!
//! let store = PostgresStore::open("postgres://app@127.0.0.1:5432/app")?;
//! store.migrate().await?; // creates the table and its index, if missing
//! let _cleanup = store.spawn_cleanup(Duration::from_secs(300)); // deletes ended rows
//! let sessions = Sessions::new(Config::new(Key::generate()?))?;
//! let manager = SessionManager::new(sessions, store);
//! # Ok(()) }
//! ```
//!
//! With an adapter, pass the store where the in-memory store went:
//! `fastsession_axum::layer(config, PostgresStore::open(url)?)`. A complete program that counts
//! visits through the session manager every adapter uses, logs out and cleans up:
//! `cargo run -p fastsession-postgres --example postgres_counter -- postgres://USER@HOST:PORT/DB`
//! (`examples/postgres_counter.rs`).
//!
//! # The table
//!
//! One row per session (`fastsession_sessions` unless [renamed](PostgresStoreBuilder::with_table),
//! in the [schema](PostgresStoreBuilder::with_schema) you name or on the `search_path`):
//!
//! | column | type | holds |
//! |---|---|---|
//! | `id` | `bytea` primary key | 16 bytes of SHA-256 over a domain tag and the session ID ([`store_digest`](fastsession_core::id::SessionId::store_digest)): a dump reveals no cookie |
//! | `data` | `jsonb` | an object mapping each session key to the JSON text of its value, as a string: `{"visits": "41", "user": "\"ada\""}` |
//! | `created_at`, `refreshed_at`, `expires_at` | `timestamptz` | when the session began, was last refreshed, ends |
//! | `successor` | `bytea`, null | once the session was retired by a rotation: its successor's `id` |
//! | `user_id` | `text`, null | the user the session belongs to ([`Session::set_user`](fastsession_core::Session::set_user)) |
//!
//! an index on `expires_at`, and a partial index on `user_id` (rows bound to a user only). A
//! table made before `user_id` existed gains the column and its index at the next migration. [`PostgresStore::migrate`] creates them if missing (under an
//! advisory lock, so instances starting together do not race), and
//! [`PostgresStore::migration_sql`] is the same SQL for applications that run migrations with
//! their own tool. A value is kept as its JSON text rather than as a jsonb value because jsonb
//! rewrites numbers (`1e16` would come back as an integer) and refuses strings holding
//! `\u0000`: the store hands back exactly what it was given.
//!
//! # Every operation is one statement
//!
//! - **Load**: one `SELECT` of the row, unless it is retired. Expiry is enforced on every read:
//!   the data of a row whose end has passed at the request's time never leaves the database
//!   (the statement returns its times and no data), and the engine, seeing it ended, starts a
//!   new session and deletes the row (one more statement), so renewals do not pile up rows.
//! - **Create**: one `INSERT … ON CONFLICT (id) DO UPDATE … WHERE` the existing row has ended:
//!   insert-if-absent, so two concurrent creations never share an ID.
//! - **Write**: one `UPDATE … WHERE` the row is live and not retired, which applies only this
//!   request's changes with jsonb operators: keys removed (`data - keys`), integers incremented
//!   (exact over 64 bits, saturating), keys set (`||`), the data cleared. Concurrent requests
//!   that change different keys lose nothing; a write never brings back a session that a
//!   concurrent logout deleted or a rotation retired; the expiry only moves forward.
//! - **Retire** (rotation): one `UPDATE` that records the successor, only if the row is live
//!   and not retired yet: of two concurrent rotations, one wins.
//! - **Delete** (logout): `DELETE … RETURNING successor`, then the same for the successor, if
//!   the session had been retired meanwhile: a logout in flight ends whatever a concurrent
//!   rotation made of the session.
//!
//! A read-only request runs one statement, a writing request two, and a route that does not
//! use its session none. Statements are prepared once per pooled connection.
//!
//! # A user's sessions
//!
//! The table is its own user index: a session's `user_id` is written by the same statement as
//! the rest of its row, so a session bound to a user is always found by one `SELECT … WHERE
//! user_id = $1` through the partial index, and no entry can outlive or miss its row. Ending a
//! user's session is the logout's `DELETE … RETURNING successor` with one more condition (the
//! row is not live and bound to another user), followed through the successors.
//!
//! # Why tokio-postgres
//!
//! [`tokio_postgres`] with the [`deadpool_postgres`] pool was measured against sqlx on this
//! store's own statements (`benches/postgres-clients`, 2026-12-07): 16,600 client-side
//! instructions for a read and 17,800 for a write against sqlx's 34,100 and 40,300, reads at 1.2
//! to 2.0 times sqlx's throughput and writes at least as fast, half the dependencies, and Rust
//! 1.89 (sqlx 0.9 needs 1.94). Statements are prepared once per pooled connection and results
//! read in binary.
//!
//! # Ended rows
//!
//! A row past its `expires_at` is never read as a session, but stays in the table until
//! removed: run [`PostgresStore::spawn_cleanup`] in one or more instances, or call
//! [`PostgresStore::delete_expired`] from a job of your own, or schedule
//! `DELETE FROM fastsession_sessions WHERE expires_at <= now()` in the database. Each finds the
//! ended rows through the index on `expires_at`.
//!
//! # URLs and failures
//!
//! `postgres://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE[?OPTIONS]` (or `postgresql://`), as libpq
//! reads it, over plain TCP or a Unix socket (`host=/run/postgresql` as an option). No error or
//! `Debug` output of this crate shows the password: URLs appear with their userinfo and any
//! `password=` parameter replaced by `***`, and errors never hold SQL.
//!
//! Every call has a timeout (default [`DEFAULT_TIMEOUT`], 2 s) that covers waiting for a pooled
//! connection, opening one and the statement; the store also sets it as each connection's
//! `statement_timeout`, so the server stops a statement the store gave up on. A database that
//! cannot be reached gives a [`StoreError`](fastsession_core::store::StoreError) of kind
//! `Unavailable`, a call that runs out of time `Timeout`, which the adapters answer with 503
//! (load) or 500 (save). A connection broken by a restart is dropped from the pool and replaced
//! on the next call; a load that meets one is tried once more within the same timeout. Writes are
//! never retried.
//!
//! Each store call is one `tracing` event (`store call`, with `store="postgres"`, the operation
//! and its latency in milliseconds), at debug level when it succeeds and at warn level with the
//! error's kind when it fails. No event carries a session ID, a key or a value.
//!
//! # What is tested
//!
//! Against a real PostgreSQL 15, on loopback (`scripts/test` creates a scratch database for each
//! run): the store suite of the core (`tests/postgres_store.rs`: creation, key-level merges,
//! exact increments, retirement and the successors a delete follows, concurrent creations and
//! writers); the races through a session manager (`tests/races.rs`: a write after a concurrent
//! logout or rotation revives nothing, 50 concurrent writers of different keys lose nothing,
//! rotations racing a logout leave no live session); the conformance suite on axum, actix-web,
//! rocket and poem, and two reference servers sharing one table
//! (`conformance-tests/tests/postgres_*.rs`); and the failures (`tests/faults.rs` and
//! `conformance-tests/tests/postgres_faults.rs`): a statement blocked past the timeout fails as
//! `Timeout` and the server cancels it; twenty slow handlers on a pool of one connection all
//! succeed; a pool whose connection is busy answers `Timeout`; a private server stopped answers
//! 503 on every framework and, once back, the same app finds the same session; a private server
//! crashed (an immediate shutdown) and restarted under eight counting clients keeps every count
//! the store acknowledged (measured 2026-12-07: 971 requests answered 500 or 503 while it was
//! down, the slowest answer 69 ms with a 500 ms timeout).
//!
//! # Minimum supported Rust version
//!
//! Rust 1.89.

mod builder;
mod cleanup;
mod data;
mod errors;
mod names;
mod statements;
mod store;
mod url;
mod users;

pub use builder::{PostgresStoreBuilder, PostgresStoreError};
pub use cleanup::{CLEANUP_BATCH, CleanupTask};
pub use store::{DEFAULT_POOL_SIZE, DEFAULT_TABLE, DEFAULT_TIMEOUT, PostgresStore};
