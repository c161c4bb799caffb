//! [`RedisStore`].

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fastsession_core::{
    id::SessionId, limits::MAX_TIMEOUT, store::Changes, store::Expiry, store::ListedSession,
    store::MAX_SUCCESSORS_FOLLOWED, store::Record, store::SessionRef, store::SessionStore,
    store::StoreError, store::StoreErrorKind, store::UserChange, store::observed,
};
use redis::{AsyncCommands as _, Cmd, RedisError, Script};

use crate::admin::RedisAdmin;
use crate::args::{DataField, Json, script_call};
use crate::builder::{RedisStoreBuilder, RedisStoreError};
use crate::connection::Connection;
use crate::keys::{USER, session_key};
use crate::replication::ReplicaWait;
use crate::scripts::{self, APPLY, CREATE, DELETE, READ, RETIRE};

/// The default key prefix: `fastsession:`.
pub const DEFAULT_PREFIX: &str = "fastsession:";

/// The default timeout of every Redis call: 2 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// A [`SessionStore`] on Redis, shared by every instance of an application.
///
/// Cheap to clone: clones share one multiplexed connection that reconnects by itself. Built
/// without connecting ([`RedisStore::open`]), so an application starts even while Redis is down;
/// call [`RedisStore::ping`] to check at start-up.
///
/// It offers the per-request API of a [`SessionStore`] only; operations on every session under
/// the prefix are on a separate handle, [`RedisStore::admin`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fastsession_redis::RedisStore;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let store = RedisStore::builder("redis://127.0.0.1:6379/0")
///     .with_prefix("shop:sessions:")
///     .with_timeout(Duration::from_millis(500))
///     .build()
///     .unwrap();
/// assert_eq!(store.prefix(), "shop:sessions:");
///
/// let error = RedisStore::open("http://127.0.0.1").unwrap_err();
/// assert!(error.to_string().contains("redis://"));
/// assert!(error.to_string().contains("redis+unix://"));
/// # });
/// ```
#[derive(Clone)]
pub struct RedisStore {
    connection: Connection,
    prefix: Arc<str>,
    timeout: Duration,
    replica_wait: Option<ReplicaWait>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("replica_wait", &self.replica_wait)
            .finish()
    }
}

/// `time` in Unix milliseconds (0 before the epoch).
pub(crate) fn millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |elapsed| {
        u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
    })
}

/// The longest TTL the store sets: the core's longest session lifetime
/// ([`MAX_TIMEOUT`], 400 days), far inside what `PEXPIRE` takes.
const MAX_TTL_MS: u64 = MAX_TIMEOUT.as_secs() * 1000;

/// The TTL for a session ending at `expires`, seen at `now`: at least one millisecond, at most
/// [`MAX_TTL_MS`], whatever the times.
fn ttl(expires: SystemTime, now: SystemTime) -> u64 {
    millis(expires)
        .saturating_sub(millis(now))
        .clamp(1, MAX_TTL_MS)
}

/// `error` as a [`StoreError`] of the kind it is.
pub(crate) fn store_error(error: RedisError) -> StoreError {
    let kind = if error.is_timeout() {
        StoreErrorKind::Timeout
    } else if is_connection_failure(&error) {
        StoreErrorKind::Unavailable
    } else {
        StoreErrorKind::Backend
    };
    StoreError::new(kind, error)
}

/// Whether `error` says the server could not be reached or the connection broke (not that the
/// server answered with an error).
pub(crate) fn is_connection_failure(error: &RedisError) -> bool {
    error.is_io_error() || error.is_connection_refusal() || error.is_connection_dropped()
}

/// Appends one `d:KEY`, JSON value pair per entry to a script call's arguments.
fn with_data_fields<'a>(
    cmd: &mut Cmd,
    entries: impl Iterator<Item = (&'a str, &'a serde_json::Value)>,
) {
    for (key, value) in entries {
        cmd.arg(DataField(key)).arg(Json(value));
    }
}

impl RedisStore {
    /// A store for `url` with the default prefix and timeout.
    ///
    /// # Errors
    ///
    /// As [`RedisStoreBuilder::build`].
    pub fn open(url: &str) -> Result<Self, RedisStoreError> {
        Self::builder(url).build()
    }

    /// A builder for `url`: `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`, `rediss://` (TLS,
    /// with the `tls` feature), or a Unix socket, `redis+unix:///PATH[?db=DB&pass=PASSWORD]` or
    /// `unix:///PATH[?…]`. Percent-encode `/`, `?`, `#` and `@` in a user name or password.
    pub fn builder(url: impl Into<String>) -> RedisStoreBuilder {
        RedisStoreBuilder::new(url.into())
    }

    pub(crate) fn new(
        connection: Connection,
        prefix: Arc<str>,
        timeout: Duration,
        replica_wait: Option<ReplicaWait>,
    ) -> Self {
        Self {
            connection,
            prefix,
            timeout,
            replica_wait,
        }
    }

    /// A handle on the shared connection, for one call.
    pub(crate) fn connection(&self) -> Connection {
        self.connection.clone()
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The Redis key of a session.
    pub fn key(&self, id: &SessionId) -> String {
        session_key(&self.prefix, id)
    }

    /// Runs `operation`, bounded by the store's timeout, mapping its error.
    pub(crate) async fn call<T>(
        &self,
        operation: impl Future<Output = Result<T, RedisError>>,
    ) -> Result<T, StoreError> {
        self.within_timeout(async { operation.await.map_err(store_error) })
            .await
    }

    /// Runs a write script on `key` whose answer is 1 when it wrote, 0 when it refused; after a
    /// write, waits for the replicas if the store was built to
    /// ([`RedisStoreBuilder::with_replica_wait`]). One deadline bounds both.
    async fn answers_one(
        &self,
        key: &str,
        script: &Script,
        call: &Cmd,
    ) -> Result<bool, StoreError> {
        self.within_timeout(async {
            let mut connection = self.connection();
            let answer: i64 = scripts::run(&mut connection, script, call)
                .await
                .map_err(store_error)?;
            self.replicated(&mut connection, key, answer == 1).await?;
            Ok(answer == 1)
        })
        .await
    }

    /// After a call on `connection` that `wrote` to `key`: waits for the replicas, if the store
    /// was built to. The wait's future is boxed: it is rare, and unboxed it would make every
    /// write's future (moved several times on its way through the middleware) kilobytes larger.
    pub(crate) async fn replicated(
        &self,
        connection: &mut Connection,
        key: &str,
        wrote: bool,
    ) -> Result<(), StoreError> {
        match self.replica_wait {
            Some(wait) if wrote => Box::pin(wait.confirm(connection, key)).await,
            _ => Ok(()),
        }
    }

    /// Bounds `operation` by the store's timeout.
    pub(crate) async fn within_timeout<T>(
        &self,
        operation: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        tokio::time::timeout(self.timeout, operation)
            .await
            .unwrap_or_else(|_| Err(StoreError::timeout()))
    }

    /// Checks that Redis answers.
    ///
    /// # Errors
    ///
    /// The store error, as any call would give it.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut connection = self.connection();
        self.call(async move {
            redis::cmd("PING")
                .query_async::<String>(&mut connection)
                .await
        })
        .await
        .map(drop)
    }

    /// The administrative operations on every session under this store's prefix: listing,
    /// clearing and purging. Not for request paths; see [`RedisAdmin`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use fastsession_redis::RedisStore;
    ///
    /// let store = RedisStore::open("redis://127.0.0.1:6379/0")?;
    /// let purged = store.admin().purge_expired(std::time::SystemTime::now()).await?;
    /// # Ok(()) }
    /// ```
    pub fn admin(&self) -> RedisAdmin {
        RedisAdmin::new(self.clone())
    }
}

impl SessionStore for RedisStore {
    async fn create(
        &self,
        id: &SessionId,
        record: &Record,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        observed("redis", "create", async {
            let key = self.key(id);
            let mut call = script_call(&CREATE, &key);
            call.arg(millis(now))
                .arg(millis(record.created_at))
                .arg(millis(record.expiry.refreshed_at))
                .arg(millis(record.expiry.expires_at))
                .arg(ttl(record.expiry.expires_at, now));
            with_data_fields(&mut call, record.data.iter());
            if let Some(user) = &record.user {
                call.arg(USER).arg(user);
            }
            self.answers_one(&key, &CREATE, &call).await
        })
        .await
    }

    async fn load(&self, id: &SessionId, _now: SystemTime) -> Result<Option<Record>, StoreError> {
        observed("redis", "load", async {
            let key = self.key(id);
            let call = script_call(&READ, &key);
            let read = || {
                let mut connection = self.connection();
                let call = &call;
                async move {
                    scripts::run::<Vec<u8>>(&mut connection, &READ, call)
                        .await
                        .map_err(store_error)
                }
            };
            // A read is idempotent: after a dropped connection (the manager is reconnecting), try
            // once more, within the same deadline. Writes are never retried.
            let reply = self
                .within_timeout(async {
                    match read().await {
                        Err(error) if error.kind() == StoreErrorKind::Unavailable => read().await,
                        result => result,
                    }
                })
                .await?;
            crate::reply::record(&reply)
        })
        .await
    }

    async fn apply(
        &self,
        id: &SessionId,
        changes: &Changes,
        expiry: &Expiry,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        observed("redis", "apply", async {
            let key = self.key(id);
            let mut call = script_call(&APPLY, &key);
            call.arg(millis(now))
                .arg(millis(expiry.refreshed_at))
                .arg(millis(expiry.expires_at))
                .arg(ttl(expiry.expires_at, now))
                .arg(u8::from(changes.is_cleared()));
            let unbinds = changes.user() == Some(UserChange::Unbind);
            call.arg(changes.removed().count() + usize::from(unbinds));
            for removed in changes.removed() {
                call.arg(DataField(removed));
            }
            if unbinds {
                call.arg(USER);
            }
            call.arg(changes.incremented().count());
            for (key, by) in changes.incremented() {
                call.arg(DataField(key)).arg(by);
            }
            with_data_fields(&mut call, changes.inserted());
            if let Some(UserChange::Bind(user)) = changes.user() {
                call.arg(USER).arg(user);
            }
            self.answers_one(&key, &APPLY, &call).await
        })
        .await
    }

    async fn touch(
        &self,
        id: &SessionId,
        expiry: &Expiry,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        self.apply(id, &Changes::new(), expiry, now).await
    }

    async fn retire(
        &self,
        id: &SessionId,
        successor: &SessionId,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        observed("redis", "retire", async {
            let key = self.key(id);
            let mut call = script_call(&RETIRE, &key);
            call.arg(millis(now)).arg(self.key(successor));
            self.answers_one(&key, &RETIRE, &call).await
        })
        .await
    }

    async fn delete(&self, id: &SessionId, _now: SystemTime) -> Result<(), StoreError> {
        observed(
            "redis",
            "delete",
            self.delete_chain(self.key(id), Vec::new()),
        )
        .await
    }

    async fn list_user_session(
        &self,
        user: &str,
        id: &SessionId,
        expires_at: SystemTime,
        now: SystemTime,
    ) -> Result<(), StoreError> {
        let listing = self.list_under_user(user, id, expires_at, now);
        observed("redis", "list_user_session", listing).await
    }

    async fn user_sessions(
        &self,
        user: &str,
        now: SystemTime,
    ) -> Result<Vec<ListedSession>, StoreError> {
        observed("redis", "user_sessions", self.sessions_of(user, now)).await
    }

    async fn end_user_session(
        &self,
        user: &str,
        session: &SessionRef,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        observed("redis", "end_user_session", self.end_of(user, session, now)).await
    }
}

impl RedisStore {
    /// Deletes the record under `first` and, one key per call, the successors it leads to; then
    /// the retired records the walk passed, with `retired` (those a caller passed already).
    ///
    /// One key per call, so a predecessor and its successor may hash to any slots (of a Redis
    /// Cluster, on any masters). The walk deletes the live end of the chain and returns the
    /// retired records it passed, deleted afterwards: every step gives the same answer when run
    /// twice, as a cluster client's resend may run it.
    pub(crate) async fn delete_chain(
        &self,
        first: String,
        mut retired: Vec<String>,
    ) -> Result<(), StoreError> {
        let mut next = Some(first);
        for _ in retired.len()..MAX_SUCCESSORS_FOLLOWED {
            let Some(key) = next.take() else { break };
            let walked = key.clone();
            next = self
                .within_timeout(async {
                    let mut connection = self.connection();
                    let call = script_call(&DELETE, &key);
                    let successor: Option<String> = scripts::run(&mut connection, &DELETE, &call)
                        .await
                        .map_err(store_error)?;
                    self.replicated(&mut connection, &key, true).await?;
                    Ok(successor)
                })
                .await?;
            if next.is_some() {
                retired.push(walked);
            }
        }
        for key in retired {
            self.within_timeout(async {
                let mut connection = self.connection();
                let _: usize = connection.del(&key).await.map_err(store_error)?;
                self.replicated(&mut connection, &key, true).await
            })
            .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_stay_within_what_redis_accepts() {
        let now = fastsession_core::testing::store_suite::start();
        assert_eq!(
            ttl(now, now),
            1,
            "an ending session still gets a positive TTL"
        );
        assert_eq!(ttl(UNIX_EPOCH, now), 1, "so does one in the past");
        assert_eq!(ttl(now + Duration::from_millis(1500), now), 1500);
        let far = now + Duration::from_secs(u64::from(u32::MAX) * 1000);
        assert_eq!(ttl(far, now), MAX_TTL_MS, "a far end is capped");
    }
}
