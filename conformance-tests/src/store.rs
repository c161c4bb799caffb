//! The store behind the reference app: in memory or on Redis, wrapped so tests can count calls
//! and inject faults.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::SystemTime;

use fastsession_core::{Changes, Expiry, MemoryStore, Record, SessionId, SessionStore, StoreError};
use fastsession_redis::RedisStore;

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

/// Where the sessions are.
#[derive(Clone, Debug)]
pub enum Backend {
    /// In this process.
    Memory(MemoryStore),
    /// On Redis.
    Redis(RedisStore),
}

/// The reference app's store: a backend behind a [`Probe`].
#[derive(Clone, Debug)]
pub struct AppStore {
    /// The sessions.
    pub backend: Backend,
    /// Faults and counters.
    pub probe: Arc<Probe>,
}

impl AppStore {
    /// An in-memory store with default bounds.
    pub fn memory() -> Self {
        Self::over(Backend::Memory(MemoryStore::new()))
    }

    /// A probe over this backend.
    pub fn over(backend: Backend) -> Self {
        Self {
            backend,
            probe: Arc::default(),
        }
    }

    /// How many sessions are stored.
    ///
    /// # Panics
    ///
    /// If Redis cannot be read.
    pub async fn count(&self) -> usize {
        match &self.backend {
            Backend::Memory(memory) => memory.len(),
            Backend::Redis(redis) => redis.keys().await.expect("Redis answers").len(),
        }
    }

    /// Drops every session that ended at or before `now` (what Redis's TTLs do in real time, for
    /// a test's manual clock).
    ///
    /// # Panics
    ///
    /// If Redis cannot be written.
    pub async fn purge_expired(&self, now: SystemTime) {
        match &self.backend {
            Backend::Memory(memory) => {
                memory.purge_expired(now);
            }
            Backend::Redis(redis) => {
                redis.purge_expired(now).await.expect("Redis answers");
            }
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

macro_rules! delegate {
    ($self:ident, $method:ident ( $($arg:expr),* )) => {
        match &$self.backend {
            Backend::Memory(store) => store.$method($($arg),*).await,
            Backend::Redis(store) => store.$method($($arg),*).await,
        }
    };
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
        delegate!(self, create(id, record, now))
    }

    async fn load(&self, id: &SessionId, now: SystemTime) -> Result<Option<Record>, StoreError> {
        self.probe.loads.fetch_add(1, Ordering::SeqCst);
        check(&self.probe.fail_load)?;
        delegate!(self, load(id, now))
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
        delegate!(self, apply(id, changes, expiry, now))
    }

    async fn touch(
        &self,
        id: &SessionId,
        expiry: &Expiry,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        self.probe.writes.fetch_add(1, Ordering::SeqCst);
        check(&self.probe.fail_save)?;
        delegate!(self, touch(id, expiry, now))
    }

    async fn delete(&self, id: &SessionId, now: SystemTime) -> Result<(), StoreError> {
        self.probe.deletes.fetch_add(1, Ordering::SeqCst);
        check(&self.probe.fail_delete)?;
        delegate!(self, delete(id, now))
    }
}
