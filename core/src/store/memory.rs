//! [`MemoryStore`]: the embedded default store, sharded and bounded.

mod heap;
mod rng;
mod shard;
mod stored;
mod users;

use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

use self::shard::{Counters, Shard, ShardWriter};
use self::stored::Stored;
use self::users::UserIndex;
use crate::changes::Changes;
use crate::id::SessionId;
use crate::store::{
    Expiry, ListedSession, MAX_SUCCESSORS_FOLLOWED, Record, SessionRef, SessionStore, StoreError,
};
use crate::time::from_millis;
use crate::time::{duration_millis, to_millis};

/// The default bound on the number of sessions: one million.
pub const DEFAULT_MAX_ENTRIES: usize = 1_000_000;

/// The default bound on the bytes sessions occupy: 512 MiB.
pub const DEFAULT_MAX_BYTES: usize = 512 * 1024 * 1024;

/// The default interval between sweeps of expired sessions: one minute.
pub const DEFAULT_SWEEP_INTERVAL: Duration = Duration::from_secs(60);

const SHARDS: usize = 64;

/// An in-memory [`SessionStore`]: the default, for one process.
///
/// - **Sharded**: 64 independently locked shards, so requests for different sessions never wait
///   on each other, and reads of one shard proceed in parallel.
/// - **Bounded**: by entries and by bytes, both checked at every insert and write. The bytes
///   are the heap the sessions hold, estimated when data is stored: each session's data as the
///   allocator is asked for it (strings and arrays by capacity, objects by their B-tree nodes,
///   the reference-counted entry slice and its keys), plus what each entry costs in the
///   store's own tables (its hash map slot, its sample slot and its place in the probation
///   queue). The accounted bytes are within a factor of two of the heap the store holds, for
///   any shape of data (tested with dhat on no data, flat strings, arrays of small objects,
///   deeply nested and wide objects and big strings, where they must come out between 0.85 and
///   1.05 times the measured heap, and come out at 0.91 to 1.00), so the byte bound bounds the
///   memory used. Not counted: the allocator's own headers and rounding, the capacity tables
///   keep after entries leave, and old snapshots that requests in flight still hold.
/// - **Evicts the unused first**: a new session is always admitted. When a bound is exceeded,
///   expired sessions go first; then *probationary* entries, oldest first (sessions no request
///   has used since the one that created them, and the pointers retired sessions leave to their
///   successors), shard by shard from the new session's; only when none is left, the least
///   recently active (created, used or refreshed, to the second) of 8 entries drawn at random
///   positions of a shard. A session becomes *protected* when a later request loads, updates
///   or refreshes it, and the successor of a protected session is protected: a flood of new
///   sessions evicts its own kind before the users who came back.
/// - **Swept**: expired sessions are removed as each shard is used, at most once per sweep
///   interval per shard, and by [`MemoryStore::purge_expired`].
/// - **No copies**: data is reference-counted, so a load is a pointer copy, never a JSON round
///   trip.
///
/// Sweeps aside (O(shard), at most once per shard and interval, and only when an entry may have
/// expired), every operation is O(1) amortized; an eviction by sample reads 8 slots. Clones
/// share the same sessions. Sessions do not survive a restart and are not shared between
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
    /// What the shards hold, counted by the shards as they change.
    counters: Arc<Counters>,
    /// Which sessions belong to which user.
    users: UserIndex,
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
        // Each store samples from its own seed (std's per-process random hash keys).
        let seeds = RandomState::new();
        let counters = Arc::new(Counters::default());
        let shards = (0..SHARDS)
            .map(|index| Shard::new(seeds.hash_one(index), Arc::clone(&counters)))
            .collect();
        Self {
            shared: Arc::new(Shared {
                shards,
                max_entries: max_entries.max(1),
                max_bytes: max_bytes.max(1),
                sweep_interval_ms: duration_millis(sweep_interval),
                counters,
                users: UserIndex::new(duration_millis(sweep_interval)),
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
        self.shared.counters.sessions.load(Ordering::Relaxed)
    }

    /// Whether no session is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The heap bytes the stored entries occupy, as the store accounts them (see
    /// [`MemoryStore`]).
    pub fn bytes(&self) -> usize {
        self.shared.counters.bytes.load(Ordering::Relaxed)
    }

    /// Removes every session that has expired at `now`, and the user index's entries whose
    /// time has passed; returns how many sessions went.
    pub fn purge_expired(&self, now: SystemTime) -> usize {
        let now_ms = to_millis(now);
        self.shared.users.sweep(now_ms);
        let shards = self.shared.shards.iter();
        shards.map(|shard| shard.write().sweep(now_ms)).sum()
    }
}

fn shard_index(id: &SessionId) -> usize {
    // The hasher uses bytes 0..8; the shard comes from another byte.
    usize::from(id.as_bytes()[8]) % SHARDS
}

impl Shared {
    fn shard(&self, id: &SessionId) -> &Shard {
        &self.shards[shard_index(id)]
    }

    fn is_over_bounds(&self) -> bool {
        self.counters.entries.load(Ordering::Relaxed) > self.max_entries
            || self.counters.bytes.load(Ordering::Relaxed) > self.max_bytes
    }

    /// Evicts until both bounds hold, never evicting `keep`: first every expired entry (only
    /// shards that can hold one are swept); then probationary entries, oldest first, shard by
    /// shard from `keep`'s (skipping shards that hold none); then, shard by shard from `keep`'s,
    /// the least recently active of a random sample.
    fn enforce_bounds(&self, keep: &SessionId, now_ms: u64) {
        self.sweep_expired(now_ms);
        let (before_keep, from_keep) = self.shards.split_at(shard_index(keep));
        let in_turn = || from_keep.iter().chain(before_keep);
        for shard in in_turn().filter(|shard| shard.has_probationary()) {
            self.evict_from(shard, |writer| writer.evict_probationary(keep));
        }
        for shard in in_turn() {
            self.evict_from(shard, |writer| writer.evict_sampled(keep));
        }
    }

    /// Sweeps every shard that may hold an expired entry (by its earliest expiry), while the
    /// bounds are exceeded.
    fn sweep_expired(&self, now_ms: u64) {
        let expired = |shard: &&Shard| shard.may_hold_expired(now_ms);
        for shard in self.shards.iter().filter(expired) {
            if !self.is_over_bounds() {
                return;
            }
            shard.write().sweep(now_ms);
        }
    }

    /// Evicts from `shard`, with `victim`, while the bounds are exceeded and it finds one. Each
    /// victim is dropped (its data freed) after the shard's lock is released.
    fn evict_from(
        &self,
        shard: &Shard,
        mut victim: impl FnMut(&mut ShardWriter<'_>) -> Option<(SessionId, Stored)>,
    ) {
        while self.is_over_bounds() {
            let Some((id, stored)) = victim(&mut shard.write()) else {
                break;
            };
            tracing::debug!(
                session = %id.label(),
                used = !stored.is_probationary(),
                "memory store full: evicted a session"
            );
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
        let stored = Stored::new(record);
        {
            let mut writer = shard.write();
            writer.sweep_if_due(now_ms, shared.sweep_interval_ms);
            match writer.get(id) {
                Some(existing) if existing.holds_id(now_ms) => return Ok(false),
                Some(_) => drop(writer.remove(id)),
                None => {}
            }
            writer.insert(*id, stored);
        }
        if shared.is_over_bounds() {
            shared.enforce_bounds(id, now_ms);
        }
        Ok(true)
    }

    async fn load(&self, id: &SessionId, now: SystemTime) -> Result<Option<Record>, StoreError> {
        let shared = &self.shared;
        let shard = shared.shard(id);
        let now_ms = to_millis(now);
        let record = shard.load(id, now_ms);
        if shard.is_sweep_due(now_ms) {
            shard.write().sweep_if_due(now_ms, shared.sweep_interval_ms);
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
            let mut writer = shard.write();
            writer.sweep_if_due(now_ms, shared.sweep_interval_ms);
            if !writer.apply(id, changes, expiry, now_ms) {
                return Ok(false);
            }
        }
        if shared.is_over_bounds() {
            shared.enforce_bounds(id, now_ms);
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
        let mut writer = self.shared.shard(id).write();
        Ok(match writer.use_live(id, now_ms) {
            Some(stored) => {
                stored.extend(expiry);
                true
            }
            None => false,
        })
    }

    async fn retire(
        &self,
        id: &SessionId,
        successor: &SessionId,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        let now_ms = to_millis(now);
        let shared = &self.shared;
        let Some(was_used) = shared.shard(id).write().retire(id, successor, now_ms) else {
            return Ok(false);
        };
        if was_used {
            // The session in use carries on under the successor's ID.
            shared.shard(successor).mark_used(successor, now_ms);
        }
        Ok(true)
    }

    async fn delete(&self, id: &SessionId, _now: SystemTime) -> Result<(), StoreError> {
        self.shared.delete(id);
        Ok(())
    }

    async fn list_user_session(
        &self,
        user: &str,
        id: &SessionId,
        expires_at: SystemTime,
        now: SystemTime,
    ) -> Result<(), StoreError> {
        let users = &self.shared.users;
        users.list(user, id, to_millis(expires_at), to_millis(now));
        Ok(())
    }

    async fn user_sessions(
        &self,
        user: &str,
        now: SystemTime,
    ) -> Result<Vec<ListedSession>, StoreError> {
        let now_ms = to_millis(now);
        let shared = &self.shared;
        let mut sessions = Vec::new();
        let mut unrelated = Vec::new();
        for listing in shared.users.listed(user, now_ms) {
            let id = listing.id;
            let found = shared.shard(&id).peek(&id, |stored| {
                let belongs = stored.is_live(now_ms) && stored.user.as_deref() == Some(user);
                belongs.then(|| ListedSession {
                    session: SessionRef::of(&id),
                    created_at: from_millis(stored.created_ms()),
                    refreshed_at: from_millis(stored.refreshed_ms()),
                })
            });
            match found.flatten() {
                Some(session) => sessions.push(session),
                None => unrelated.push(id),
            }
        }
        shared.users.drop_settled(user, &unrelated, now_ms);
        Ok(sessions)
    }

    async fn end_user_session(
        &self,
        user: &str,
        session: &SessionRef,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        let now_ms = to_millis(now);
        let shared = &self.shared;
        let listed = shared.users.listed(user, now_ms);
        let Some(listing) = listed
            .iter()
            .find(|listing| SessionRef::of(&listing.id) == *session)
        else {
            return Ok(false);
        };
        let id = listing.id;
        let elsewhere = shared.shard(&id).peek(&id, |stored| {
            stored.is_live(now_ms) && stored.user.as_deref() != Some(user)
        });
        if elsewhere == Some(true) {
            return Ok(false);
        }
        let deleted = shared.delete(&id);
        shared.users.remove(user, &id);
        Ok(deleted)
    }
}

impl Shared {
    /// Removes the record of `id` and, following them, its successors; returns whether the
    /// record of `id` was there.
    fn delete(&self, id: &SessionId) -> bool {
        let Some(stored) = self.shard(id).write().remove(id) else {
            return false;
        };
        let mut next = stored.successor;
        for _ in 1..MAX_SUCCESSORS_FOLLOWED {
            let Some(id) = next.take() else { break };
            if let Some(stored) = self.shard(&id).write().remove(&id) {
                next = stored.successor;
            }
        }
        true
    }
}
