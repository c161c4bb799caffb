//! Per-session locks, held from load to finish when request serialization is on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::id::SessionId;
use crate::id_hash::IdHashBuilder;

const LOCK_SHARDS: usize = 16;

/// One session's lock and how many requests hold or await it. Both change only under the
/// shard's mutex, so an entry is removed exactly when its last user leaves.
struct LockEntry {
    mutex: Arc<tokio::sync::Mutex<()>>,
    users: usize,
}

type LockShard = HashMap<SessionId, LockEntry, IdHashBuilder>;

/// The table of per-session locks. An entry exists only while a request holds or awaits it.
#[derive(Clone, Default)]
pub(crate) struct LockTable {
    shards: Arc<[Mutex<LockShard>; LOCK_SHARDS]>,
}

impl LockTable {
    fn shard(&self, id: &SessionId) -> MutexGuard<'_, LockShard> {
        self.shards[usize::from(id.as_bytes()[9]) % LOCK_SHARDS]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for the lock of `id`. Cancelling the wait (dropping the future, as a timeout does)
    /// leaves no entry behind.
    pub(crate) async fn lock(&self, id: SessionId) -> SessionLock {
        let mutex = {
            let mut shard = self.shard(&id);
            let entry = shard.entry(id).or_insert_with(|| LockEntry {
                mutex: Arc::default(),
                users: 0,
            });
            entry.users += 1;
            entry.mutex.clone()
        };
        // From here on, dropping `lock` (on success at the end of the request, or if this
        // future is dropped while waiting) gives the entry back.
        let mut lock = SessionLock {
            guard: None,
            table: self.clone(),
            id,
        };
        lock.guard = Some(mutex.lock_owned().await);
        lock
    }

    /// How many sessions have an entry.
    pub(crate) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| shard.lock().unwrap_or_else(PoisonError::into_inner).len())
            .sum()
    }
}

/// A held (or awaited) per-session lock; dropping it releases the session, and forgets the
/// lock once nobody else holds or waits for it.
pub(crate) struct SessionLock {
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
    table: LockTable,
    id: SessionId,
}

impl Drop for SessionLock {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut shard = self.table.shard(&self.id);
        if let Some(entry) = shard.get_mut(&self.id) {
            entry.users -= 1;
            if entry.users == 0 {
                shard.remove(&self.id);
            }
        }
    }
}
