//! [`PostgresStore`] and its [`SessionStore`] operations.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use deadpool_postgres::Pool;
use fastsession_core::{
    id::SessionId, store::Changes, store::Expiry, store::ListedSession,
    store::MAX_SUCCESSORS_FOLLOWED, store::Record, store::SessionRef, store::SessionStore,
    store::StoreError, store::StoreErrorKind, store::UserChange, store::observed,
};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use crate::builder::{PostgresStoreBuilder, PostgresStoreError};
use crate::data::{StoredData, columns};
use crate::errors::{pool_error, store_error};
use crate::names::TableName;
use crate::statements::Statements;

/// The default table: `fastsession_sessions`.
pub const DEFAULT_TABLE: &str = "fastsession_sessions";

/// The default timeout of every call: 2 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// The default size of the connection pool: 16 connections.
pub const DEFAULT_POOL_SIZE: usize = 16;

/// One statement's parameters.
type Params<'a> = [&'a (dyn ToSql + Sync)];

/// A [`SessionStore`] on PostgreSQL, shared by every instance of an application.
///
/// Cheap to clone: clones share one connection pool. Built without connecting
/// ([`PostgresStore::open`]), so an application starts even while the database is down; call
/// [`PostgresStore::ping`] to check at start-up, and [`PostgresStore::migrate`] once to create
/// the table.
///
/// # Examples
///
/// ```
/// use fastsession_postgres::PostgresStore;
///
/// let store = PostgresStore::open("postgres://app@127.0.0.1:5432/app").unwrap();
/// assert_eq!(store.table(), "\"fastsession_sessions\"");
///
/// let error = PostgresStore::open("mysql://app:s3cret@127.0.0.1/app").unwrap_err();
/// assert!(error.to_string().contains("postgres://"));
/// assert!(!error.to_string().contains("s3cret"));
/// ```
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    statements: Arc<Statements>,
    table: Arc<str>,
    timeout: Duration,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("table", &self.table)
            .field("timeout", &self.timeout)
            .field("pool_size", &self.pool.status().max_size)
            .finish()
    }
}

impl PostgresStore {
    /// A store for `url` with the default table, timeout and pool size.
    ///
    /// # Errors
    ///
    /// As [`PostgresStoreBuilder::build`].
    pub fn open(url: &str) -> Result<Self, PostgresStoreError> {
        Self::builder(url).build()
    }

    /// A builder for `url`: `postgres://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE[?OPTIONS]` (or
    /// `postgresql://…`), as libpq reads it. Percent-encode `@`, `:` and `/` in a user name or
    /// password.
    pub fn builder(url: impl Into<String>) -> PostgresStoreBuilder {
        PostgresStoreBuilder::new(url.into())
    }

    pub(crate) fn new(pool: Pool, table: &TableName, timeout: Duration) -> Self {
        Self {
            pool,
            statements: Arc::new(Statements::new(table)),
            table: table.to_string().into(),
            timeout,
        }
    }

    /// The table, as SQL names it (`"schema"."table"` or `"table"`).
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The statements of this store, for its other modules.
    pub(crate) fn statements(&self) -> &Statements {
        &self.statements
    }

    /// The SQL that [`migrate`](Self::migrate) runs, for applications that apply migrations
    /// with their own tool: the schema (if one is named), the table and its expiry index, each
    /// created only if missing.
    pub fn migration_sql(&self) -> &str {
        &self.statements.migration
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

    /// A pooled connection, for one call.
    pub(crate) async fn connection(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(pool_error)
    }

    /// Runs `sql` (prepared once per connection) and returns how many rows it changed.
    ///
    /// The work is boxed, as in [`query_opt`](Self::query_opt): waiting for a pooled
    /// connection, preparing and running a statement make a future of about 9 KB, which every
    /// layer between the store and the framework would otherwise copy as it passes the future on
    /// (half of a request's instructions went to `memcpy`); boxed, a store call's future is a few
    /// hundred bytes, for one allocation.
    pub(crate) async fn execute(&self, sql: &str, params: &Params<'_>) -> Result<u64, StoreError> {
        Box::pin(self.within_timeout(async {
            let client = self.connection().await?;
            let statement = client.prepare_cached(sql).await.map_err(store_error)?;
            client
                .execute(&statement, params)
                .await
                .map_err(store_error)
        }))
        .await
    }

    /// Runs `sql` (prepared once per connection) and returns its one row, if any. Boxed, as
    /// [`execute`](Self::execute) says why.
    async fn query_opt(&self, sql: &str, params: &Params<'_>) -> Result<Option<Row>, StoreError> {
        Box::pin(async {
            let client = self.connection().await?;
            let statement = client.prepare_cached(sql).await.map_err(store_error)?;
            client
                .query_opt(&statement, params)
                .await
                .map_err(store_error)
        })
        .await
    }

    /// Checks that the database answers.
    ///
    /// # Errors
    ///
    /// The store error, as any call would give it.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.within_timeout(async {
            let client = self.connection().await?;
            client.simple_query("").await.map_err(store_error)?;
            Ok(())
        })
        .await
    }

    /// Creates the table, its expiry index and its schema (if one is named), each only if
    /// missing: run it once at start-up or from a deployment step. It takes a transaction-level
    /// advisory lock first, so instances that start together run it one after the other, and
    /// running it again changes nothing. The SQL is [`migration_sql`](Self::migration_sql).
    ///
    /// # Errors
    ///
    /// The store error when the database cannot be reached or refuses (no right to create the
    /// table, say).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use fastsession_postgres::PostgresStore;
    ///
    /// let store = PostgresStore::open("postgres://app@127.0.0.1:5432/app")?;
    /// store.migrate().await?;
    /// # Ok(()) }
    /// ```
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.within_timeout(async {
            let mut client = self.connection().await?;
            let transaction = client.transaction().await.map_err(store_error)?;
            transaction
                .execute(
                    "SELECT pg_advisory_xact_lock($1)",
                    &[&crate::statements::MIGRATION_LOCK],
                )
                .await
                .map_err(store_error)?;
            transaction
                .batch_execute(&self.statements.migration)
                .await
                .map_err(store_error)?;
            transaction.commit().await.map_err(store_error)
        })
        .await
    }
}

/// Whether a write statement changed its row.
fn changed(rows: u64) -> bool {
    rows == 1
}

impl SessionStore for PostgresStore {
    async fn create(
        &self,
        id: &SessionId,
        record: &Record,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        observed("postgres", "create", async {
            let digest = id.store_digest();
            let (keys, texts) = columns(record.data.iter());
            let rows = self
                .execute(
                    &self.statements.create,
                    &[
                        &&digest[..],
                        &keys,
                        &texts,
                        &record.created_at,
                        &record.expiry.refreshed_at,
                        &record.expiry.expires_at,
                        &now,
                        &record.user,
                    ],
                )
                .await?;
            Ok(changed(rows))
        })
        .await
    }

    async fn load(&self, id: &SessionId, now: SystemTime) -> Result<Option<Record>, StoreError> {
        observed("postgres", "load", async {
            let digest = id.store_digest();
            let params: &Params<'_> = &[&&digest[..], &now];
            let sql = &self.statements.load;
            // A read changes nothing: after a broken connection (the database restarted, and the
            // pool still held the old connection), try once more within the same deadline.
            let row = self
                .within_timeout(async {
                    match self.query_opt(sql, params).await {
                        Err(error) if error.kind() == StoreErrorKind::Unavailable => {
                            self.query_opt(sql, params).await
                        }
                        result => result,
                    }
                })
                .await?;
            row.map(|row| record(&row)).transpose()
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
        if changes.is_empty() {
            return self.touch(id, expiry, now).await;
        }
        observed("postgres", "apply", async {
            let digest = id.store_digest();
            let removed: Vec<&str> = changes.removed().collect();
            let (incremented, deltas): (Vec<&str>, Vec<i64>) = changes.incremented().unzip();
            let (inserted, texts) = columns(changes.inserted());
            let user = match changes.user() {
                Some(UserChange::Bind(user)) => Some(user),
                _ => None,
            };
            let rows = self
                .execute(
                    &self.statements.apply,
                    &[
                        &&digest[..],
                        &now,
                        &changes.is_cleared(),
                        &removed,
                        &incremented,
                        &deltas,
                        &inserted,
                        &texts,
                        &expiry.refreshed_at,
                        &expiry.expires_at,
                        &changes.user().is_some(),
                        &user,
                    ],
                )
                .await?;
            Ok(changed(rows))
        })
        .await
    }

    async fn touch(
        &self,
        id: &SessionId,
        expiry: &Expiry,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        observed("postgres", "touch", async {
            let digest = id.store_digest();
            let rows = self
                .execute(
                    &self.statements.touch,
                    &[&&digest[..], &now, &expiry.refreshed_at, &expiry.expires_at],
                )
                .await?;
            Ok(changed(rows))
        })
        .await
    }

    async fn retire(
        &self,
        id: &SessionId,
        successor: &SessionId,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        observed("postgres", "retire", async {
            let digest = id.store_digest();
            let successor = successor.store_digest();
            let rows = self
                .execute(
                    &self.statements.retire,
                    &[&&digest[..], &now, &&successor[..]],
                )
                .await?;
            Ok(changed(rows))
        })
        .await
    }

    async fn delete(&self, id: &SessionId, _now: SystemTime) -> Result<(), StoreError> {
        observed("postgres", "delete", async {
            let sql = &self.statements.delete;
            let digest = id.store_digest().to_vec();
            let first = self.within_timeout(self.query_opt(sql, &[&digest])).await?;
            self.delete_successors(first).await
        })
        .await
    }

    /// The row itself is the index: its `user_id` column, written in the statement that
    /// writes the row, under a partial index. Nothing to do before the write.
    async fn list_user_session(
        &self,
        _user: &str,
        _id: &SessionId,
        _expires_at: SystemTime,
        _now: SystemTime,
    ) -> Result<(), StoreError> {
        Ok(())
    }

    async fn user_sessions(
        &self,
        user: &str,
        now: SystemTime,
    ) -> Result<Vec<ListedSession>, StoreError> {
        observed("postgres", "user_sessions", self.sessions_of(user, now)).await
    }

    async fn end_user_session(
        &self,
        user: &str,
        session: &SessionRef,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        observed("postgres", "end_user_session", async {
            let sql = &self.statements.end_user_session;
            let digest = session.as_bytes().to_vec();
            let params: &Params<'_> = &[&digest, &user, &now];
            let first = self.within_timeout(self.query_opt(sql, params)).await?;
            let deleted = first.is_some();
            self.delete_successors(first).await?;
            Ok(deleted)
        })
        .await
    }
}

impl PostgresStore {
    /// Deletes the successors a deleted row named (`RETURNING successor`), one row per
    /// statement: the row's lock makes a retirement either land before the delete (which then
    /// returns its successor, deleted next) or find no row.
    async fn delete_successors(&self, deleted: Option<Row>) -> Result<(), StoreError> {
        let mut next = successor(deleted)?;
        for _ in 1..MAX_SUCCESSORS_FOLLOWED {
            let Some(digest) = next.take() else { break };
            let sql = &self.statements.delete;
            let row = self.within_timeout(self.query_opt(sql, &[&digest])).await?;
            next = successor(row)?;
        }
        Ok(())
    }
}

/// The successor a `RETURNING successor` row names, if any.
fn successor(row: Option<Row>) -> Result<Option<Vec<u8>>, StoreError> {
    match row {
        Some(row) => row.try_get(0).map_err(StoreError::corrupt),
        None => Ok(None),
    }
}

/// A row of the load statement as a [`Record`].
fn record(row: &Row) -> Result<Record, StoreError> {
    let corrupt = |error: tokio_postgres::Error| StoreError::corrupt(error);
    let StoredData(data) = row.try_get(0).map_err(corrupt)?;
    Ok(Record {
        data,
        created_at: row.try_get(1).map_err(corrupt)?,
        expiry: Expiry {
            refreshed_at: row.try_get(2).map_err(corrupt)?,
            expires_at: row.try_get(3).map_err(corrupt)?,
        },
        user: row.try_get(4).map_err(corrupt)?,
    })
}
