//! The store behind the reference app: the in-memory store, wrapped so tests can count calls
//! and inject faults.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::SystemTime;

use fastsession_core::{Changes, Expiry, MemoryStore, Record, SessionId, SessionStore, StoreError};

/// Switches that make store operations fail, and counters of the calls made.
#[derive(Debug, Default)]
pub struct Probe {
    /// Fail every load.
    pub fail_load: AtomicBool,
    /// Fail every create, apply and touch.
    pub fail_save: AtomicBool,
    /// Fail every delete.
    pub fail_delete: AtomicBool,
    /// Loads made.
    pub loads: AtomicUsize,
    /// Creates, applies and touches made.
    pub writes: AtomicUsize,
    /// Deletes made.
    pub deletes: AtomicUsize,
}

impl Probe {
    /// Sets a switch.
    pub fn set(flag: &AtomicBool, on: bool) {
        flag.store(on, Ordering::SeqCst);
    }

    /// Reads a counter.
    pub fn count(counter: &AtomicUsize) -> usize {
        counter.load(Ordering::SeqCst)
    }
}

/// The reference app's store: an in-memory store behind a [`Probe`].
#[derive(Clone, Debug)]
pub struct AppStore {
    /// The sessions.
    pub memory: MemoryStore,
    /// Faults and counters.
    pub probe: Arc<Probe>,
}

impl AppStore {
    /// An in-memory store with default bounds.
    pub fn memory() -> Self {
        Self::over(MemoryStore::new())
    }

    /// A probe over this memory store.
    pub fn over(memory: MemoryStore) -> Self {
        Self {
            memory,
            probe: Arc::default(),
        }
    }
}

fn check(flag: &AtomicBool) -> Result<(), StoreError> {
    if flag.load(Ordering::SeqCst) {
        Err(StoreError::unavailable("a fault injected by the test"))
    } else {
        Ok(())
    }
}

impl SessionStore for AppStore {
    async fn create(
        &self,
        id: &SessionId,
        record: &Record,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        self.probe.writes.fetch_add(1, Ordering::SeqCst);
        check(&self.probe.fail_save)?;
        self.memory.create(id, record, now).await
    }

    async fn load(&self, id: &SessionId, now: SystemTime) -> Result<Option<Record>, StoreError> {
        self.probe.loads.fetch_add(1, Ordering::SeqCst);
        check(&self.probe.fail_load)?;
        self.memory.load(id, now).await
    }

    async fn apply(
        &self,
        id: &SessionId,
        changes: &Changes,
        expiry: &Expiry,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        self.probe.writes.fetch_add(1, Ordering::SeqCst);
        check(&self.probe.fail_save)?;
        self.memory.apply(id, changes, expiry, now).await
    }

    async fn touch(
        &self,
        id: &SessionId,
        expiry: &Expiry,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        self.probe.writes.fetch_add(1, Ordering::SeqCst);
        check(&self.probe.fail_save)?;
        self.memory.touch(id, expiry, now).await
    }

    async fn delete(&self, id: &SessionId, now: SystemTime) -> Result<(), StoreError> {
        self.probe.deletes.fetch_add(1, Ordering::SeqCst);
        check(&self.probe.fail_delete)?;
        self.memory.delete(id, now).await
    }
}
