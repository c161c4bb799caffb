//! [`SentinelConnection`]: the store's connection to the master the sentinels name.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use redis::aio::{ConnectionLike, MultiplexedConnection};
use redis::sentinel::{SentinelClient, SentinelNodeConnectionInfo, SentinelServerType};
use redis::{
    AsyncConnectionConfig, Client, Cmd, IntoConnectionInfo as _, Pipeline, RedisError, RedisFuture,
    RedisResult, ServerErrorKind, Value,
};
use tokio::task::AbortHandle;

use super::SentinelUrl;
use crate::store::is_connection_failure;

/// The connection to the current master: shared by clones, moved to a new master when the
/// sentinels announce one, found again when the master stops answering.
#[derive(Clone)]
pub(crate) struct SentinelConnection {
    shared: Arc<Shared>,
}

/// A master connection, and the number of the search or switch that made it.
type Held = (u64, MultiplexedConnection);

pub(super) struct Shared {
    url: SentinelUrl,
    /// Asks the sentinels. Held through every search and switch, so that one at a time
    /// installs a connection.
    sentinels: tokio::sync::Mutex<SentinelClient>,
    master: Mutex<Option<Held>>,
    /// The number of the next search.
    searches: AtomicU64,
    config: AsyncConnectionConfig,
    /// Stops the watcher when the last clone is dropped.
    watcher: OnceLock<AbortHandle>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Some(watcher) = self.watcher.get() {
            watcher.abort();
        }
    }
}

impl SentinelConnection {
    /// A connection to the master of `url`, found on first use, and its watcher, started now.
    pub(super) fn new(url: SentinelUrl, timeout: Duration) -> RedisResult<Self> {
        let settings = url.master_url("sentinel-master").into_connection_info()?;
        let node = SentinelNodeConnectionInfo::default()
            .set_redis_connection_info(settings.redis_settings().clone());
        let client = SentinelClient::build(
            url.sentinels.clone(),
            url.master_name.clone(),
            Some(node),
            SentinelServerType::Master,
        )?;
        let shared = Arc::new(Shared {
            url,
            sentinels: tokio::sync::Mutex::new(client),
            master: Mutex::new(None),
            searches: AtomicU64::new(0),
            config: AsyncConnectionConfig::new()
                .set_connection_timeout(Some(timeout))
                .set_response_timeout(Some(timeout)),
            watcher: OnceLock::new(),
        });
        let watcher = super::watch::spawn(Arc::downgrade(&shared), shared.url.clone());
        let _ = shared.watcher.set(watcher);
        Ok(Self { shared })
    }

    /// Runs `send` on the master's connection, and once more on a new master's if the node
    /// refused it as a replica.
    async fn send<'a, T>(
        &self,
        send: impl Fn(MultiplexedConnection) -> RedisFuture<'a, T>,
    ) -> RedisResult<T> {
        let (search, connection) = self.shared.master().await?;
        match send(connection).await {
            Err(error) if self.shared.forget_after(search, &error) => {
                let (search, connection) = self.shared.master().await?;
                let answer = send(connection).await;
                if let Err(error) = &answer {
                    self.shared.forget_after(search, error);
                }
                answer
            }
            answer => answer,
        }
    }
}

impl Shared {
    /// The master's connection, found through the sentinels if none is held.
    async fn master(&self) -> RedisResult<Held> {
        if let Some(held) = self.held() {
            return Ok(held);
        }
        let mut sentinels = self.sentinels.lock().await;
        // Another call may have found it while this one waited.
        if let Some(held) = self.held() {
            return Ok(held);
        }
        let connection = sentinels
            .async_get_client()
            .await?
            .get_multiplexed_async_connection_with_config(&self.config)
            .await?;
        Ok(self.install(connection))
    }

    /// Moves to the master at `address` (`HOST:PORT`) that a sentinel announced. If it does not
    /// answer, no connection is held and the next call asks the sentinels.
    pub(super) async fn switch_to(&self, address: &str) {
        let _searching = self.sentinels.lock().await;
        let connection = match Client::open(self.url.master_url(address)) {
            Ok(client) => client
                .get_multiplexed_async_connection_with_config(&self.config)
                .await
                .ok(),
            Err(_) => None,
        };
        match connection {
            Some(connection) => {
                self.install(connection);
            }
            None => self.forget(),
        }
    }

    /// Forgets the connection, whichever it is: the next call asks the sentinels.
    pub(super) fn forget(&self) {
        *self.lock_master() = None;
    }

    /// Holds `connection` as the result of a new search, and returns it with its number.
    fn install(&self, connection: MultiplexedConnection) -> Held {
        let search = self.searches.fetch_add(1, Ordering::Relaxed);
        *self.lock_master() = Some((search, connection.clone()));
        (search, connection)
    }

    fn held(&self) -> Option<Held> {
        self.lock_master().clone()
    }

    fn lock_master(&self) -> MutexGuard<'_, Option<Held>> {
        self.master.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets the master of search `search` (not a newer one) after `error`, when the error
    /// says it is gone or is no longer the master; returns whether the command was refused
    /// unrun because the node is a replica.
    fn forget_after(&self, search: u64, error: &RedisError) -> bool {
        let demoted = is_read_only(error);
        if demoted || is_connection_failure(error) || error.is_timeout() {
            let mut master = self.lock_master();
            if master.as_ref().is_some_and(|(held, _)| *held == search) {
                *master = None;
            }
        }
        demoted
    }
}

/// Whether `error` is a replica's refusal of a write.
fn is_read_only(error: &RedisError) -> bool {
    error.kind() == redis::ErrorKind::Server(ServerErrorKind::ReadOnly)
        || error.code() == Some("READONLY")
        || error.to_string().contains("READONLY")
}

impl ConnectionLike for SentinelConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(self.send(move |mut connection| {
            Box::pin(async move { connection.req_packed_command(cmd).await })
        }))
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(self.send(move |mut connection| {
            Box::pin(async move {
                connection
                    .req_packed_commands(pipeline, offset, count)
                    .await
            })
        }))
    }

    fn get_db(&self) -> i64 {
        i64::from(self.shared.url.db)
    }
}
