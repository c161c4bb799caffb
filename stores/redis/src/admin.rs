//! [`RedisAdmin`]: administrative and maintenance operations on every session under a store's
//! prefix.
//!
//! These operations enumerate keys with `SCAN`, so each costs time in proportion to the number of
//! keys in the Redis database (not only the store's own), and `clear` and `purge_expired` then
//! delete one key per call. They exist for tests, maintenance scripts and operators; a request
//! path never needs them, and never should call them: it has the per-session
//! [`SessionStore`](fastsession_core::SessionStore) methods of [`RedisStore`].

use std::time::SystemTime;

use fastsession_core::StoreError;

use crate::keys::{SUCCESSOR, scan_pattern};
use crate::scripts::PURGE;
use crate::store::{RedisStore, millis};

/// Administrative operations on every session under a [`RedisStore`]'s prefix: list the keys,
/// delete them all, delete the expired ones.
///
/// Obtained from [`RedisStore::admin`]. Each operation scans the whole Redis database with
/// `SCAN … MATCH prefix*` (the prefix's glob characters escaped, so a prefix `app*` never reaches
/// the keys of `app-other:`), which takes time in proportion to the number of keys: for tests,
/// maintenance and operators, never for request paths. Retired records (a session that ended in
/// favour of a successor) are records like any other here: listed, cleared, and purged once
/// their end has passed.
///
/// Each Redis call has the store's timeout; an operation as a whole does not.
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::SystemTime;
/// use fastsession_redis::RedisStore;
///
/// let store = RedisStore::builder("redis://127.0.0.1:6379/0")
///     .with_prefix("shop:sessions:")
///     .build()?;
/// let admin = store.admin();
/// println!("{} sessions", admin.keys().await?.len());
/// let purged = admin.purge_expired(SystemTime::now()).await?;
/// println!("{purged} expired sessions deleted");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct RedisAdmin {
    store: RedisStore,
}

impl RedisAdmin {
    pub(crate) fn new(store: RedisStore) -> Self {
        Self { store }
    }

    /// The store these operations act on.
    pub fn store(&self) -> &RedisStore {
        &self.store
    }

    /// Every key under the store's prefix, in no particular order, by `SCAN`.
    ///
    /// A key created or deleted during the scan may or may not be listed; every key present for
    /// the whole scan is, once.
    ///
    /// # Errors
    ///
    /// The store error of the first Redis call that fails.
    pub async fn keys(&self) -> Result<Vec<String>, StoreError> {
        let pattern = scan_pattern(self.store.prefix());
        let mut keys = Vec::new();
        let mut cursor: u64 = 0;
        loop {
            let mut connection = self.store.connection();
            let (next, batch): (u64, Vec<String>) = self
                .store
                .call(
                    redis::cmd("SCAN")
                        .arg(cursor)
                        .arg("MATCH")
                        .arg(&pattern)
                        .arg("COUNT")
                        .arg(500)
                        .query_async(&mut connection),
                )
                .await?;
            keys.extend(batch);
            if next == 0 {
                keys.sort_unstable();
                keys.dedup();
                return Ok(keys);
            }
            cursor = next;
        }
    }

    /// The keys of the sessions under the store's prefix: [`RedisAdmin::keys`] without the
    /// pointers that retired sessions leave to their successors (which are not sessions), so
    /// its length is the number of sessions stored, as `MemoryStore::len` counts them.
    ///
    /// # Errors
    ///
    /// The store error of the first Redis call that fails.
    pub async fn sessions(&self) -> Result<Vec<String>, StoreError> {
        let mut sessions = Vec::new();
        for key in self.keys().await? {
            let mut connection = self.store.connection();
            let retired: bool = self
                .store
                .call(
                    redis::cmd("HEXISTS")
                        .arg(&key)
                        .arg(SUCCESSOR)
                        .query_async(&mut connection),
                )
                .await?;
            if !retired {
                sessions.push(key);
            }
        }
        Ok(sessions)
    }

    /// Deletes every key under the store's prefix: every session of the application ends.
    /// Returns how many keys it deleted.
    ///
    /// # Errors
    ///
    /// The store error of the first Redis call that fails; the keys deleted until then stay
    /// deleted.
    pub async fn clear(&self) -> Result<usize, StoreError> {
        let mut deleted = 0;
        for key in self.keys().await? {
            let mut connection = self.store.connection();
            let removed: usize = self
                .store
                .call(redis::cmd("DEL").arg(&key).query_async(&mut connection))
                .await?;
            deleted += removed;
        }
        Ok(deleted)
    }

    /// Deletes every record under the store's prefix whose stored end is at or before `now`
    /// (and any key there without one), live or retired, and returns how many it deleted.
    ///
    /// Redis's own TTLs remove records as they end; this is for tests that move a manual clock,
    /// and for operators. Each record is checked and deleted by one script, so a record that a
    /// request extends meanwhile is kept.
    ///
    /// # Errors
    ///
    /// The store error of the first Redis call that fails; the records deleted until then stay
    /// deleted.
    pub async fn purge_expired(&self, now: SystemTime) -> Result<usize, StoreError> {
        let mut purged = 0;
        for key in self.keys().await? {
            let mut connection = self.store.connection();
            let mut invocation = PURGE.key(&key);
            invocation.arg(millis(now));
            let removed: usize = self
                .store
                .call(invocation.invoke_async(&mut connection))
                .await?;
            purged += removed;
        }
        Ok(purged)
    }
}

/// The operations on every session are not on the store itself:
///
/// ```compile_fail
/// # async fn run(store: fastsession_redis::RedisStore) {
/// let _ = store.keys().await;
/// # }
/// ```
///
/// ```compile_fail
/// # async fn run(store: fastsession_redis::RedisStore) {
/// let _ = store.clear().await;
/// # }
/// ```
///
/// ```compile_fail
/// # async fn run(store: fastsession_redis::RedisStore) {
/// let _ = store.purge_expired(std::time::SystemTime::now()).await;
/// # }
/// ```
///
/// while they are on its admin handle:
///
/// ```
/// # async fn run(store: fastsession_redis::RedisStore) {
/// let admin = store.admin();
/// let _ = admin.keys().await;
/// let _ = admin.clear().await;
/// let _ = admin.purge_expired(std::time::SystemTime::now()).await;
/// # }
/// ```
#[cfg(doctest)]
pub struct AdminOperationsAreNotOnTheStore;
