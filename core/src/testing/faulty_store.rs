//! [`FaultyStore`]: any store, failing on demand and counting the calls made to it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::SystemTime;

use crate::changes::Changes;
use crate::id::SessionId;
use crate::store::{Expiry, ListedSession, Record, SessionRef, SessionStore, StoreError};

/// Switches that make a [`FaultyStore`]'s operations fail or stall, and counters of the calls
/// made. Every operation is counted, failed, stalled or not. A stalled operation never answers:
/// it waits until the caller gives up (the [store timeout](crate::Config::with_store_timeout)).
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Probe {
    /// Fail every `load`.
    pub fail_load: AtomicBool,
    /// Fail every `create`.
    pub fail_create: AtomicBool,
    /// Fail every `apply`.
    pub fail_apply: AtomicBool,
    /// Fail every `touch`.
    pub fail_touch: AtomicBool,
    /// Fail every `delete`.
    pub fail_delete: AtomicBool,
    /// Fail every `retire`.
    pub fail_retire: AtomicBool,
    /// Stall every `load`.
    pub stall_load: AtomicBool,
    /// Stall every `create`, `apply`, `touch` and `retire`.
    pub stall_writes: AtomicBool,
    /// Stall every `delete`.
    pub stall_delete: AtomicBool,
    /// Fail every call of the user index: `list_user_session`, `user_sessions` and
    /// `end_user_session`.
    pub fail_user_index: AtomicBool,
    /// Loads made.
    pub loads: AtomicUsize,
    /// Creates, applies and touches made.
    pub writes: AtomicUsize,
    /// Deletes made.
    pub deletes: AtomicUsize,
    /// Retirements made (counted with neither writes nor deletes).
    pub retires: AtomicUsize,
    /// Calls of the user index made (counted apart from the others).
    pub user_index_calls: AtomicUsize,
}

impl Probe {
    /// Turns a switch on or off.
    pub fn set(flag: &AtomicBool, on: bool) {
        flag.store(on, Ordering::SeqCst);
    }

    /// Fails (or stops failing) every write: `create`, `apply` and `touch`.
    pub fn fail_writes(&self, on: bool) {
        for flag in [&self.fail_create, &self.fail_apply, &self.fail_touch] {
            Self::set(flag, on);
        }
    }

    /// Reads a counter.
    pub fn count(counter: &AtomicUsize) -> usize {
        counter.load(Ordering::SeqCst)
    }
}

/// A store wrapper that fails the operations its [`Probe`] says, with
/// [`StoreError::unavailable`], and otherwise passes them to the wrapped store. Clones share the
/// probe.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use std::time::SystemTime;
/// use fastsession_core::testing::{FaultyStore, Probe};
/// use fastsession_core::{MemoryStore, id::SessionId, store::SessionStore};
///
/// let store = FaultyStore::new(MemoryStore::new());
/// let id = SessionId::from_bytes([7; 32]);
/// Probe::set(&store.probe().fail_load, true);
/// assert!(store.load(&id, SystemTime::now()).await.is_err());
/// Probe::set(&store.probe().fail_load, false);
/// assert!(store.load(&id, SystemTime::now()).await.unwrap().is_none());
/// assert_eq!(Probe::count(&store.probe().loads), 2);
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct FaultyStore<S> {
    inner: S,
    probe: Arc<Probe>,
}

impl<S> FaultyStore<S> {
    /// Wraps `inner`, with every switch off.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            probe: Arc::default(),
        }
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The switches and counters.
    pub fn probe(&self) -> &Probe {
        &self.probe
    }
}

/// Counts the call, then stalls it forever or fails it if the switches say so.
async fn counted(
    counter: &AtomicUsize,
    fail: &AtomicBool,
    stall: &AtomicBool,
) -> Result<(), StoreError> {
    counter.fetch_add(1, Ordering::SeqCst);
    if stall.load(Ordering::SeqCst) {
        std::future::pending::<()>().await;
    }
    if fail.load(Ordering::SeqCst) {
        Err(StoreError::unavailable("a fault injected by the test"))
    } else {
        Ok(())
    }
}

impl<S: SessionStore> SessionStore for FaultyStore<S> {
    async fn create(
        &self,
        id: &SessionId,
        record: &Record,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        let probe = &self.probe;
        counted(&probe.writes, &probe.fail_create, &probe.stall_writes).await?;
        self.inner.create(id, record, now).await
    }

    async fn load(&self, id: &SessionId, now: SystemTime) -> Result<Option<Record>, StoreError> {
        let probe = &self.probe;
        counted(&probe.loads, &probe.fail_load, &probe.stall_load).await?;
        self.inner.load(id, now).await
    }

    async fn apply(
        &self,
        id: &SessionId,
        changes: &Changes,
        expiry: &Expiry,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        let probe = &self.probe;
        counted(&probe.writes, &probe.fail_apply, &probe.stall_writes).await?;
        self.inner.apply(id, changes, expiry, now).await
    }

    async fn touch(
        &self,
        id: &SessionId,
        expiry: &Expiry,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        let probe = &self.probe;
        counted(&probe.writes, &probe.fail_touch, &probe.stall_writes).await?;
        self.inner.touch(id, expiry, now).await
    }

    async fn retire(
        &self,
        id: &SessionId,
        successor: &SessionId,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        let probe = &self.probe;
        counted(&probe.retires, &probe.fail_retire, &probe.stall_writes).await?;
        self.inner.retire(id, successor, now).await
    }

    async fn delete(&self, id: &SessionId, now: SystemTime) -> Result<(), StoreError> {
        let probe = &self.probe;
        counted(&probe.deletes, &probe.fail_delete, &probe.stall_delete).await?;
        self.inner.delete(id, now).await
    }

    async fn list_user_session(
        &self,
        user: &str,
        id: &SessionId,
        expires_at: SystemTime,
        now: SystemTime,
    ) -> Result<(), StoreError> {
        let probe = &self.probe;
        counted(
            &probe.user_index_calls,
            &probe.fail_user_index,
            &probe.stall_writes,
        )
        .await?;
        self.inner
            .list_user_session(user, id, expires_at, now)
            .await
    }

    async fn user_sessions(
        &self,
        user: &str,
        now: SystemTime,
    ) -> Result<Vec<ListedSession>, StoreError> {
        let probe = &self.probe;
        counted(
            &probe.user_index_calls,
            &probe.fail_user_index,
            &probe.stall_load,
        )
        .await?;
        self.inner.user_sessions(user, now).await
    }

    async fn end_user_session(
        &self,
        user: &str,
        session: &SessionRef,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        let probe = &self.probe;
        counted(
            &probe.user_index_calls,
            &probe.fail_user_index,
            &probe.stall_delete,
        )
        .await?;
        self.inner.end_user_session(user, session, now).await
    }
}
