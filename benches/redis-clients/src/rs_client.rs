//! redis-rs (the `redis` crate): the store's read and write, its connections on each topology,
//! and a Sentinel wrapper that asks the sentinels again when the master fails.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, RwLock};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::{ClusterClient, ClusterConfig};
use redis::cluster_async::ClusterConnection;
use redis::sentinel::{SentinelClient, SentinelServerType};
use redis::{ConnectionAddr, ProtocolVersion, RedisError, RedisResult, Script};

use crate::workload::{CALL_TIMEOUT, OpError, TTL_MS, WRITE_LUA, seed_fields};

/// The write script, as the store holds its scripts.
static WRITE: LazyLock<Script> = LazyLock::new(|| Script::new(WRITE_LUA));

/// The read, as the store sends it: `HGETALL` into a `HashMap<String, String>`.
pub(crate) async fn read<C: ConnectionLike + Send>(
    connection: &mut C,
    key: &str,
) -> Result<HashMap<String, String>, OpError> {
    redis::cmd("HGETALL")
        .arg(key)
        .query_async(connection)
        .await
        .map_err(|error| error.to_string())
}

/// The write, as the store sends it: `Script::invoke_async`, which sends `EVALSHA` and, on
/// `NOSCRIPT`, `SCRIPT LOAD` then `EVALSHA` again.
pub(crate) async fn write<C: ConnectionLike + Send>(
    connection: &mut C,
    key: &str,
    now: u64,
) -> Result<i64, OpError> {
    WRITE
        .key(key)
        .arg(now)
        .arg(now)
        .arg(now + TTL_MS)
        .arg(TTL_MS)
        .arg("d:counter")
        .arg("18")
        .invoke_async(connection)
        .await
        .map_err(|error| error.to_string())
}

/// The store's single-server connection settings: timeouts, two retries, waits up to 500 ms.
fn manager_config() -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_connection_timeout(Some(CALL_TIMEOUT))
        .set_response_timeout(Some(CALL_TIMEOUT))
        .set_number_of_retries(2)
        .set_max_delay(Duration::from_millis(500))
}

/// A connection manager for `url`, connected before it returns.
pub(crate) async fn manager(url: &str) -> RedisResult<ConnectionManager> {
    let client = redis::Client::open(url)?;
    ConnectionManager::new_with_config(client, manager_config()).await
}

/// A redis-rs cluster configuration: the store's, or the store's with one change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ClusterVariant {
    /// The store's: retries 8, waits 10–500 ms, connection and response timeouts 500 ms.
    Store,
    /// The store's, speaking RESP3.
    Resp3,
    /// The store's with a 100 ms connection timeout.
    Connect100ms,
    /// The store's with 2 retries.
    Retries2,
    /// The store's, giving up on a node after 3 connection attempts (until a slot refresh).
    MaxAttempts3,
    /// The store's with no overall timeout over the retries (each attempt still 500 ms).
    NoOverallTimeout,
    /// The store's, with the connection replaced when nothing succeeded for 2 s (a wrapper,
    /// [`crate::rs_watchdog::RebuildingCluster`], not a setting).
    RebuildOnStall,
}

/// A cluster client and connection settings from `nodes` (`host:port` seeds), configured as
/// `variant`.
pub(crate) fn cluster_client(
    nodes: &[String],
    variant: ClusterVariant,
) -> RedisResult<(ClusterClient, ClusterConfig)> {
    let seeds = nodes.iter().map(|node| format!("redis://{node}"));
    let connection_timeout = match variant {
        ClusterVariant::Connect100ms => Duration::from_millis(100),
        _ => CALL_TIMEOUT,
    };
    let mut builder = ClusterClient::builder(seeds)
        .connection_timeout(connection_timeout)
        .response_timeout(CALL_TIMEOUT)
        .retries(if variant == ClusterVariant::Retries2 {
            2
        } else {
            8
        })
        .min_retry_wait(10)
        .max_retry_wait(500);
    match variant {
        ClusterVariant::Resp3 => builder = builder.use_protocol(ProtocolVersion::RESP3),
        ClusterVariant::MaxAttempts3 => {
            builder = builder.max_connection_attempts(3.try_into().expect("3 is not zero"));
        }
        ClusterVariant::NoOverallTimeout => builder = builder.overall_response_timeout(None),
        _ => {}
    }
    let config = ClusterConfig::new()
        .set_connection_timeout(connection_timeout)
        .set_response_timeout(CALL_TIMEOUT);
    Ok((builder.build()?, config))
}

/// A cluster connection from `nodes`, configured as `variant`. Pending, as the store opens it:
/// it connects on first use.
pub(crate) fn cluster(nodes: &[String], variant: ClusterVariant) -> RedisResult<ClusterConnection> {
    let (client, config) = cluster_client(nodes, variant)?;
    Ok(client.get_pending_async_connection_with_config(config))
}

/// Writes a live session with its four fields at each key, through `connection`.
pub(crate) async fn seed<C: ConnectionLike + Send>(
    connection: &mut C,
    keys: &[String],
) -> RedisResult<()> {
    let fields = seed_fields(crate::workload::now_ms());
    for key in keys {
        let mut hset = redis::cmd("HSET");
        hset.arg(key);
        for (field, value) in &fields {
            hset.arg(*field).arg(value);
        }
        hset.query_async::<()>(connection).await?;
        redis::cmd("PEXPIRE")
            .arg(key)
            .arg(TTL_MS)
            .query_async::<()>(connection)
            .await?;
    }
    Ok(())
}

/// A Sentinel client for the master named `service` behind `sentinels` (`host:port` each).
pub(crate) fn sentinel_client(sentinels: &[String], service: &str) -> RedisResult<SentinelClient> {
    let urls = sentinels
        .iter()
        .map(|node| format!("redis://{node}"))
        .collect();
    SentinelClient::build(urls, service.to_owned(), None, SentinelServerType::Master)
}

/// A connection manager on the master that the sentinels name now. It keeps that address for
/// good: after a failover it reconnects to the old master.
pub(crate) async fn sentinel_once(
    sentinels: &[String],
    service: &str,
) -> RedisResult<ConnectionManager> {
    let client = sentinel_client(sentinels, service)?
        .async_get_client()
        .await?;
    ConnectionManager::new_with_config(client, manager_config()).await
}

/// What a session store needs on top of redis-rs's `SentinelClient`, which has no reconnecting
/// manager: a connection manager on the current master and, when a call on it fails (a dropped
/// or refused connection, a timeout, `READONLY` from a demoted master), one caller at a time asks
/// the sentinels for the master again and swaps in a new manager if the address changed. The
/// failed call itself is not retried.
#[derive(Clone)]
pub(crate) struct SentinelManager {
    inner: Arc<SentinelInner>,
}

/// The state shared by the clones of a [`SentinelManager`].
struct SentinelInner {
    /// The sentinels, and when they were last asked.
    sentinel: tokio::sync::Mutex<(SentinelClient, Option<Instant>)>,
    /// The master's address and the manager connected to it.
    current: RwLock<(ConnectionAddr, ConnectionManager)>,
    /// Bumped on each swap, so that callers that failed on an old manager ask only once.
    generation: AtomicU64,
}

/// The least time between two questions to the sentinels.
const REDISCOVER_EVERY: Duration = Duration::from_millis(100);

impl SentinelManager {
    /// Finds the master and connects to it.
    pub(crate) async fn connect(sentinels: &[String], service: &str) -> RedisResult<Self> {
        let mut sentinel = sentinel_client(sentinels, service)?;
        let client = sentinel.async_get_client().await?;
        let address = client.get_connection_info().addr().clone();
        let manager = ConnectionManager::new_with_config(client, manager_config()).await?;
        Ok(Self {
            inner: Arc::new(SentinelInner {
                sentinel: tokio::sync::Mutex::new((sentinel, None)),
                current: RwLock::new((address, manager)),
                generation: AtomicU64::new(0),
            }),
        })
    }

    fn current(&self) -> (u64, ConnectionManager) {
        let generation = self.inner.generation.load(Ordering::Acquire);
        let current = self.inner.current.read().expect("not poisoned");
        (generation, current.1.clone())
    }

    /// The read on the current master.
    pub(crate) async fn read(&self, key: &str) -> Result<HashMap<String, String>, OpError> {
        let (generation, mut connection) = self.current();
        let answer = redis::cmd("HGETALL")
            .arg(key)
            .query_async(&mut connection)
            .await;
        self.after(generation, answer)
    }

    /// The write on the current master.
    pub(crate) async fn write(&self, key: &str, now: u64) -> Result<i64, OpError> {
        let (generation, mut connection) = self.current();
        let answer = WRITE
            .key(key)
            .arg(now)
            .arg(now)
            .arg(now + TTL_MS)
            .arg(TTL_MS)
            .arg("d:counter")
            .arg("18")
            .invoke_async(&mut connection)
            .await;
        self.after(generation, answer)
    }

    fn after<T>(&self, generation: u64, answer: RedisResult<T>) -> Result<T, OpError> {
        answer.map_err(|error| {
            if master_may_have_moved(&error) {
                let manager = self.clone();
                tokio::spawn(async move { manager.rediscover(generation).await });
            }
            error.to_string()
        })
    }

    /// Asks the sentinels for the master, unless another caller already swapped managers since
    /// `generation` or asked less than [`REDISCOVER_EVERY`] ago.
    async fn rediscover(&self, generation: u64) {
        let mut sentinel = self.inner.sentinel.lock().await;
        if self.inner.generation.load(Ordering::Acquire) != generation
            || sentinel.1.is_some_and(|at| at.elapsed() < REDISCOVER_EVERY)
        {
            return;
        }
        sentinel.1 = Some(Instant::now());
        let Ok(client) = sentinel.0.async_get_client().await else {
            return;
        };
        let address = client.get_connection_info().addr().clone();
        if self.inner.current.read().expect("not poisoned").0 == address {
            return;
        }
        let Ok(manager) = ConnectionManager::new_lazy_with_config(client, manager_config()) else {
            return;
        };
        *self.inner.current.write().expect("not poisoned") = (address, manager);
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
    }
}

/// Whether `error` says the connection's server may no longer be the master.
fn master_may_have_moved(error: &RedisError) -> bool {
    error.is_io_error()
        || error.is_connection_dropped()
        || error.is_connection_refusal()
        || error.is_timeout()
        || error.code() == Some("READONLY")
}

/// The master port of each slot range, from `CLUSTER SLOTS` asked of `node` (`host:port`).
pub(crate) fn cluster_slot_masters(node: &str) -> RedisResult<Vec<(u16, u16, u16)>> {
    let mut connection = redis::Client::open(format!("redis://{node}"))?.get_connection()?;
    let slots: Vec<redis::Value> = redis::cmd("CLUSTER").arg("SLOTS").query(&mut connection)?;
    let mut ranges = Vec::new();
    for range in slots {
        let redis::Value::Array(parts) = range else {
            continue;
        };
        let start: u16 = redis::from_redis_value(parts[0].clone())?;
        let end: u16 = redis::from_redis_value(parts[1].clone())?;
        let redis::Value::Array(master) = parts[2].clone() else {
            continue;
        };
        let port: u16 = redis::from_redis_value(master[1].clone())?;
        ranges.push((start, end, port));
    }
    Ok(ranges)
}
