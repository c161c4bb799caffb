//! [`TimeLimited`]: a store whose every call gives up after a fixed time.

use std::time::{Duration, SystemTime};

use crate::changes::Changes;
use crate::id::SessionId;
use crate::store::{Expiry, ListedSession, Record, SessionRef, SessionStore, StoreError};

/// A store whose every call gives up after `limit` with [`StoreError::timeout`], on tokio's
/// timer: a stalled store answers a 503 or a 500 instead of hanging the request.
///
/// `SessionManager` wraps its store in one, with the configured
/// [store timeout](crate::Config::with_store_timeout); an integration that drives the sans-IO
/// lifecycle itself does the same. Each call is bounded on its own, so a commit is never cut
/// between two of its steps.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// use std::time::{Duration, SystemTime};
/// use fastsession_core::{MemoryStore, id::SessionId, store::SessionStore, store::TimeLimited};
///
/// let store = TimeLimited::new(MemoryStore::new(), Duration::from_secs(2));
/// let id = SessionId::from_bytes([1; 32]);
/// assert!(store.load(&id, SystemTime::now()).await.unwrap().is_none());
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct TimeLimited<S> {
    pub(crate) store: S,
    limit: Duration,
}

impl<S> TimeLimited<S> {
    /// `store`, each call limited to `limit`.
    pub fn new(store: S, limit: Duration) -> Self {
        Self { store, limit }
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.store
    }

    /// The limit on each call.
    pub fn limit(&self) -> Duration {
        self.limit
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

    async fn list_user_session(
        &self,
        user: &str,
        id: &SessionId,
        expires_at: SystemTime,
        now: SystemTime,
    ) -> Result<(), StoreError> {
        self.within(self.store.list_user_session(user, id, expires_at, now))
            .await
    }

    async fn user_sessions(
        &self,
        user: &str,
        now: SystemTime,
    ) -> Result<Vec<ListedSession>, StoreError> {
        self.within(self.store.user_sessions(user, now)).await
    }

    async fn end_user_session(
        &self,
        user: &str,
        session: &SessionRef,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        self.within(self.store.end_user_session(user, session, now))
            .await
    }
}
