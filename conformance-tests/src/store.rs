//! The store behind the reference app: in memory, on Redis or on PostgreSQL, behind core's
//! [`FaultyStore`] so tests can count calls and inject faults.

use std::time::SystemTime;

use fastsession_core::testing::FaultyStore;
use fastsession_core::{MemoryStore, store::StoreError};
use fastsession_postgres::PostgresStore;
use fastsession_redis::RedisStore;

pub use fastsession_core::testing::Probe;

/// The reference app's store: a [`Backend`] that fails on demand and counts its calls.
pub type AppStore = FaultyStore<Backend>;

fastsession_core::store_enum! {
    /// Where the sessions are.
    #[derive(Clone, Debug)]
    pub enum Backend {
        /// In this process.
        Memory(MemoryStore),
        /// On Redis.
        Redis(RedisStore),
        /// On PostgreSQL.
        Postgres(PostgresStore),
    }
}

impl Backend {
    /// The reference app's default: an in-memory store with default bounds, behind a probe.
    pub fn memory() -> AppStore {
        FaultyStore::new(Self::Memory(MemoryStore::new()))
    }

    /// Opens the connection to Redis, or creates the PostgreSQL table (nothing for memory), so
    /// that no scenario's first request, under a short store timeout, pays for connecting and a
    /// TLS handshake.
    ///
    /// # Panics
    ///
    /// If the store does not answer within its own timeout.
    pub async fn connect(&self) {
        match self {
            Self::Memory(_) => {}
            Self::Redis(redis) => redis
                .ping()
                .await
                .unwrap_or_else(|error| panic!("Redis does not answer: {error}")),
            Self::Postgres(postgres) => postgres
                .migrate()
                .await
                .unwrap_or_else(|error| panic!("PostgreSQL does not answer: {error}")),
        }
    }

    /// What the store needs before the first request: PostgreSQL's table, created if missing
    /// ([`PostgresStore::migrate`]); nothing for the others, which connect on first use.
    ///
    /// # Errors
    ///
    /// The store error, when PostgreSQL cannot be reached or refuses.
    pub async fn prepare(&self) -> Result<(), StoreError> {
        match self {
            Self::Postgres(postgres) => postgres.migrate().await,
            Self::Memory(_) | Self::Redis(_) => Ok(()),
        }
    }

    /// How many sessions are stored.
    ///
    /// # Panics
    ///
    /// If Redis cannot be read.
    pub async fn count(&self) -> usize {
        match self {
            Self::Memory(memory) => memory.len(),
            Self::Redis(redis) => redis.admin().sessions().await.expect("Redis answers").len(),
            Self::Postgres(postgres) => {
                usize::try_from(postgres.session_count().await.expect("PostgreSQL answers"))
                    .expect("a count that fits")
            }
        }
    }

    /// Deletes every session (nothing for memory, which each app has to itself).
    ///
    /// # Panics
    ///
    /// If the store cannot be written.
    pub async fn clear(&self) {
        match self {
            Self::Memory(_) => {}
            Self::Redis(redis) => {
                redis.admin().clear().await.expect("Redis answers");
            }
            Self::Postgres(postgres) => {
                postgres.clear().await.expect("PostgreSQL answers");
            }
        }
    }

    /// Drops every session that ended at or before `now` (what Redis's TTLs do in real time, for
    /// a test's manual clock).
    ///
    /// # Panics
    ///
    /// If Redis cannot be written.
    pub async fn purge_expired(&self, now: SystemTime) {
        match self {
            Self::Memory(memory) => {
                memory.purge_expired(now);
            }
            Self::Redis(redis) => {
                redis
                    .admin()
                    .purge_expired(now)
                    .await
                    .expect("Redis answers");
            }
            Self::Postgres(postgres) => {
                postgres
                    .delete_expired(now)
                    .await
                    .expect("PostgreSQL answers");
            }
        }
    }
}
