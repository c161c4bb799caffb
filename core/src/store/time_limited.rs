//! [`TimeLimited`]: a store whose every call gives up after a fixed time.

use std::time::{Duration, SystemTime};

use crate::changes::Changes;
use crate::id::SessionId;
use crate::store::{Expiry, Record, SessionStore, StoreError};

/// Wraps the store of a [`SessionManager`](crate::SessionManager) so that a stalled call fails
/// with [`StoreError::timeout`] instead of hanging the request.
pub(crate) struct TimeLimited<S> {
    pub(crate) store: S,
    pub(crate) limit: Duration,
}

impl<S> TimeLimited<S> {
    async fn within<T>(
        &self,
        call: impl Future<Output = Result<T, StoreError>> + Send,
    ) -> Result<T, StoreError> {
        tokio::time::timeout(self.limit, call)
            .await
            .unwrap_or_else(|_elapsed| Err(StoreError::timeout()))
    }
}

impl<S: SessionStore> SessionStore for TimeLimited<S> {
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
