//! [`RedisAdmin`]: administrative and maintenance operations on every session under a store's
//! prefix.
//!
//! These operations enumerate keys with `SCAN`, so each costs time in proportion to the number of
//! keys in the Redis database (not only the store's own). `sessions`, `clear` and `purge_expired`
//! act on each page of the scan as it comes, with one pipeline of per-key commands: one round
//! trip per page, not per key. They exist for tests, maintenance scripts and operators; a request
//! path never needs them, and never should call them: it has the per-session
//! [`SessionStore`](fastsession_core::store::SessionStore) methods of [`RedisStore`].

use std::time::SystemTime;

use fastsession_core::store::StoreError;
use redis::RedisResult;

use crate::connection::{Connection, ScanNode};
use crate::keys::{SUCCESSOR, is_session_key, scan_pattern};
use crate::scripts::PURGE;
use crate::store::{RedisStore, millis, store_error};

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
/// They walk the scan a page at a time: one `SCAN` call per page, then, except for `keys`, one
/// pipeline with a command per key of the page (`HEXISTS`, `DEL`, or the purge script). Each of
/// these round trips has the store's timeout; an operation as a whole does not.
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

    /// A walk over the keys under the store's prefix, on every server that holds keys.
    async fn scan(&self, connection: &mut Connection) -> Result<Scan, StoreError> {
        Ok(Scan {
            pattern: scan_pattern(self.store.prefix()),
            nodes: self.store.call(connection.scan_nodes()).await?,
            cursor: 0,
            ready: Vec::new(),
        })
    }

    /// Every key under the store's prefix, by `SCAN`: sorted, without duplicates.
    ///
    /// A key created or deleted during the scan may or may not be listed; every key present for
    /// the whole scan is, once.
    ///
    /// # Errors
    ///
    /// The store error of the first Redis call that fails.
    pub async fn keys(&self) -> Result<Vec<String>, StoreError> {
        let mut connection = self.store.connection();
        let mut scan = self.scan(&mut connection).await?;
        let mut keys = Vec::new();
        while let Some(batch) = scan.next_batch(&self.store, &mut connection).await? {
            keys.extend(batch);
        }
        keys.sort_unstable();
        keys.dedup();
        Ok(keys)
    }

    /// The keys of the sessions under the store's prefix: [`RedisAdmin::keys`] without the
    /// pointers that retired sessions leave to their successors (which are not sessions), so
    /// its length is the number of sessions stored, as `MemoryStore::len` counts them. A key under
    /// the prefix that is not a hash is not a session either, and is left out. Sorted, without
    /// duplicates, as [`RedisAdmin::keys`].
    ///
    /// # Errors
    ///
    /// The store error of the first Redis call that fails.
    pub async fn sessions(&self) -> Result<Vec<String>, StoreError> {
        let mut connection = self.store.connection();
        let mut scan = self.scan(&mut connection).await?;
        let mut sessions = Vec::new();
        while let Some(batch) = scan.next_batch(&self.store, &mut connection).await? {
            let mut pipeline = redis::pipe();
            pipeline.ignore_errors();
            // A user's index is no session.
            let prefix = self.store.prefix();
            let batch: Vec<String> = batch
                .into_iter()
                .filter(|key| is_session_key(prefix, key))
                .collect();
            if batch.is_empty() {
                continue;
            }
            for key in &batch {
                pipeline.hexists(key, SUCCESSOR);
            }
            let answers: Vec<RedisResult<bool>> = self
                .store
                .call(pipeline.query_async(&mut connection))
                .await?;
            for (key, answer) in batch.into_iter().zip(answers) {
                match answer {
                    Ok(false) => sessions.push(key),
                    // Retired: only a pointer to its successor.
                    Ok(true) => {}
                    // Not a hash, so not a session either.
                    Err(error) if error.code() == Some("WRONGTYPE") => {}
                    Err(error) => return Err(store_error(error)),
                }
            }
        }
        sessions.sort_unstable();
        sessions.dedup();
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
        let mut connection = self.store.connection();
        let mut scan = self.scan(&mut connection).await?;
        let mut deleted = 0;
        while let Some(batch) = scan.next_batch(&self.store, &mut connection).await? {
            let mut pipeline = redis::pipe();
            for key in &batch {
                pipeline.del(key);
            }
            let removed: Vec<usize> = self
                .store
                .call(pipeline.query_async(&mut connection))
                .await?;
            deleted += removed.into_iter().sum::<usize>();
        }
        Ok(deleted)
    }

    /// Deletes every record under the store's prefix whose stored end is at or before `now`
    /// (and any key there without one: no end field, one that holds no number, or a key that is
    /// not a hash), live or retired, and returns how many it deleted.
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
        let mut connection = self.store.connection();
        let mut scan = self.scan(&mut connection).await?;
        let now = millis(now);
        let mut purged = 0;
        while let Some(batch) = scan.next_batch(&self.store, &mut connection).await? {
            // The pipeline runs the script by its hash (`EVALSHA`), so it loads it first (on the
            // node the batch's slot lives on).
            let mut pipeline = redis::pipe();
            pipeline.load_script(&PURGE).ignore();
            for key in &batch {
                let mut invocation = PURGE.key(key);
                invocation.arg(now);
                pipeline.invoke_script(&invocation);
            }
            let removed: Vec<usize> = self
                .store
                .call(pipeline.query_async(&mut connection))
                .await?;
            purged += removed.into_iter().sum::<usize>();
        }
        Ok(purged)
    }
}

/// A `SCAN … MATCH prefix*` walk over the keys under a prefix, one page at a time, server by
/// server (on a cluster, master by master: a cursor belongs to one node).
struct Scan {
    pattern: String,
    /// The servers still to walk; the last is the current one.
    nodes: Vec<ScanNode>,
    /// The cursor on the current server.
    cursor: u64,
    /// The rest of the last page, in batches one pipeline can carry.
    ready: Vec<Vec<String>>,
}

impl Scan {
    /// The keys of the next batch one pipeline can carry ([`Connection::batches`]: a whole page
    /// on a single server, the page's keys of one slot on a cluster), or `None` at the end of
    /// the walk.
    async fn next_batch(
        &mut self,
        store: &RedisStore,
        connection: &mut Connection,
    ) -> Result<Option<Vec<String>>, StoreError> {
        loop {
            if let Some(batch) = self.ready.pop() {
                return Ok(Some(batch));
            }
            let Some(page) = self.next_page(store, connection).await? else {
                return Ok(None);
            };
            self.ready = connection.batches(page);
        }
    }

    /// The keys of the next page that has any, or `None` at the end of the walk. A key may
    /// appear on two pages.
    async fn next_page(
        &mut self,
        store: &RedisStore,
        connection: &mut Connection,
    ) -> Result<Option<Vec<String>>, StoreError> {
        while let Some(node) = self.nodes.last() {
            let mut scan = redis::cmd("SCAN");
            scan.arg(self.cursor)
                .arg("MATCH")
                .arg(&self.pattern)
                .arg("COUNT")
                .arg(500);
            let (next, page): (u64, Vec<String>) =
                store.call(connection.query_on(scan, node)).await?;
            self.cursor = next;
            if next == 0 {
                self.nodes.pop();
            }
            if !page.is_empty() {
                return Ok(Some(page));
            }
        }
        Ok(None)
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
