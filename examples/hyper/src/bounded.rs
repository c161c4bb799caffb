//! [`Bounded`]: a store whose every call gives up after the configured store timeout.
//!
//! The adapters get this from `SessionManager`, whose wrapper comes with fastsession-core's
//! `driver` feature; without the driver an integration writes its own, as here.

use std::time::{Duration, SystemTime};

use fastsession_core::{Changes, Expiry, Record, SessionId, SessionStore, StoreError};

/// `store` with each call limited to `limit`: a stalled call fails with
/// [`StoreError::timeout`] instead of hanging the request (a load then answers 503, a write 500).
#[derive(Debug)]
pub(crate) struct Bounded<S> {
    store: S,
    limit: Duration,
}

impl<S> Bounded<S> {
    /// Limits every call to `store` to `limit` (`sessions.config().store_timeout()`).
    pub(crate) fn new(store: S, limit: Duration) -> Self {
        Self { store, limit }
    }

    async fn within<T>(
        &self,
        call: impl Future<Output = Result<T, StoreError>> + Send,
    ) -> Result<T, StoreError> {
        tokio::time::timeout(self.limit, call)
            .await
            .unwrap_or_else(|_elapsed| Err(StoreError::timeout()))
    }
}

impl<S: SessionStore> SessionStore for Bounded<S> {
    async fn create(
        &self,
        id: &SessionId,
        record: &Record,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        self.within(self.store.create(id, record, now)).await
    }

    async fn load(&self, id: &SessionId, now: SystemTime) -> Result<Option<Record>, StoreError> {
        self.within(self.store.load(id, now)).await
    }

    async fn apply(
        &self,
        id: &SessionId,
        changes: &Changes,
        expiry: &Expiry,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        self.within(self.store.apply(id, changes, expiry, now))
            .await
    }

    async fn touch(
        &self,
        id: &SessionId,
        expiry: &Expiry,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        self.within(self.store.touch(id, expiry, now)).await
    }

    async fn retire(
        &self,
        id: &SessionId,
        successor: &SessionId,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        self.within(self.store.retire(id, successor, now)).await
    }

    async fn delete(&self, id: &SessionId, now: SystemTime) -> Result<(), StoreError> {
        self.within(self.store.delete(id, now)).await
    }
}
