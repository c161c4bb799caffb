//! [`PostgresStoreBuilder`] and the errors of a configuration it refuses.

use std::fmt;
use std::str::FromStr as _;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts};
use fastsession_core::limits::MAX_TIMEOUT;
use tokio_postgres::NoTls;

use crate::names::{Identifier, TableName};
use crate::store::{DEFAULT_POOL_SIZE, DEFAULT_TABLE, DEFAULT_TIMEOUT, PostgresStore};
use crate::url::{has_scheme, redact};

/// Builds a [`PostgresStore`]: the URL, then optionally the table, its schema, the timeout and
/// the pool's size.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fastsession_postgres::PostgresStore;
///
/// let store = PostgresStore::builder("postgres://app@127.0.0.1:5432/app")
///     .with_schema("auth")
///     .with_table("web_sessions")
///     .with_timeout(Duration::from_millis(500))
///     .with_pool_size(32)
///     .build()
///     .unwrap();
/// assert_eq!(store.table(), "\"auth\".\"web_sessions\"");
///
/// let error = PostgresStore::builder("postgres://app:s3cret@db/app")
///     .with_table("web-sessions")
///     .build()
///     .unwrap_err();
/// assert!(error.to_string().contains("web-sessions"));
/// ```
#[must_use = "a builder does nothing until `build` is called"]
pub struct PostgresStoreBuilder {
    url: String,
    table: String,
    schema: Option<String>,
    timeout: Duration,
    pool_size: usize,
}

/// The URL is shown with its password hidden.
impl fmt::Debug for PostgresStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStoreBuilder")
            .field("url", &redact(&self.url))
            .field("table", &self.table)
            .field("schema", &self.schema)
            .field("timeout", &self.timeout)
            .field("pool_size", &self.pool_size)
            .finish()
    }
}

impl PostgresStoreBuilder {
    /// A builder for `url`, with the default table, timeout and pool size.
    pub(crate) fn new(url: String) -> Self {
        Self {
            url,
            table: DEFAULT_TABLE.to_owned(),
            schema: None,
            timeout: DEFAULT_TIMEOUT,
            pool_size: DEFAULT_POOL_SIZE,
        }
    }

    /// The table's name; default [`DEFAULT_TABLE`](crate::DEFAULT_TABLE). A plain identifier:
    /// an ASCII letter or `_`, then ASCII letters, digits and `_`, at most 63 bytes.
    pub fn with_table(mut self, table: impl Into<String>) -> Self {
        self.table = table.into();
        self
    }

    /// The schema the table is in, created by [`migrate`](PostgresStore::migrate) if missing;
    /// by default none is named, and the connection's `search_path` decides (usually `public`).
    /// A plain identifier, as for [`with_table`](Self::with_table).
    pub fn with_schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }

    /// The timeout of every call, waiting for a connection included; default
    /// [`DEFAULT_TIMEOUT`](crate::DEFAULT_TIMEOUT). It is also each connection's
    /// `statement_timeout`, so the server gives up on a statement when the store does.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many connections the pool opens at most; default
    /// [`DEFAULT_POOL_SIZE`](crate::DEFAULT_POOL_SIZE). A call holds a connection only for its
    /// one statement, never while a handler runs.
    pub fn with_pool_size(mut self, size: usize) -> Self {
        self.pool_size = size;
        self
    }

    /// The store. Connects to nothing yet: the pool opens connections on first use, so an
    /// application starts while the database is down; call [`PostgresStore::ping`] to check at
    /// start-up.
    ///
    /// # Errors
    ///
    /// A URL that is not `postgres://…` or `postgresql://…` or that the driver cannot read; a
    /// table or schema name that is not a plain identifier; a zero timeout or one above 400
    /// days; a pool of size zero. Messages show the URL with its password hidden.
    pub fn build(self) -> Result<PostgresStore, PostgresStoreError> {
        let table = TableName {
            schema: self
                .schema
                .as_deref()
                .map(|schema| {
                    Identifier::parse(schema).map_err(|reason| PostgresStoreError::Schema {
                        name: schema.to_owned(),
                        reason,
                    })
                })
                .transpose()?,
            table: Identifier::parse(&self.table).map_err(|reason| PostgresStoreError::Table {
                name: self.table.clone(),
                reason,
            })?,
        };
        if self.timeout.is_zero() || self.timeout > MAX_TIMEOUT {
            return Err(PostgresStoreError::Timeout(self.timeout));
        }
        if self.pool_size == 0 {
            return Err(PostgresStoreError::PoolSize);
        }
        let url_error = |reason: String| PostgresStoreError::Url {
            url: redact(&self.url),
            reason,
        };
        if !has_scheme(&self.url) {
            return Err(url_error(
                "it does not start with postgres:// or postgresql://".into(),
            ));
        }
        let mut config = tokio_postgres::Config::from_str(&self.url)
            .map_err(|error| url_error(format!("the driver cannot read it ({error})")))?;
        config.connect_timeout(self.timeout);
        let statement_timeout = format!("-c statement_timeout={}", self.timeout.as_millis());
        let options = match config.get_options() {
            Some(options) => format!("{options} {statement_timeout}"),
            None => statement_timeout,
        };
        config.options(options);
        if config.get_application_name().is_none() {
            config.application_name("fastsession");
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(self.pool_size)
            .runtime(Runtime::Tokio1)
            .timeouts(Timeouts {
                wait: Some(self.timeout),
                create: Some(self.timeout),
                recycle: Some(self.timeout),
            })
            .build()
            .map_err(|error| PostgresStoreError::Pool(error.to_string()))?;
        Ok(PostgresStore::new(pool, &table, self.timeout))
    }
}

/// A configuration [`PostgresStoreBuilder::build`] refuses. Messages name the bad value and what
/// is allowed, and never show a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PostgresStoreError {
    /// The URL is not one the store reads.
    #[error(
        "invalid PostgreSQL URL {url}: {reason}; use \
         postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?OPTIONS]"
    )]
    Url {
        /// The URL, its password hidden.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The table's name is not a plain identifier.
    #[error(
        "invalid table name {name:?}: {reason}; use an ASCII letter or `_`, then ASCII letters, \
         digits and `_`, at most 63 bytes"
    )]
    Table {
        /// The name given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The schema's name is not a plain identifier.
    #[error(
        "invalid schema name {name:?}: {reason}; use an ASCII letter or `_`, then ASCII letters, \
         digits and `_`, at most 63 bytes"
    )]
    Schema {
        /// The name given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The timeout is zero or longer than the longest the library takes.
    #[error(
        "invalid PostgreSQL timeout {0:?}: use a positive duration of at most 400 days, such as 2 seconds"
    )]
    Timeout(Duration),
    /// The pool may open no connection.
    #[error("the PostgreSQL pool size is zero: use at least 1 connection")]
    PoolSize,
    /// The pool could not be built.
    #[error("the PostgreSQL connection pool cannot be built: {0}")]
    Pool(String),
}
