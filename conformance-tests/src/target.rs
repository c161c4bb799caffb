//! What a scenario runs against: a framework and a store.

use crate::options::Framework;

/// Which store backs the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StoreKind {
    /// `MemoryStore`.
    Memory,
    /// `RedisStore`, on `FASTSESSION_REDIS_URL` (default `redis://127.0.0.1:6379`), under a key
    /// prefix of its own.
    Redis,
}

/// A framework and a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Target {
    /// The framework serving the app.
    pub framework: Framework,
    /// The store behind it.
    pub store: StoreKind,
}

impl Target {
    /// `framework` on the in-memory store.
    pub const fn memory(framework: Framework) -> Self {
        Self {
            framework,
            store: StoreKind::Memory,
        }
    }

    /// `framework` on Redis.
    pub const fn redis(framework: Framework) -> Self {
        Self {
            framework,
            store: StoreKind::Redis,
        }
    }
}

impl From<Framework> for Target {
    fn from(framework: Framework) -> Self {
        Self::memory(framework)
    }
}

/// The Redis URL tests use: `FASTSESSION_REDIS_URL`, default `redis://127.0.0.1:6379`.
pub fn redis_url() -> String {
    std::env::var("FASTSESSION_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}
