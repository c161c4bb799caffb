//! Removing ended rows, and the other operations on the whole table: not for request paths.

use std::time::{Duration, SystemTime};

use fastsession_core::store::StoreError;
use tokio::task::JoinHandle;

use crate::errors::store_error;
use crate::store::PostgresStore;

/// How many rows one statement of [`PostgresStore::delete_expired`] removes at most, so that no
/// statement holds many row locks or runs past the store's timeout.
pub const CLEANUP_BATCH: i64 = 1000;

impl PostgresStore {
    /// Deletes every row that ended at or before `now`, live or retired, in statements of at
    /// most [`CLEANUP_BATCH`] rows, each bounded by the store's timeout; returns how many rows
    /// it deleted. Each statement finds its rows through the index on `expires_at`, so it never
    /// scans the table, and skips rows another transaction holds (`FOR UPDATE SKIP LOCKED`), so
    /// instances cleaning at the same time neither wait for nor repeat each other. A row that a
    /// request extends meanwhile is kept.
    ///
    /// To run it from the database instead, schedule (with `pg_cron`, say) the same statement:
    /// `DELETE FROM fastsession_sessions WHERE expires_at <= now()`.
    ///
    /// # Errors
    ///
    /// The store error of the first statement that failed; the rows of the statements before it
    /// stay deleted.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::SystemTime;
    /// use fastsession_postgres::PostgresStore;
    ///
    /// let store = PostgresStore::open("postgres://app@127.0.0.1:5432/app")?;
    /// let deleted = store.delete_expired(SystemTime::now()).await?;
    /// println!("{deleted} ended sessions deleted");
    /// # Ok(()) }
    /// ```
    pub async fn delete_expired(&self, now: SystemTime) -> Result<u64, StoreError> {
        let mut deleted = 0;
        loop {
            let rows = self
                .execute(&self.statements().delete_expired, &[&now, &CLEANUP_BATCH])
                .await?;
            deleted += rows;
            if rows < CLEANUP_BATCH.unsigned_abs() {
                return Ok(deleted);
            }
        }
    }

    /// Starts a task on the current tokio runtime that calls
    /// [`delete_expired`](Self::delete_expired) with the system's time every `period` (the first
    /// time after one `period`). A failure is reported as a `tracing` warning and the task goes
    /// on. The task stops when the returned [`CleanupTask`] is dropped.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, or with a zero `period`.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use fastsession_postgres::PostgresStore;
    ///
    /// let store = PostgresStore::open("postgres://app@127.0.0.1:5432/app")?;
    /// let cleanup = store.spawn_cleanup(Duration::from_secs(300));
    /// // ... serve; the task stops when `cleanup` is dropped.
    /// # drop(cleanup); Ok(()) }
    /// ```
    pub fn spawn_cleanup(&self, period: Duration) -> CleanupTask {
        let store = self.clone();
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        CleanupTask(tokio::spawn(async move {
            loop {
                ticks.tick().await;
                match store.delete_expired(SystemTime::now()).await {
                    Ok(deleted) => tracing::debug!(deleted, "postgres store cleanup"),
                    Err(error) => {
                        let kind = format!("{:?}", error.kind());
                        tracing::warn!(kind, "postgres store cleanup failed");
                    }
                }
            }
        }))
    }

    /// How many rows the table holds, live, retired and ended alike (a `count(*)`, which reads
    /// the whole table: for tests and operators).
    ///
    /// # Errors
    ///
    /// The store error.
    pub async fn row_count(&self) -> Result<u64, StoreError> {
        self.count(&self.statements().count).await
    }

    /// How many sessions the table holds: its rows without the retired ones (which only point
    /// to their successors), ended sessions included until they are deleted. As
    /// [`row_count`](Self::row_count), it reads the whole table: for tests and operators.
    ///
    /// # Errors
    ///
    /// The store error.
    pub async fn session_count(&self) -> Result<u64, StoreError> {
        self.count(&self.statements().count_sessions).await
    }

    async fn count(&self, sql: &str) -> Result<u64, StoreError> {
        self.within_timeout(async {
            let client = self.connection().await?;
            let row = client.query_one(sql, &[]).await.map_err(store_error)?;
            let count: i64 = row.try_get(0).map_err(store_error)?;
            Ok(count.unsigned_abs())
        })
        .await
    }

    /// Deletes every row of the table: every session ends. For tests and operators.
    ///
    /// # Errors
    ///
    /// The store error.
    pub async fn clear(&self) -> Result<u64, StoreError> {
        self.execute(&self.statements().clear, &[]).await
    }
}

/// The cleanup task of [`PostgresStore::spawn_cleanup`]; dropping it stops the task.
#[derive(Debug)]
#[must_use = "the cleanup task stops when this is dropped"]
pub struct CleanupTask(JoinHandle<()>);

impl Drop for CleanupTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}
