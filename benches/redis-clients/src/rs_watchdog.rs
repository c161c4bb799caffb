//! A redis-rs cluster connection that is replaced by a new one from the same client when no call
//! on it has succeeded for [`STALL`] while calls fail: a way out of a cluster connection that
//! stopped answering after a failover, which no client setting was found to prevent.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use redis::RedisResult;
use redis::cluster::{ClusterClient, ClusterConfig};
use redis::cluster_async::ClusterConnection;

use crate::rs_client::{self, ClusterVariant};
use crate::workload::OpError;

/// How long calls may fail with no success before the connection is replaced; also the least
/// time between two replacements.
const STALL: Duration = Duration::from_secs(2);

/// A shared cluster connection with its replacement rule. Cheap to clone.
#[derive(Clone)]
pub(crate) struct RebuildingCluster {
    inner: Arc<Inner>,
}

/// The state shared by the clones of a [`RebuildingCluster`].
struct Inner {
    /// The client that builds each connection, and the connections' settings.
    client: ClusterClient,
    config: ClusterConfig,
    /// The connection in use.
    current: RwLock<ClusterConnection>,
    /// The origin of the times below.
    started: Instant,
    /// Milliseconds from `started` to the last success, and to the last replacement.
    last_ok: AtomicU64,
    last_rebuild: AtomicU64,
    /// Replacements so far.
    rebuilds: AtomicU64,
}

impl RebuildingCluster {
    /// The store's cluster connection from `nodes`, under the replacement rule.
    pub(crate) fn new(nodes: &[String]) -> RedisResult<Self> {
        let (client, config) = rs_client::cluster_client(nodes, ClusterVariant::Store)?;
        let connection = client.get_pending_async_connection_with_config(config.clone());
        Ok(Self {
            inner: Arc::new(Inner {
                client,
                config,
                current: RwLock::new(connection),
                started: Instant::now(),
                last_ok: AtomicU64::new(0),
                last_rebuild: AtomicU64::new(0),
                rebuilds: AtomicU64::new(0),
            }),
        })
    }

    fn now(&self) -> u64 {
        u64::try_from(self.inner.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn connection(&self) -> ClusterConnection {
        self.inner.current.read().expect("not poisoned").clone()
    }

    /// Notes the outcome of a call; after a failure, replaces the connection if nothing has
    /// succeeded for [`STALL`] and no replacement happened in that time.
    fn after<T>(&self, answer: Result<T, OpError>) -> Result<T, OpError> {
        let now = self.now();
        let stall = u64::try_from(STALL.as_millis()).unwrap_or(u64::MAX);
        if answer.is_ok() {
            self.inner.last_ok.fetch_max(now, Ordering::Relaxed);
        } else {
            let last_rebuild = self.inner.last_rebuild.load(Ordering::Relaxed);
            if now.saturating_sub(self.inner.last_ok.load(Ordering::Relaxed)) >= stall
                && now.saturating_sub(last_rebuild) >= stall
                && self
                    .inner
                    .last_rebuild
                    .compare_exchange(last_rebuild, now, Ordering::Relaxed, Ordering::Relaxed)
                    .is_ok()
            {
                let fresh = self
                    .inner
                    .client
                    .get_pending_async_connection_with_config(self.inner.config.clone());
                *self.inner.current.write().expect("not poisoned") = fresh;
                let count = self.inner.rebuilds.fetch_add(1, Ordering::Relaxed) + 1;
                eprintln!("redis-rs (RebuildOnStall): connection replaced ({count} so far)");
            }
        }
        answer
    }

    /// The read.
    pub(crate) async fn read(&self, key: &str) -> Result<HashMap<String, String>, OpError> {
        let answer = rs_client::read(&mut self.connection(), key).await;
        self.after(answer)
    }

    /// The write.
    pub(crate) async fn write(&self, key: &str, now: u64) -> Result<i64, OpError> {
        let answer = rs_client::write(&mut self.connection(), key, now).await;
        self.after(answer)
    }
}
