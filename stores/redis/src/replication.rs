//! Waiting for replicas: the store's optional answer to Redis's asynchronous replication.
//!
//! A Redis master acknowledges a write before any replica has it. If the master then crashes,
//! or a failover promotes a replica while the old master still takes writes (Sentinel demotes it
//! seconds later, and it drops what it took meanwhile), writes the store acknowledged are lost:
//! a logout among them would be undone. With [`ReplicaWait`] set
//! ([`RedisStoreBuilder::with_replica_wait`](crate::RedisStoreBuilder::with_replica_wait)),
//! every write is followed by `WAIT`, on the same connection to the same master, and counts as
//! done only once that many replicas have it; otherwise the call fails (503 to the browser), and
//! nothing is acknowledged that a failover to one of those replicas would lose.

use std::time::Duration;

use fastsession_core::store::{StoreError, StoreErrorKind};

use crate::connection::Connection;
use crate::store::store_error;

/// How many replicas must hold each write, and how long the master waits for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ReplicaWait {
    pub(crate) replicas: u32,
    pub(crate) timeout: Duration,
}

/// A write reached fewer replicas than asked in time.
#[derive(Debug, thiserror::Error)]
#[error(
    "the write reached {reached} of the {wanted} replicas asked for within {timeout:?}; it may \
     be lost in a failover, so it is not acknowledged"
)]
pub(crate) struct NotReplicated {
    reached: i64,
    wanted: u32,
    timeout: Duration,
}

impl ReplicaWait {
    /// Waits until the master that holds `key` has copied the writes sent before on
    /// `connection` to the replicas asked for.
    pub(crate) async fn confirm(
        self,
        connection: &mut Connection,
        key: &str,
    ) -> Result<(), StoreError> {
        let timeout_ms = u64::try_from(self.timeout.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let reached = connection
            .wait_for_replicas(key, self.replicas, timeout_ms)
            .await
            .map_err(store_error)?;
        if reached >= i64::from(self.replicas) {
            return Ok(());
        }
        Err(StoreError::new(
            StoreErrorKind::Unavailable,
            NotReplicated {
                reached,
                wanted: self.replicas,
                timeout: self.timeout,
            },
        ))
    }
}
