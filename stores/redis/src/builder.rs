//! [`RedisStoreBuilder`] and [`RedisStoreError`].

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use redis::RedisError;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::cluster::{self, CLUSTER_SCHEME, ClusterUrlError};
use crate::connection::Connection;
use crate::replication::ReplicaWait;
use crate::sentinel::{self, SENTINEL_SCHEMES, SentinelUrlError};
use crate::store::{DEFAULT_PREFIX, DEFAULT_TIMEOUT, RedisStore};
use crate::url::{SCHEMES, reason, redact, scheme};

/// Builds a [`RedisStore`]: the URL, then optionally the key prefix and the timeout.
///
/// Its `Debug` output hides the URL's password, as every error of this crate does.
///
/// # Examples
///
/// ```
/// use fastsession_redis::RedisStore;
///
/// let builder = RedisStore::builder("redis://app:s3cret@redis.internal:6379/0");
/// assert!(!format!("{builder:?}").contains("s3cret"));
/// ```
#[derive(Clone)]
#[must_use]
pub struct RedisStoreBuilder {
    url: String,
    prefix: String,
    timeout: Duration,
    tls_ca_file: Option<PathBuf>,
    replica_wait: Option<ReplicaWait>,
}

impl fmt::Debug for RedisStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStoreBuilder")
            .field("url", &redact(&self.url))
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("tls_ca_file", &self.tls_ca_file)
            .field("replica_wait", &self.replica_wait)
            .finish()
    }
}

impl RedisStoreBuilder {
    /// A builder for `url`, with the default prefix and timeout.
    pub(crate) fn new(url: String) -> Self {
        Self {
            url,
            prefix: DEFAULT_PREFIX.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            tls_ca_file: None,
            replica_wait: None,
        }
    }

    /// The prefix of every key; default [`DEFAULT_PREFIX`](crate::DEFAULT_PREFIX). Give each
    /// application (and each test) its own, one that is not the start of another's (`app:` and
    /// `app:admin:` share keys, as far as [`RedisAdmin`](crate::RedisAdmin) sees). Any characters
    /// but `{` and `}` work, glob characters such as `*` included.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The timeout of every call; default [`DEFAULT_TIMEOUT`](crate::DEFAULT_TIMEOUT).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// For `rediss://`: trust the certificate authorities in this PEM file instead of the web's
    /// root certificates (a private CA, as managed Redis services and self-run clusters use).
    /// The server's certificate is still verified, its name included; [`build`](Self::build)
    /// reads the file and refuses one that holds no certificate.
    pub fn with_tls_ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.tls_ca_file = Some(path.into());
        self
    }

    /// Acknowledge a write only once `replicas` replicas of its master hold it, waiting at most
    /// `timeout` for them (Redis's `WAIT`, one more round trip per write); a write that reaches
    /// fewer in time fails with [`StoreErrorKind::Unavailable`]. Off by default.
    ///
    /// Redis replicates asynchronously: without this, a write the store acknowledged can be lost
    /// when its master crashes before a replica has it, or when a failover promotes a replica
    /// while the old master still takes writes; a lost logout is a session revived. With it, a
    /// failover to a replica that acknowledged keeps every acknowledged write. `timeout` must be
    /// shorter than the store's timeout ([`with_timeout`](Self::with_timeout)), which bounds the
    /// write and the wait together.
    ///
    /// [`StoreErrorKind::Unavailable`]: fastsession_core::store::StoreErrorKind::Unavailable
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use fastsession_redis::RedisStore;
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let store = RedisStore::builder("redis-sentinel://127.0.0.1:26400/fastsession")
    ///     .with_replica_wait(1, Duration::from_millis(100))
    ///     .build();
    /// assert!(store.is_ok());
    ///
    /// let error = RedisStore::builder("redis://127.0.0.1:6379")
    ///     .with_replica_wait(0, Duration::from_millis(100))
    ///     .build()
    ///     .unwrap_err();
    /// assert!(error.to_string().contains("0 replicas"));
    /// # });
    /// ```
    pub fn with_replica_wait(mut self, replicas: u32, timeout: Duration) -> Self {
        self.replica_wait = Some(ReplicaWait { replicas, timeout });
        self
    }

    /// The store. It connects on first use.
    ///
    /// # Errors
    ///
    /// [`RedisStoreError`] for a URL that redis-rs cannot read or whose scheme is not one of
    /// `redis://`, `rediss://` (with the `tls` feature), `redis-cluster://`, `redis-sentinel://`
    /// (or `redis+sentinel://`), `redis+unix://` or `unix://`; an empty
    /// prefix or one with `{`/`}`; a zero timeout; a TLS CA file that cannot be read or holds no
    /// certificate, or one given for a URL without TLS; or a call outside a Tokio runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// use fastsession_redis::RedisStore;
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let store = RedisStore::builder("redis+unix:///run/redis/redis.sock?db=2").build();
    /// assert!(store.is_ok());
    ///
    /// let error = RedisStore::open("redis://app:pa/ss@redis.internal:6379/0").unwrap_err();
    /// assert!(!error.to_string().contains("pa/ss"));
    /// assert!(error.to_string().contains("redis.internal:6379"));
    /// # });
    /// ```
    pub fn build(self) -> Result<RedisStore, RedisStoreError> {
        if self.prefix.is_empty() || self.prefix.contains(['{', '}']) {
            return Err(RedisStoreError::InvalidPrefix {
                prefix: self.prefix,
            });
        }
        if self.timeout.is_zero() {
            return Err(RedisStoreError::ZeroTimeout);
        }
        if let Some(wait) = self.replica_wait
            && (wait.replicas == 0 || wait.timeout.is_zero() || wait.timeout >= self.timeout)
        {
            return Err(RedisStoreError::InvalidReplicaWait {
                replicas: wait.replicas,
                wait: wait.timeout,
                timeout: self.timeout,
            });
        }
        let invalid = |reason: String| RedisStoreError::InvalidUrl {
            url: redact(&self.url),
            reason,
        };
        let scheme = scheme(&self.url);
        match scheme {
            None => {
                return Err(invalid(format!(
                    "the scheme is not one of {}",
                    SCHEMES.join(", ")
                )));
            }
            Some("rediss://") if cfg!(not(feature = "tls")) => {
                return Err(invalid(
                    "rediss:// needs the \"tls\" feature of fastsession-redis".to_owned(),
                ));
            }
            Some(_) => {}
        }
        if self.tls_ca_file.is_some() && scheme != Some("rediss://") {
            return Err(RedisStoreError::TlsCaWithoutTls {
                url: redact(&self.url),
            });
        }
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(RedisStoreError::NoRuntime);
        }
        let rejected = |error: RedisError| invalid(reason(&error, &self.url));
        if scheme == Some(CLUSTER_SCHEME) {
            let connection =
                cluster::connect(&self.url, self.timeout).map_err(|error| match error {
                    ClusterUrlError::Shape(why) => invalid(why.to_owned()),
                    ClusterUrlError::Redis(error) => rejected(error),
                })?;
            return Ok(RedisStore::new(
                Connection::Cluster(connection),
                self.prefix.into(),
                self.timeout,
                self.replica_wait,
            ));
        }
        if scheme.is_some_and(|scheme| SENTINEL_SCHEMES.contains(&scheme)) {
            let connection =
                sentinel::connect(&self.url, self.timeout).map_err(|error| match error {
                    SentinelUrlError::Shape(why) => invalid(why.to_owned()),
                    SentinelUrlError::Redis(error) => rejected(error),
                })?;
            return Ok(RedisStore::new(
                Connection::Sentinel(connection),
                self.prefix.into(),
                self.timeout,
                self.replica_wait,
            ));
        }
        let client = self.client(&rejected)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let connection =
            ConnectionManager::new_lazy_with_config(client, config).map_err(rejected)?;
        Ok(RedisStore::new(
            Connection::Single(connection),
            self.prefix.into(),
            self.timeout,
            self.replica_wait,
        ))
    }
}

impl RedisStoreBuilder {
    /// The redis-rs client for the URL (and, for TLS, the crypto provider and the CA file);
    /// `rejected` turns redis-rs's refusal of the URL into ours.
    fn client(
        &self,
        rejected: &impl Fn(RedisError) -> RedisStoreError,
    ) -> Result<redis::Client, RedisStoreError> {
        #[cfg(feature = "tls")]
        if scheme(&self.url) == Some("rediss://") {
            crate::tls::ensure_crypto_provider();
            if let Some(path) = &self.tls_ca_file {
                let certificates = redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(crate::tls::read_ca_file(path)?),
                };
                return redis::Client::build_with_tls(self.url.as_str(), certificates)
                    .map_err(rejected);
            }
        }
        redis::Client::open(self.url.as_str()).map_err(rejected)
    }
}

/// A [`RedisStore`] could not be built.
///
/// No variant carries a password: URLs are shown with their userinfo and `pass=`/`password=`
/// parameters replaced by `***`, and redis-rs's error is kept only as its description (its detail
/// may echo a value from the URL), not as a source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedisStoreError {
    /// The URL was rejected.
    #[error(
        "invalid Redis URL {url:?} ({reason}): use redis://[[USER]:PASSWORD@]HOST[:PORT][/DB], \
         rediss://… for TLS, redis-cluster://[[USER]:PASSWORD@]HOST:PORT[,HOST:PORT…] for a \
         Redis Cluster, redis-sentinel://[[USER]:PASSWORD@]HOST:PORT[,HOST:PORT…]/MASTER_NAME[/DB] \
         for the master that Sentinel names, or redis+unix:///PATH[?db=DB&pass=PASSWORD] (unix:///PATH likewise)"
    )]
    InvalidUrl {
        /// The URL, with its user name and password hidden.
        url: String,
        /// Why, without the password.
        reason: String,
    },
    /// The prefix was rejected.
    #[error(
        "invalid Redis key prefix {prefix:?}: use a non-empty prefix without '{{' or '}}', such as \"myapp:sessions:\""
    )]
    InvalidPrefix {
        /// The prefix given.
        prefix: String,
    },
    /// The timeout was zero.
    #[error("the Redis timeout is zero: use a positive duration, such as 2 seconds")]
    ZeroTimeout,
    /// The replica wait was rejected.
    #[error(
        "invalid replica wait ({replicas} replicas within {wait:?}, store timeout {timeout:?}): \
         ask for at least 1 replica, within a positive wait shorter than the store's timeout, \
         such as 1 replica within 100 ms"
    )]
    InvalidReplicaWait {
        /// The replicas asked for.
        replicas: u32,
        /// The wait given.
        wait: Duration,
        /// The store's timeout.
        timeout: Duration,
    },
    /// The TLS CA file could not be used.
    #[error(
        "cannot use the TLS CA file {path:?}: {reason}; give a PEM file with the certificate of \
         the authority that signed the Redis server's certificate"
    )]
    TlsCaFile {
        /// The path given.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A TLS CA file was given for a URL without TLS.
    #[error(
        "a TLS CA file was given for {url:?}, which does not use TLS: use a rediss:// URL, or give no CA file"
    )]
    TlsCaWithoutTls {
        /// The URL, with its user name and password hidden.
        url: String,
    },
    /// The store was built outside a Tokio runtime, which its connection needs.
    #[error(
        "a RedisStore must be built inside a Tokio runtime (for example in an async main under #[tokio::main])"
    )]
    NoRuntime,
}
