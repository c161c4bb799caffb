//! [`MemoryStore`]: the embedded default store, sharded and bounded.

mod heap;

use std::collections::HashMap;
use std::fmt;
use std::mem::size_of;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, SystemTime};

use crate::data::{Changes, SessionData};
use crate::id::{IdHashBuilder, SessionId};
use crate::store::{Expiry, MAX_SUCCESSORS_FOLLOWED, Record, SessionStore, StoreError};
use crate::time::{duration_millis, from_millis, to_millis};

/// The default bound on the number of sessions: one million.
pub const DEFAULT_MAX_ENTRIES: usize = 1_000_000;

/// The default bound on the bytes sessions occupy: 512 MiB.
pub const DEFAULT_MAX_BYTES: usize = 512 * 1024 * 1024;

/// The default interval between sweeps of expired sessions: one minute.
pub const DEFAULT_SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// What one entry costs beyond its data's heap, in the byte accounting: its slot in the shard's
/// hash map (key, entry and one control byte). The table grows by doubling and is kept at most
/// 7/8 full, so it is between 1 and about 2.3 times its used size: counted 1.5 times.
const ENTRY_OVERHEAD: usize = (size_of::<(SessionId, Stored)>() + 1) * 3 / 2;

/// How many entries one eviction compares.
const EVICTION_SAMPLE: usize = 8;

const SHARDS: usize = 64;

/// An in-memory [`SessionStore`]: the default, for one process.
///
/// - **Sharded**: 64 independently locked shards, so requests for different sessions never wait
///   on each other, and reads of one shard proceed in parallel.
/// - **Bounded**: by entries and by bytes. The bytes are the heap the sessions hold: each
///   session's data as the allocator is asked for it (strings by capacity, arrays by capacity,
///   objects by their B-tree nodes, the entry slice and its keys), plus its slot in the store's
///   table. The accounted bytes are within a factor of two of the heap the store holds, for any
///   shape of data (tested with dhat), so the byte bound bounds the memory used. A new session
///   is always admitted: when a bound is reached,
///   expired sessions go first, then the session closest to its expiry among a sample (an
///   approximation of least-recently-used).
/// - **Swept**: expired sessions are removed as each shard is used, at most once per sweep
///   interval per shard, and by [`MemoryStore::purge_expired`].
/// - **No copies**: data is reference-counted, so a load is a pointer copy, never a JSON round
///   trip.
///
/// Clones share the same sessions. Sessions do not survive a restart and are not shared between
/// processes: use the Redis store for that.
///
/// # Examples
///
/// ```
/// use fastsession_core::MemoryStore;
///
/// let store = MemoryStore::new().with_max_entries(100_000).with_max_bytes(64 << 20);
/// assert!(store.is_empty());
/// ```
#[derive(Clone)]
pub struct MemoryStore {
    shared: Arc<Shared>,
}

struct Shared {
    shards: Box<[Shard]>,
    max_entries: usize,
    max_bytes: usize,
    sweep_interval_ms: u64,
    entries: AtomicUsize,
    /// How many of the entries are retired sessions' pointers to their successors.
    retired: AtomicUsize,
    bytes: AtomicUsize,
}

#[repr(align(128))]
struct Shard {
    map: RwLock<HashMap<SessionId, Stored, IdHashBuilder>>,
    next_sweep_ms: AtomicU64,
    /// A lower bound on the expiry of every entry in the shard: no entry can have expired
    /// before this time, so a shard whose bound lies ahead needs no sweep.
    earliest_expiry_ms: AtomicU64,
}

struct Stored {
    data: SessionData,
    created_ms: u64,
    refreshed_ms: u64,
    expires_ms: u64,
    bytes: usize,
    /// Set once the session is retired: the record is then only a pointer to its successor,
    /// kept until `expires_ms` so that a logout in flight can follow it.
    successor: Option<SessionId>,
}

impl Stored {
    fn new(record: &Record) -> Self {
        Self {
            data: record.data.clone(),
            created_ms: to_millis(record.created_at),
            refreshed_ms: to_millis(record.expiry.refreshed_at),
            expires_ms: to_millis(record.expiry.expires_at),
            bytes: ENTRY_OVERHEAD + heap::data_bytes(&record.data),
            successor: None,
        }
    }

    fn record(&self) -> Record {
        Record {
            data: self.data.clone(),
            created_at: from_millis(self.created_ms),
            expiry: Expiry {
                refreshed_at: from_millis(self.refreshed_ms),
                expires_at: from_millis(self.expires_ms),
            },
        }
    }

    /// Whether the entry still holds its ID: a live session, or a retired one's pointer to its
    /// successor, until it expires.
    fn holds_id(&self, now_ms: u64) -> bool {
        self.expires_ms > now_ms
    }

    /// Whether this is a session requests may use: unexpired and not retired.
    fn is_live(&self, now_ms: u64) -> bool {
        self.holds_id(now_ms) && self.successor.is_none()
    }

    fn extend(&mut self, expiry: &Expiry) {
        self.refreshed_ms = self.refreshed_ms.max(to_millis(expiry.refreshed_at));
        self.expires_ms = self.expires_ms.max(to_millis(expiry.expires_at));
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("len", &self.len())
            .field("bytes", &self.bytes())
            .field("max_entries", &self.shared.max_entries)
            .field("max_bytes", &self.shared.max_bytes)
            .finish()
    }
}

impl MemoryStore {
    /// An empty store with the default bounds ([`DEFAULT_MAX_ENTRIES`], [`DEFAULT_MAX_BYTES`]).
    pub fn new() -> Self {
        Self::with_bounds(
            DEFAULT_MAX_ENTRIES,
            DEFAULT_MAX_BYTES,
            DEFAULT_SWEEP_INTERVAL,
        )
    }

    fn with_bounds(max_entries: usize, max_bytes: usize, sweep_interval: Duration) -> Self {
        let shards = (0..SHARDS)
            .map(|_| Shard {
                map: RwLock::default(),
                next_sweep_ms: AtomicU64::new(0),
                earliest_expiry_ms: AtomicU64::new(u64::MAX),
            })
            .collect();
        Self {
            shared: Arc::new(Shared {
                shards,
                max_entries: max_entries.max(1),
                max_bytes: max_bytes.max(1),
                sweep_interval_ms: duration_millis(sweep_interval),
                entries: AtomicUsize::new(0),
                retired: AtomicUsize::new(0),
                bytes: AtomicUsize::new(0),
            }),
        }
    }

    /// A store holding at most `max_entries` sessions (at least 1). Returns a new, empty store.
    #[must_use]
    pub fn with_max_entries(&self, max_entries: usize) -> Self {
        Self::with_bounds(max_entries, self.shared.max_bytes, self.sweep_interval())
    }

    /// A store whose sessions occupy at most `max_bytes` of heap, as the store accounts it
    /// (within a factor of two of the real heap, see [`MemoryStore`]). Returns a new, empty
    /// store.
    #[must_use]
    pub fn with_max_bytes(&self, max_bytes: usize) -> Self {
        Self::with_bounds(self.shared.max_entries, max_bytes, self.sweep_interval())
    }

    /// A store that sweeps each shard at most this often. Returns a new, empty store.
    #[must_use]
    pub fn with_sweep_interval(&self, interval: Duration) -> Self {
        Self::with_bounds(self.shared.max_entries, self.shared.max_bytes, interval)
    }

    fn sweep_interval(&self) -> Duration {
        Duration::from_millis(self.shared.sweep_interval_ms)
    }

    /// How many sessions are stored, expired ones included until they are swept. The pointers
    /// retired sessions leave to their successors are not sessions and are not counted (they
    /// count towards the bounds).
    pub fn len(&self) -> usize {
        let shared = &self.shared;
        let entries = shared.entries.load(Ordering::Relaxed);
        entries.saturating_sub(shared.retired.load(Ordering::Relaxed))
    }

    /// Whether no session is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The heap bytes the stored entries occupy, as the store accounts them (see
    /// [`MemoryStore`]).
    pub fn bytes(&self) -> usize {
        self.shared.bytes.load(Ordering::Relaxed)
    }

    /// Removes every session that has expired at `now`; returns how many went.
    pub fn purge_expired(&self, now: SystemTime) -> usize {
        let now_ms = to_millis(now);
        self.shared
            .shards
            .iter()
            .map(|shard| self.shared.sweep(shard, &mut write(shard), now_ms))
            .sum()
    }
}

fn read(shard: &Shard) -> RwLockReadGuard<'_, HashMap<SessionId, Stored, IdHashBuilder>> {
    // A panic while holding the lock cannot leave a map half-updated (every update is a single
    // map operation), so a poisoned lock is still safe to use.
    shard
        .map
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write(shard: &Shard) -> RwLockWriteGuard<'_, HashMap<SessionId, Stored, IdHashBuilder>> {
    shard
        .map
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    fn shard(&self, id: &SessionId) -> &Shard {
        // The hasher uses bytes 0..8; the shard comes from another byte.
        &self.shards[usize::from(id.as_bytes()[8]) % SHARDS]
    }

    fn add(&self, bytes: usize) {
        self.entries.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    fn remove(&self, stored: &Stored) {
        if stored.successor.is_some() {
            self.retired.fetch_sub(1, Ordering::Relaxed);
        }
        self.subtract(stored.bytes);
    }

    fn subtract(&self, bytes: usize) {
        self.entries.fetch_sub(1, Ordering::Relaxed);
        self.bytes.fetch_sub(bytes, Ordering::Relaxed);
    }

    fn resize(&self, old: usize, new: usize) {
        if new >= old {
            self.bytes.fetch_add(new - old, Ordering::Relaxed);
        } else {
            self.bytes.fetch_sub(old - new, Ordering::Relaxed);
        }
    }

    fn is_over_bounds(&self) -> bool {
        self.entries.load(Ordering::Relaxed) > self.max_entries
            || self.bytes.load(Ordering::Relaxed) > self.max_bytes
    }

    fn sweep_due(&self, shard: &Shard, now_ms: u64) -> bool {
        now_ms >= shard.next_sweep_ms.load(Ordering::Relaxed)
    }

    /// Removes the expired entries of one shard, and recomputes its earliest expiry.
    fn sweep(
        &self,
        shard: &Shard,
        map: &mut HashMap<SessionId, Stored, IdHashBuilder>,
        now_ms: u64,
    ) -> usize {
        let mut removed = 0;
        let mut earliest = u64::MAX;
        map.retain(|_, stored| {
            let live = stored.holds_id(now_ms);
            if live {
                earliest = earliest.min(stored.expires_ms);
            } else {
                self.remove(stored);
                removed += 1;
            }
            live
        });
        shard.earliest_expiry_ms.store(earliest, Ordering::Relaxed);
        removed
    }

    fn sweep_if_due(
        &self,
        shard: &Shard,
        map: &mut HashMap<SessionId, Stored, IdHashBuilder>,
        now_ms: u64,
    ) {
        if self.sweep_due(shard, now_ms) {
            shard.next_sweep_ms.store(
                now_ms.saturating_add(self.sweep_interval_ms),
                Ordering::Relaxed,
            );
            if shard.earliest_expiry_ms.load(Ordering::Relaxed) <= now_ms {
                self.sweep(shard, map, now_ms);
            }
        }
    }

    /// Evicts until both bounds hold, never evicting `keep`: first every expired entry (only
    /// shards that can hold one are swept), then, shard by shard from `start`, the entry closest
    /// to its expiry among a sample.
    fn enforce_bounds(&self, start: usize, keep: &SessionId, now_ms: u64) {
        for shard in self.shards.iter() {
            if !self.is_over_bounds() {
                return;
            }
            if shard.earliest_expiry_ms.load(Ordering::Relaxed) <= now_ms {
                self.sweep(shard, &mut write(shard), now_ms);
            }
        }
        for offset in 0..SHARDS {
            if !self.is_over_bounds() {
                return;
            }
            let shard = &self.shards[(start + offset) % SHARDS];
            let mut map = write(shard);
            while self.is_over_bounds() {
                let victim = map
                    .iter()
                    .filter(|(id, _)| *id != keep)
                    .take(EVICTION_SAMPLE)
                    .min_by_key(|(_, stored)| stored.expires_ms)
                    .map(|(id, _)| *id);
                let Some(victim) = victim else { break };
                if let Some(stored) = map.remove(&victim) {
                    self.remove(&stored);
                    tracing::debug!(session = %victim.label(), "memory store full: evicted a session");
                }
            }
        }
    }
}

impl SessionStore for MemoryStore {
    async fn create(
        &self,
        id: &SessionId,
        record: &Record,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        let now_ms = to_millis(now);
        let shared = &self.shared;
        let shard = shared.shard(id);
        {
            let mut map = write(shard);
            shared.sweep_if_due(shard, &mut map, now_ms);
            match map.get(id) {
                Some(existing) if existing.holds_id(now_ms) => return Ok(false),
                Some(_) => {
                    if let Some(expired) = map.remove(id) {
                        shared.remove(&expired);
                    }
                }
                None => {}
            }
            let stored = Stored::new(record);
            shared.add(stored.bytes);
            shard
                .earliest_expiry_ms
                .fetch_min(stored.expires_ms, Ordering::Relaxed);
            map.insert(*id, stored);
        }
        if shared.is_over_bounds() {
            shared.enforce_bounds(usize::from(id.as_bytes()[8]) % SHARDS, id, now_ms);
        }
        Ok(true)
    }

    async fn load(&self, id: &SessionId, now: SystemTime) -> Result<Option<Record>, StoreError> {
        let shared = &self.shared;
        let shard = shared.shard(id);
        let record = read(shard)
            .get(id)
            .filter(|stored| stored.successor.is_none())
            .map(Stored::record);
        let now_ms = to_millis(now);
        if shared.sweep_due(shard, now_ms) {
            shared.sweep_if_due(shard, &mut write(shard), now_ms);
        }
        Ok(record)
    }

    async fn apply(
        &self,
        id: &SessionId,
        changes: &Changes,
        expiry: &Expiry,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        let now_ms = to_millis(now);
        let shared = &self.shared;
        let shard = shared.shard(id);
        {
            let mut map = write(shard);
            shared.sweep_if_due(shard, &mut map, now_ms);
            let Some(stored) = map.get_mut(id).filter(|stored| stored.is_live(now_ms)) else {
                return Ok(false);
            };
            if !changes.is_empty() {
                changes.apply_to(&mut stored.data);
                let bytes = ENTRY_OVERHEAD + heap::data_bytes(&stored.data);
                shared.resize(stored.bytes, bytes);
                stored.bytes = bytes;
            }
            stored.extend(expiry);
        }
        if shared.is_over_bounds() {
            shared.enforce_bounds(usize::from(id.as_bytes()[8]) % SHARDS, id, now_ms);
        }
        Ok(true)
    }

    async fn touch(
        &self,
        id: &SessionId,
        expiry: &Expiry,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        let now_ms = to_millis(now);
        let mut map = write(self.shared.shard(id));
        Ok(
            match map.get_mut(id).filter(|stored| stored.is_live(now_ms)) {
                Some(stored) => {
                    stored.extend(expiry);
                    true
                }
                None => false,
            },
        )
    }

    async fn retire(
        &self,
        id: &SessionId,
        successor: &SessionId,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        let now_ms = to_millis(now);
        let shared = &self.shared;
        let mut map = write(shared.shard(id));
        let Some(stored) = map.get_mut(id).filter(|stored| stored.is_live(now_ms)) else {
            return Ok(false);
        };
        stored.successor = Some(*successor);
        shared.retired.fetch_add(1, Ordering::Relaxed);
        stored.data = SessionData::new();
        shared.resize(stored.bytes, ENTRY_OVERHEAD);
        stored.bytes = ENTRY_OVERHEAD;
        Ok(true)
    }

    async fn delete(&self, id: &SessionId, _now: SystemTime) -> Result<(), StoreError> {
        let mut next = Some(*id);
        for _ in 0..MAX_SUCCESSORS_FOLLOWED {
            let Some(id) = next.take() else { break };
            if let Some(stored) = write(self.shared.shard(&id)).remove(&id) {
                self.shared.remove(&stored);
                next = stored.successor;
            }
        }
        Ok(())
    }
}
