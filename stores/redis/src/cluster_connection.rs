//! [`ClusterHandle`]: the store's Redis Cluster connection, replaced by a new one when it stalls.
//!
//! After a master's crash, redis-rs 1.8.1's cluster connection sometimes stops answering every
//! call, to every master, long after the replica has taken over (in the store's failover test,
//! most runs were still failing 90 s after the kill; no client setting was found to prevent
//! it). A new connection from the same client answers at once. So when calls keep failing and
//! none has succeeded for [`STALL`], the next failure replaces the connection (at most once per
//! [`STALL`]); calls in flight on the old one finish or fail as they would have.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use redis::aio::ConnectionLike;
use redis::cluster::{ClusterClient, ClusterConfig};
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::RoutingInfo;
use redis::{Cmd, Pipeline, RedisFuture, RedisResult, Value};

/// How long calls may fail with no success before the connection is replaced; also the least
/// time between two replacements.
const STALL: Duration = Duration::from_secs(1);

/// A shared cluster connection that replaces itself when it stalls. Cheap to clone.
#[derive(Clone)]
pub(crate) struct ClusterHandle {
    shared: Arc<Shared>,
}

struct Shared {
    client: ClusterClient,
    config: ClusterConfig,
    current: RwLock<ClusterConnection>,
    started: Instant,
    /// Milliseconds from `started` to the last success, and to the last replacement.
    last_success: AtomicU64,
    last_replacement: AtomicU64,
}

impl ClusterHandle {
    /// A handle on a connection from `client`, which connects on first use.
    pub(crate) fn new(client: ClusterClient, config: ClusterConfig) -> Self {
        let connection = client.get_pending_async_connection_with_config(config.clone());
        Self {
            shared: Arc::new(Shared {
                client,
                config,
                current: RwLock::new(connection),
                started: Instant::now(),
                last_success: AtomicU64::new(0),
                last_replacement: AtomicU64::new(0),
            }),
        }
    }

    /// The connection in use.
    fn connection(&self) -> ClusterConnection {
        self.shared
            .current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// `cmd` sent where `routing` says, its outcome noted like every other call's.
    pub(crate) async fn route_command(&self, cmd: Cmd, routing: RoutingInfo) -> RedisResult<Value> {
        let answer = self.connection().route_command(cmd, routing).await;
        self.note(&answer);
        answer
    }

    fn now(&self) -> u64 {
        u64::try_from(self.shared.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Notes how a call ended; after a failure, replaces the connection if nothing has
    /// succeeded for [`STALL`] and it was not replaced in that time.
    fn note<T>(&self, answer: &RedisResult<T>) {
        let now = self.now();
        let shared = &self.shared;
        if answer.is_ok() {
            shared.last_success.fetch_max(now, Ordering::Relaxed);
            return;
        }
        let stall = u64::try_from(STALL.as_millis()).unwrap_or(u64::MAX);
        let replaced = shared.last_replacement.load(Ordering::Relaxed);
        if now.saturating_sub(shared.last_success.load(Ordering::Relaxed)) < stall
            || now.saturating_sub(replaced) < stall
            || shared
                .last_replacement
                .compare_exchange(replaced, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        let fresh = shared
            .client
            .get_pending_async_connection_with_config(shared.config.clone());
        *shared
            .current
            .write()
            .unwrap_or_else(PoisonError::into_inner) = fresh;
        tracing::warn!(
            target: "fastsession_redis",
            "no Redis Cluster call succeeded for 1 s: the cluster connection was replaced"
        );
    }
}

impl ConnectionLike for ClusterHandle {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            let answer = self.connection().req_packed_command(cmd).await;
            self.note(&answer);
            answer
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            let answer = self
                .connection()
                .req_packed_commands(pipeline, offset, count)
                .await;
            self.note(&answer);
            answer
        })
    }

    fn get_db(&self) -> i64 {
        0
    }
}
