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
    /// `RedisStore` over TLS, on `FASTSESSION_REDIS_TLS_URL` (default
    /// `rediss://127.0.0.1:6390`), trusting the certificate authority in
    /// `FASTSESSION_REDIS_TLS_CA`; `scripts/test` starts that server and sets both.
    RedisTls,
    /// `RedisStore` on a Redis Cluster, on `FASTSESSION_REDIS_CLUSTER_URL` (default
    /// `redis-cluster://127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002`, the cluster
    /// `scripts/test` starts).
    RedisCluster,
    /// `RedisStore` behind Redis Sentinel, on `FASTSESSION_REDIS_SENTINEL_URL` (default
    /// `redis-sentinel://127.0.0.1:26400,127.0.0.1:26401,127.0.0.1:26402/fastsession`, the
    /// master, replica and three sentinels `scripts/test` starts).
    RedisSentinel,
    /// `PostgresStore`, on `FASTSESSION_POSTGRES_URL` (default the scratch database
    /// `scripts/test` creates, `postgres://postgres@127.0.0.1:5432/fastsession_test`), on a
    /// table of its own.
    Postgres,
}

impl StoreKind {
    /// Whether it is one of the Redis stores.
    pub const fn is_redis(self) -> bool {
        matches!(
            self,
            Self::Redis | Self::RedisTls | Self::RedisCluster | Self::RedisSentinel
        )
    }
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

    /// `framework` on a Redis Cluster.
    pub const fn redis_cluster(framework: Framework) -> Self {
        Self {
            framework,
            store: StoreKind::RedisCluster,
        }
    }

    /// `framework` on the master that Redis Sentinel names.
    pub const fn redis_sentinel(framework: Framework) -> Self {
        Self {
            framework,
            store: StoreKind::RedisSentinel,
        }
    }

    /// `framework` on PostgreSQL.
    pub const fn postgres(framework: Framework) -> Self {
        Self {
            framework,
            store: StoreKind::Postgres,
        }
    }

    /// `framework` on Redis over TLS.
    pub const fn redis_tls(framework: Framework) -> Self {
        Self {
            framework,
            store: StoreKind::RedisTls,
        }
    }
}

impl From<Framework> for Target {
    fn from(framework: Framework) -> Self {
        Self::memory(framework)
    }
}

/// The PostgreSQL database tests use: `FASTSESSION_POSTGRES_URL`, default
/// `postgres://postgres@127.0.0.1:5432/fastsession_test` (the scratch database `scripts/test`
/// creates for each run).
pub fn postgres_url() -> String {
    std::env::var("FASTSESSION_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/fastsession_test".to_owned())
}

/// The Redis URL tests use: `FASTSESSION_REDIS_URL`, default `redis://127.0.0.1:6379`.
pub fn redis_url() -> String {
    std::env::var("FASTSESSION_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// The TLS Redis the TLS tests use: `FASTSESSION_REDIS_TLS_URL`, default
/// `rediss://127.0.0.1:6390`, and the path of the PEM file of its certificate authority,
/// `FASTSESSION_REDIS_TLS_CA`.
///
/// # Panics
///
/// When `FASTSESSION_REDIS_TLS_CA` is not set: `scripts/test` starts the server and sets it.
pub fn redis_tls() -> (String, std::path::PathBuf) {
    let url = std::env::var("FASTSESSION_REDIS_TLS_URL")
        .unwrap_or_else(|_| "rediss://127.0.0.1:6390".to_owned());
    let ca = std::env::var_os("FASTSESSION_REDIS_TLS_CA").unwrap_or_else(|| {
        panic!(
            "FASTSESSION_REDIS_TLS_CA is not set: run `bash scripts/test`, which starts a Redis \
             with TLS and sets it"
        )
    });
    (url, ca.into())
}

/// The Redis Cluster the cluster tests use: `FASTSESSION_REDIS_CLUSTER_URL`, default
/// `redis-cluster://127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002`.
pub fn redis_cluster_url() -> String {
    std::env::var("FASTSESSION_REDIS_CLUSTER_URL").unwrap_or_else(|_| {
        "redis-cluster://127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002".to_owned()
    })
}

/// The Sentinel setup the sentinel tests use: `FASTSESSION_REDIS_SENTINEL_URL`, default
/// `redis-sentinel://127.0.0.1:26400,127.0.0.1:26401,127.0.0.1:26402/fastsession`.
pub fn redis_sentinel_url() -> String {
    std::env::var("FASTSESSION_REDIS_SENTINEL_URL").unwrap_or_else(|_| {
        "redis-sentinel://127.0.0.1:26400,127.0.0.1:26401,127.0.0.1:26402/fastsession".to_owned()
    })
}
