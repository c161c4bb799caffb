//! `bench-http serve`: one library on one framework, on 127.0.0.1, until killed.
//!
//! Every server answers the same routes ([`paths`](crate::target::paths)) the same way: the
//! counter route reads `n`, adds one, writes it back and answers the new value; the read route
//! answers `n`; the untouched route answers `ok` without looking at the session. Each library is
//! set up as its documentation shows, with a signed cookie and defaults elsewhere.

mod actix;
mod actix_memory_store;
mod axum;
mod poem;
mod rocket;

use std::error::Error;
use std::net::SocketAddr;

use fastsession_core::{Config, Key, MemoryStore, SessionError};
use fastsession_postgres::PostgresStore;
use fastsession_redis::RedisStore;

use crate::target::paths::COUNTER_KEY;
use crate::target::{Framework, Library};

pub(crate) type BoxError = Box<dyn Error + Send + Sync>;

/// Where a server listens, and which Redis and PostgreSQL the shared stores use.
#[derive(Clone, Debug)]
pub(crate) struct ServeOptions {
    pub(crate) port: u16,
    pub(crate) redis_url: String,
    pub(crate) postgres_url: String,
}

/// The line a server prints once it accepts connections; the runner waits for it.
pub(crate) const LISTENING: &str = "listening on http://";

/// Serve `library` on `framework` until the process is killed.
pub(crate) fn serve(
    framework: Framework,
    library: Library,
    options: &ServeOptions,
) -> Result<(), BoxError> {
    if !framework.libraries().contains(&library) {
        return Err(format!("{} is not measured on {}", library.name(), framework.name()).into());
    }
    match framework {
        Framework::Axum => axum::serve(library, options),
        Framework::Actix => actix::serve(library, options),
        Framework::Rocket => rocket::serve(library, options),
        Framework::Poem => poem::serve(library, options),
    }
}

fn announce(address: SocketAddr) {
    println!("{LISTENING}{address}");
}

fn address(options: &ServeOptions) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], options.port))
}

/// fastsession with its defaults (idle timeout, lazy, SameSite=Lax, HttpOnly); `Secure` is off
/// only because the benchmark speaks plain HTTP on loopback.
fn fastsession() -> Result<Config, BoxError> {
    let key = Key::try_from(vec![0x5a; 32])?;
    Ok(Config::new(key).with_secure(false))
}

/// The memory store, with room for the growth run (several million sessions) so that what is
/// measured is growth, not eviction.
fn fastsession_memory() -> MemoryStore {
    MemoryStore::new()
        .with_max_entries(8_000_000)
        .with_max_bytes(4 << 30)
}

fn fastsession_redis(options: &ServeOptions) -> Result<RedisStore, BoxError> {
    Ok(RedisStore::builder(options.redis_url.clone())
        .with_prefix("bench:")
        .build()?)
}

/// The PostgreSQL table of fastsession's store in the benchmark's database.
pub(crate) const FASTSESSION_TABLE: &str = "bench_sessions";

/// fastsession's PostgreSQL store, its table created: a pool as large as the peer's.
async fn fastsession_postgres(options: &ServeOptions) -> Result<PostgresStore, BoxError> {
    let store = PostgresStore::builder(options.postgres_url.clone())
        .with_table(FASTSESSION_TABLE)
        .with_pool_size(POSTGRES_POOL)
        .build()?;
    store.migrate().await?;
    Ok(store)
}

/// Connections in each library's PostgreSQL pool.
const POSTGRES_POOL: usize = 16;

/// The counter route's work with fastsession, the same behind every adapter (each adapter's
/// `Session` derefs to core's).
fn fastsession_count(session: &fastsession_core::Session) -> Result<String, SessionError> {
    let n: i64 = session.get(COUNTER_KEY)?.unwrap_or(0) + 1;
    session.insert(COUNTER_KEY, &n)?;
    Ok(n.to_string())
}

/// The read route's work with fastsession.
fn fastsession_read(session: &fastsession_core::Session) -> Result<String, SessionError> {
    Ok(session.get::<i64>(COUNTER_KEY)?.unwrap_or(0).to_string())
}

/// The 64-byte key the peers' signed cookies take (the `cookie` crate's `Key`).
const PEER_KEY: [u8; 64] = [0x5a; 64];
