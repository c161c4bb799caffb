//! The Redis store for [fastsession](fastsession_core): sessions shared by every instance of an
//! application.
//!
//! # How it works
//!
//! Each session is one Redis hash under `prefix + "{" + hash + "}"`, where `hash` is 32 hex digits
//! of SHA-256 over the session ID: a dump of Redis reveals no usable cookie, and the `{…}` hash
//! tag is the key's slot on a Redis Cluster. Every command and script touches one key per call,
//! so no operation needs two keys on one slot (a rotated session's successor may live on
//! another master). The
//! hash holds one field per session key (`d:` + key, its JSON value) and the timestamps (`m:c`
//! created, `m:r` refreshed, `m:e` expires, in Unix milliseconds), and carries a Redis TTL equal
//! to the session's remaining server-side lifetime, so Redis itself drops dead sessions.
//!
//! # Keys, TTLs and memory
//!
//! | key | type | fields | TTL |
//! |---|---|---|---|
//! | `prefix{32 hex digits}` | hash | `d:KEY` per session key (its JSON value); `m:c`, `m:r`, `m:e` (created, refreshed, ends: Unix ms); `m:s` on a retired record (its successor's key); `m:u`, the user the session belongs to | `PEXPIRE` to the session's end (at most 400 days) |
//! | `prefixu{32 hex digits}` | hash | a user's index, named by [`user_digest`](fastsession_core::store::user_digest): `i:` and a session's 32 hex digits per session listed (until when, and when it was last listed: Unix ms); `m:e`, its latest entry's time | `PEXPIRE` to its latest entry's time |
//!
//! Measured on Redis 7.0.15 (2026-12-01): a session holding one small counter, under the default
//! prefix, is a listpack-encoded hash of 168 bytes by `MEMORY USAGE`; 100,000 of them raised
//! `used_memory` by 245 bytes each (the key, its entries in the keyspace and the expiry tables,
//! the listpack, allocator rounding), so **a million such sessions take about 245 MB**. Larger
//! data adds its JSON bytes and field names; a hash whose fields outgrow Redis's listpack limits
//! (`hash-max-listpack-entries` 128, `hash-max-listpack-value` 64 bytes) becomes a hashtable, which
//! costs more per field. A retired record keeps only its times and `m:s` until its end.
//!
//! Every write is one atomic Lua script: a creation happens only if the ID is unused; an update
//! applies only this request's changes (keys set, keys removed, cleared) and only if the session
//! still exists, so a concurrent logout or ID rotation is never undone and concurrent requests
//! touching different keys lose nothing. A read-only request costs one round trip, a writing
//! request two. A read is a script too: it returns the session's hash as one string (each field
//! and value as its length, `:` and its bytes), which the client parses for a fraction of what
//! `HGETALL`'s reply of two values per field costs it.
//!
//! # A user's sessions
//!
//! A user's index is a key of its own, on whatever slot its name hashes to, apart from the
//! sessions it lists: every script touches one key, on a single server, a Redis Cluster or
//! behind Sentinel alike. The engine lists a session in it *before* it writes the session bound
//! to the user (one round trip at login and at each refresh of a bound session, none on other
//! requests), so a live bound session is always listed. Reading the index reads each listed
//! session's record (one round trip each) and returns those that are live and still bound to
//! the user; the same step drops the entries whose time has passed, and those whose record is
//! not the user's once [`LISTING_GRACE`](fastsession_core::store::LISTING_GRACE) has passed
//! since they were listed. Nothing depends on keyspace notifications, which a Redis Cluster
//! delivers per node. Ending a user's session is a script that deletes it only if it is not
//! live and bound to someone else, then the logout's walk through its successors.
//!
//! # Why `redis`
//!
//! The [`redis`] crate (redis-rs) is the most used Redis client for Rust and is actively
//! maintained. Its `ConnectionManager` is one multiplexed, pipelined connection shared by all
//! requests (which outperforms a pool of connections for Redis's one-command-at-a-time server) and
//! reconnects by itself; its `Script` runs our Lua by `EVALSHA` with a transparent `EVAL`
//! fallback; it speaks `rediss://` through rustls (feature `tls`); its cluster connection routes
//! each command by its key's slot and follows `MOVED` and `ASK` redirections; its Sentinel client
//! finds the master. fred, the other maintained async client, was measured against it on this
//! store's request path (`benches/redis-clients`, 2026-12-07): redis-rs served more counter
//! requests per second on one server, a Redis Cluster and behind Sentinel (ahead in 22 of 24
//! pairings, the others within 3%), in 45,500 client-side instructions per request to fred's
//! 58,500.
//!
//! The store's own request path, a load and an increment with everything they cost in the
//! process (`examples/request_path_cost.rs`, callgrind, 2026-12-07): 43,500 instructions on one
//! server, 46,400 behind Sentinel, 67,900 on a Redis Cluster.
//!
//! # Quick start
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use fastsession_core::{Config, Key, adapter::SessionManager, adapter::Sessions};
//! use fastsession_redis::RedisStore;
//!
//! let store = RedisStore::open("redis://127.0.0.1:6379/0")?;
//! store.ping().await?; // optional: fail at start-up rather than on the first request
//! let sessions = Sessions::new(Config::new(Key::generate()?))?;
//! let manager = SessionManager::new(sessions, store);
//! # Ok(()) }
//! ```
//!
//! With an adapter, pass the store where the in-memory store went:
//! `fastsession_axum::layer(config, RedisStore::open(url)?)`.
//!
//! # URLs
//!
//! - `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`, and `rediss://…` for TLS (feature `tls`);
//! - a Unix socket, `redis+unix:///PATH[?db=DB&user=USER&pass=PASSWORD]`, or the same with
//!   `unix://` (on Unix platforms; redis-rs reads both).
//!
//! Percent-encode `/`, `?`, `#` and `@` in a user name or password (`%2F`, `%3F`, `%23`, `%40`)
//! and `&`, `#` in a `pass` value. No error or `Debug` output of this crate shows a password:
//! URLs appear with their userinfo and any `pass=`/`password=` parameter replaced by `***`,
//! also when a password was not encoded, and redis-rs's errors about a URL are reduced to their
//! fixed description.
//!
//! # TLS
//!
//! With the `tls` feature, `rediss://` connects through rustls and verifies the server's
//! certificate, its name included (there is no switch to turn verification off). By default it
//! trusts the web's root certificates; a server whose certificate comes from a private
//! authority, as managed services and self-run deployments often have, needs that authority's
//! certificate in a PEM file:
//!
//! ```no_run
//! # #[cfg(feature = "tls")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use fastsession_redis::RedisStore;
//!
//! let store = RedisStore::builder("rediss://:password@redis.internal:6380/0")
//!     .with_tls_ca_file("/etc/ssl/redis-ca.pem")
//!     .build()?; // reads the file now: a missing or empty one fails here, naming its path
//! store.ping().await?;
//! # Ok(()) }
//! ```
//!
//! rustls needs a process-wide crypto provider; the store installs rustls's `ring` provider
//! when the application has not installed one.
//!
//! # Redis Cluster
//!
//! `redis-cluster://[[USER]:PASSWORD@]HOST:PORT[,HOST:PORT…]` names some of a cluster's nodes
//! (seed nodes; the client learns the rest from them):
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use fastsession_redis::RedisStore;
//!
//! let store = RedisStore::open("redis-cluster://10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379")?;
//! store.ping().await?; // every master answers
//! # Ok(()) }
//! ```
//!
//! Each command goes to the master that serves its key's slot, and `MOVED` and `ASK`
//! redirections are followed within the store timeout. The [administration](RedisAdmin) walks
//! every master. Tested on a real cluster of three masters with one replica each: the store
//! suite, the administration, a rotation whose old and new records live on different masters,
//! a session whose slot moves to another master while the store is in use (reads and writes
//! follow `ASK` during the migration and `MOVED` after it), and the conformance suite on poem.
//!
//! **A master's crash** (`tests/cluster_failover.rs`: a private cluster with a node timeout of
//! 1 s, 60 sessions read in rounds every 20 ms with a 500 ms store timeout, one master's process
//! killed): reads fail until its replica has taken over, then every session answers again from
//! the same store, and none is lost (they were held by a replica before the crash; see
//! [what a failover can lose](#what-a-failover-can-lose)). Measured 2026-12-07: the dead master's
//! sessions failed for 2.1 to 2.6 s after the kill. Reads of the *other* masters' sessions
//! failed too, for up to the last 1.1 s of that window (31 to 128 reads of 40 per round): redis-rs's
//! cluster connection stalls every call while it learns the new topology, and in most runs
//! stayed stalled for good (90 s and more). The store replaces a cluster connection on which no
//! call has succeeded for 1 s while calls fail, which ends the stall; the measured fred client
//! stalled the other masters too. So on a Redis Cluster, a master's crash costs every session a
//! few seconds of 503s, not only that master's.
//!
//! The cluster client resends a command whose reply a dropped connection lost, so a write may
//! run twice. Retiring and deleting give the same answer when run twice; a resent creation finds
//! its ID taken and the request creates its session under another ID (the first record expires
//! unused); a resent update applies its increments twice. On a single server the store never
//! resends a write.
//!
//! # Redis Sentinel
//!
//! `redis-sentinel://[[USER]:PASSWORD@]HOST:PORT[,HOST:PORT…]/MASTER_NAME[/DB]` (or
//! `redis+sentinel://…`) names the sentinels and the name they watch the master under; the
//! userinfo and the database are the master's (the sentinels are asked without a password, and
//! over plain TCP: Sentinel over TLS is not offered yet):
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use fastsession_redis::RedisStore;
//!
//! let store = RedisStore::open(
//!     "redis-sentinel://:password@10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379/sessions",
//! )?;
//! store.ping().await?; // the sentinels name a master, and it answers
//! # Ok(()) }
//! ```
//!
//! The store asks the sentinels for the master on first use and keeps one connection to it. It
//! listens to the sentinels' `+switch-master` announcements and moves to a new master as soon as
//! one is announced; a master that stops answering, or answers `READONLY` (demoted), is
//! forgotten and the next call asks the sentinels again. (A write refused with `READONLY`,
//! which did not run, is also sent once more to the master found anew; no test forces that
//! case, since the announcement moves the store before the old master is demoted.) Tested on a real master, replica and three sentinels (the store
//! suite, the conformance suite on actix-web) and, on setups of their own under load
//! (`tests/sentinel.rs`, 20 sessions read and incremented every 20 ms, `down-after-milliseconds`
//! 1000), through a failover asked of the sentinels (`SENTINEL FAILOVER`) and a master's crash.
//! Measured 2026-12-07 on loopback: after a crash, calls fail for 2.25 to 2.31 s (the sentinels'
//! detection and vote, then the announcement), then all succeed with the same store; an asked
//! failover fails no call.
//!
//! # What a failover can lose
//!
//! Redis replicates asynchronously: a master acknowledges a write before any replica has it. So
//! a failover can lose writes the store acknowledged, a logout among them (the session would come
//! back). Two ways, both measured by `tests/sentinel.rs`:
//!
//! - **A crash:** what the master acknowledged but had not yet sent to the promoted replica.
//!   Sentinel promotes the replica furthest along.
//! - **An asked failover** (or a partition that isolates the master): the old master stays up
//!   and keeps taking writes after its replica was promoted, until the store hears of the new
//!   master (about a second later, with the announcement) and until Sentinel demotes it (seconds
//!   later), which discards them. Measured: 660 of 1,240 increments acknowledged during a 3.4 s
//!   run were lost.
//!
//! [`RedisStoreBuilder::with_replica_wait`] closes both: each write is followed by `WAIT`, and
//! is acknowledged only once that many replicas hold it (otherwise the call fails: 503 or 500,
//! never a false success). Waiting for one replica kept every acknowledged write through a crash
//! (two replicas; 0 of 800 lost). Through an asked failover only waiting for every replica does,
//! since the old master keeps the replicas that were not promoted: with one replica and a wait
//! for it, 0 of 959 were lost, but writes failed for 16.4 s, until the old master had rejoined
//! as the new one's replica. Writes fail whenever fewer replicas than asked are connected: run one
//! more replica than the wait asks for. The same holds on a Redis Cluster, per master.
//!
//! The cost is one more round trip per write, and more: `WAIT` holds the store's one connection
//! until the replicas answer, so the commands queued behind it wait too. Measured 2026-12-07 by
//! `examples/replica_wait_cost.rs` (64 tasks incrementing 256 sessions through the Sentinel setup
//! `scripts/test` starts, one replica, loopback, two cores): 97,000 to 101,000 writes/s without a
//! wait (mean 0.63 to 0.66 ms), 15,000 to 18,000 with a wait for one replica (mean 3.6 to
//! 4.3 ms). Reads share that connection, so they wait behind a `WAIT` as well.
//! `min-replicas-to-write` on the Redis side bounds the old master's writes from the server's
//! end.
//!
//! # Administration
//!
//! [`RedisStore`] has only the per-request API of a
//! [`SessionStore`](fastsession_core::store::SessionStore), which touches one session per call.
//! Operations on every session under the prefix (list the keys, delete them all, delete the
//! expired ones) are on a separate handle, [`RedisAdmin`], from [`RedisStore::admin`]: they scan
//! the whole database, for tests, maintenance and operators, never for request paths.
//!
//! # Failures
//!
//! Every call has a timeout (default [`DEFAULT_TIMEOUT`], 2 s); a load retried once after a
//! dropped connection stays within that same timeout. An unreachable or slow Redis gives
//! a [`StoreError`](fastsession_core::store::StoreError) of kind `Unavailable` or `Timeout`, which the
//! adapters answer with 503 (load) or 500 (save); a dropped connection reconnects by itself, up to
//! twice per call with waits of at most 500 ms. Tested with a single Redis killed and restarted
//! while eight clients count (`conformance-tests/tests/redis_faults.rs`, axum): no request
//! outlasts the store timeout, and the first requests after the restart succeed with the same
//! store. Whether sessions survive a restart is Redis's persistence: with `appendonly yes` and
//! `appendfsync always`, every count the store acknowledged before the kill was still there;
//! without persistence, the sessions are gone (the next request starts a new one).
//!
//! Each store call (`create`, `load`, `apply`, which `touch` uses, `retire`, `delete`) is one
//! `tracing` event with its operation and latency in milliseconds (`elapsed_ms`): at debug level
//! when it succeeds, at warn level with the error's kind when it fails. No event carries a
//! session ID, a key or a value.
//!
//! # Features
//!
//! - `tls`: `rediss://` URLs (see [TLS](#tls)).
//!
//! # Minimum supported Rust version
//!
//! Rust 1.89.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod admin;
mod args;
mod builder;
mod cluster;
mod cluster_connection;
mod connection;
mod keys;
mod replication;
mod reply;
mod scripts;
mod sentinel;
mod store;
#[cfg(feature = "tls")]
mod tls;
mod url;
mod users;

pub use admin::RedisAdmin;
pub use builder::{RedisStoreBuilder, RedisStoreError};
pub use store::{DEFAULT_PREFIX, DEFAULT_TIMEOUT, RedisStore};
