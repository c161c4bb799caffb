//! [`Shard`]: one independently locked part of the memory store, with what its eviction needs:
//! its probationary entries in the order they came, and every entry by position, with its last
//! activity, for sampling.
//!
//! Every operation but a sweep is O(1) amortized, or O(sample): an entry is queued once per
//! probationary spell and dequeued (or compacted away) once; removing an entry moves the last
//! slot of the sample vector into its position.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockWriteGuard};

mod evict;

use super::rng::SplitMix64;
use super::stored::Stored;
use crate::changes::Changes;
use crate::id::SessionId;
use crate::id_hash::IdHashBuilder;
use crate::store::{Expiry, Record};

/// Stale places the probation queue may hold beyond twice its current ones before it is
/// compacted.
const QUEUE_SLACK: usize = 16;

/// How precisely the last use of a session is recorded: to the second, which is plenty to tell
/// the sessions in use apart from the idle ones.
const USE_RESOLUTION_MS: u64 = 1000;

#[repr(align(128))]
pub(super) struct Shard {
    state: RwLock<State>,
    /// When the shard is next due a sweep of its expired entries.
    next_sweep_ms: AtomicU64,
    /// A lower bound on the expiry of every entry in the shard: no entry can have expired
    /// before this time, so a shard whose bound lies ahead needs no sweep.
    earliest_expiry_ms: AtomicU64,
    /// How many probationary entries the shard holds, readable without a lock, so that an
    /// eviction skips the shards that have none.
    probationary: AtomicUsize,
    /// The store's counts, which every change of the shard's entries updates under its lock.
    counters: Arc<Counters>,
}

/// The store's counts, shared by its shards. Each shard changes them under its write lock, in
/// the operation that changes its entries, so the changes to one entry are counted in order.
#[derive(Default)]
pub(super) struct Counters {
    /// Entries: sessions and the pointers retired sessions leave to their successors.
    pub(super) entries: AtomicUsize,
    /// Entries that are sessions, not retired pointers.
    pub(super) sessions: AtomicUsize,
    /// What the entries count for in the byte accounting ([`Stored::bytes`]).
    pub(super) bytes: AtomicUsize,
}

impl Counters {
    fn add(&self, stored: &Stored) {
        self.entries.fetch_add(1, Ordering::Relaxed);
        self.sessions.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(stored.bytes, Ordering::Relaxed);
    }

    fn remove(&self, stored: &Stored) {
        self.entries.fetch_sub(1, Ordering::Relaxed);
        if stored.successor.is_none() {
            self.sessions.fetch_sub(1, Ordering::Relaxed);
        }
        self.bytes.fetch_sub(stored.bytes, Ordering::Relaxed);
    }

    fn resize(&self, old: usize, new: usize) {
        if new >= old {
            self.bytes.fetch_add(new - old, Ordering::Relaxed);
        } else {
            self.bytes.fetch_sub(old - new, Ordering::Relaxed);
        }
    }
}

/// An entry's place in the sample vector: its ID and when it was last active (created,
/// refreshed or used), so that a sample reads only the vector.
pub(super) struct Slot {
    id: SessionId,
    active_ms: AtomicU64,
}

/// A probationary entry's place in its shard's probation queue.
pub(super) struct Queued {
    id: SessionId,
    /// The ticket the entry was queued with: the place is stale once the entry has another.
    ticket: u64,
}

struct State {
    map: HashMap<SessionId, Stored, IdHashBuilder>,
    /// Every entry of `map`, in no order; `Stored::slot` is an entry's position here.
    slots: Vec<Slot>,
    /// Probationary entries, oldest first. A place is stale (and skipped) once its entry is
    /// gone, used, or queued again with a new ticket.
    queue: VecDeque<Queued>,
    next_ticket: u64,
    rng: SplitMix64,
}

impl Shard {
    /// An empty shard whose sampling draws from `seed`, counting its entries in `counters`, with
    /// the other shards'.
    pub(super) fn new(seed: u64, counters: Arc<Counters>) -> Self {
        Self {
            state: RwLock::new(State {
                map: HashMap::default(),
                slots: Vec::new(),
                queue: VecDeque::new(),
                next_ticket: 0,
                rng: SplitMix64(seed),
            }),
            next_sweep_ms: AtomicU64::new(0),
            earliest_expiry_ms: AtomicU64::new(u64::MAX),
            probationary: AtomicUsize::new(0),
            counters,
        }
    }

    /// Whether the shard may hold a probationary entry.
    pub(super) fn has_probationary(&self) -> bool {
        self.probationary.load(Ordering::Relaxed) > 0
    }

    /// Whether the shard is due a sweep at `now_ms`.
    pub(super) fn is_sweep_due(&self, now_ms: u64) -> bool {
        now_ms >= self.next_sweep_ms.load(Ordering::Relaxed)
    }

    /// Whether an entry of the shard may have expired at `now_ms`.
    pub(super) fn may_hold_expired(&self, now_ms: u64) -> bool {
        self.earliest_expiry_ms.load(Ordering::Relaxed) <= now_ms
    }

    /// The record of `id` unless retired, counting the load as a use of the session.
    pub(super) fn load(&self, id: &SessionId, now_ms: u64) -> Option<Record> {
        self.use_session(id, now_ms, Stored::record)
    }

    /// `read` of the entry of `id`, if any (retired or not), without counting a use.
    pub(super) fn peek<T>(&self, id: &SessionId, read: impl FnOnce(&Stored) -> T) -> Option<T> {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        state.map.get(id).map(read)
    }

    /// Counts a use of `id`, if stored and not retired: the session is then protected.
    pub(super) fn mark_used(&self, id: &SessionId, now_ms: u64) {
        self.use_session(id, now_ms, |_| ());
    }

    /// `read` of the entry of `id` unless retired, counting this as a use of the session.
    fn use_session<T>(
        &self,
        id: &SessionId,
        now_ms: u64,
        read: impl FnOnce(&Stored) -> T,
    ) -> Option<T> {
        // No update of the state panics part-way (each moves values between the map, the
        // sample vector and the queue), so a poisoned lock is still safe to use.
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        let stored = state
            .map
            .get(id)
            .filter(|stored| stored.successor.is_none())?;
        note_use(&self.probationary, &state.slots, stored, now_ms);
        Some(read(stored))
    }

    pub(super) fn write(&self) -> ShardWriter<'_> {
        ShardWriter {
            shard: self,
            state: self.state.write().unwrap_or_else(PoisonError::into_inner),
        }
    }
}

/// A shard under its write lock.
pub(super) struct ShardWriter<'a> {
    shard: &'a Shard,
    state: RwLockWriteGuard<'a, State>,
}

impl ShardWriter<'_> {
    /// Sweeps the shard if it is due a sweep, and may hold an expired entry; the next sweep is
    /// then due `interval_ms` later.
    pub(super) fn sweep_if_due(&mut self, now_ms: u64, interval_ms: u64) {
        let shard = self.shard;
        if shard.is_sweep_due(now_ms) {
            let next_ms = now_ms.saturating_add(interval_ms);
            shard.next_sweep_ms.store(next_ms, Ordering::Relaxed);
            if shard.may_hold_expired(now_ms) {
                self.sweep(now_ms);
            }
        }
    }

    pub(super) fn get(&self, id: &SessionId) -> Option<&Stored> {
        self.state.map.get(id)
    }

    /// The live entry of `id`, counting this as a use of the session.
    pub(super) fn use_live(&mut self, id: &SessionId, now_ms: u64) -> Option<&mut Stored> {
        let state = &mut *self.state;
        let stored = state
            .map
            .get_mut(id)
            .filter(|stored| stored.is_live(now_ms))?;
        note_use(&self.shard.probationary, &state.slots, stored, now_ms);
        Some(stored)
    }

    /// Applies `changes` to the live entry of `id` and extends its expiry, counting this as a
    /// use of the session; returns whether the entry was live.
    pub(super) fn apply(
        &mut self,
        id: &SessionId,
        changes: &Changes,
        expiry: &Expiry,
        now_ms: u64,
    ) -> bool {
        let counters = &self.shard.counters;
        let Some(stored) = self.use_live(id, now_ms) else {
            return false;
        };
        if !changes.is_empty() {
            let before = stored.apply(changes);
            counters.resize(before, stored.bytes);
        }
        stored.extend(expiry);
        true
    }

    /// Stores `stored`, new and probationary, for `id`, which must be absent.
    pub(super) fn insert(&mut self, id: SessionId, mut stored: Stored) {
        let state = &mut *self.state;
        stored.slot = state.slots.len();
        self.shard.counters.add(&stored);
        state.slots.push(Slot {
            id,
            active_ms: AtomicU64::new(stored.refreshed_ms()),
        });
        self.shard
            .earliest_expiry_ms
            .fetch_min(stored.expires_ms, Ordering::Relaxed);
        state.map.insert(id, stored);
        self.enqueue(id);
    }

    /// Puts `id` (stored, and probationary from now on) at the back of the probation queue.
    fn enqueue(&mut self, id: SessionId) {
        let probationary = self.shard.probationary.fetch_add(1, Ordering::Relaxed) + 1;
        let state = &mut *self.state;
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        if let Some(stored) = state.map.get_mut(&id) {
            stored.ticket = ticket;
        }
        state.queue.push_back(Queued { id, ticket });
        if state.queue.len() > 2 * probationary + QUEUE_SLACK {
            state.drop_stale_places();
        }
    }

    /// Removes the entry of `id`.
    pub(super) fn remove(&mut self, id: &SessionId) -> Option<Stored> {
        let state = &mut *self.state;
        let stored = state.map.remove(id)?;
        state.slots.swap_remove(stored.slot);
        if let Some(moved) = state.slots.get(stored.slot)
            && let Some(entry) = state.map.get_mut(&moved.id)
        {
            entry.slot = stored.slot;
        }
        if stored.is_probationary() {
            self.shard.probationary.fetch_sub(1, Ordering::Relaxed);
        }
        self.shard.counters.remove(&stored);
        Some(stored)
    }

    /// Turns the live entry of `id` into a pointer to `successor`, probationary; returns
    /// whether a request had used the session since its creation.
    pub(super) fn retire(
        &mut self,
        id: &SessionId,
        successor: &SessionId,
        now_ms: u64,
    ) -> Option<bool> {
        let stored = self
            .state
            .map
            .get_mut(id)
            .filter(|stored| stored.is_live(now_ms))?;
        let was_used = stored.is_used();
        let bytes_before = stored.retire(*successor);
        let counters = &self.shard.counters;
        counters.sessions.fetch_sub(1, Ordering::Relaxed);
        counters.resize(bytes_before, stored.bytes);
        if !was_used {
            // Counted as probationary already; `enqueue` counts it again, at the back.
            self.shard.probationary.fetch_sub(1, Ordering::Relaxed);
        }
        self.enqueue(*id);
        Some(was_used)
    }

    /// Removes the entries expired at `now_ms`, and recomputes the earliest expiry; returns how
    /// many went.
    pub(super) fn sweep(&mut self, now_ms: u64) -> usize {
        let shard = self.shard;
        let State { map, slots, .. } = &mut *self.state;
        let before = slots.len();
        let (mut probationary, mut earliest) = (0, u64::MAX);
        // One walk of the sample vector: each entry kept takes the next position.
        let mut position = 0;
        slots.retain(|slot| {
            let Some(stored) = map.get_mut(&slot.id) else {
                return false;
            };
            if stored.holds_id(now_ms) {
                earliest = earliest.min(stored.expires_ms);
                stored.slot = position;
                position += 1;
                true
            } else {
                if let Some(expired) = map.remove(&slot.id) {
                    shard.counters.remove(&expired);
                    probationary += usize::from(expired.is_probationary());
                }
                false
            }
        });
        let count = before - slots.len();
        if count > 0 {
            shard
                .probationary
                .fetch_sub(probationary, Ordering::Relaxed);
            self.state.drop_stale_places();
        }
        shard.earliest_expiry_ms.store(earliest, Ordering::Relaxed);
        count
    }
}

/// Counts a use of `stored`, whose sample slot is among `slots`: the session's first takes it
/// out of `probationary`. Its slot's last activity becomes `now_ms` at the first use, then only
/// once the activity recorded is [`USE_RESOLUTION_MS`] old (so that a session loaded by many
/// requests at once is not written by each).
fn note_use(probationary: &AtomicUsize, slots: &[Slot], stored: &Stored, now_ms: u64) {
    let first = stored.mark_used();
    if first {
        probationary.fetch_sub(1, Ordering::Relaxed);
    }
    if let Some(slot) = slots.get(stored.slot) {
        let active_ms = slot.active_ms.load(Ordering::Relaxed);
        if first || active_ms.saturating_add(USE_RESOLUTION_MS) <= now_ms {
            slot.active_ms.fetch_max(now_ms, Ordering::Relaxed);
        }
    }
}

impl State {
    /// Drops the stale places of the probation queue.
    fn drop_stale_places(&mut self) {
        let map = &self.map;
        self.queue
            .retain(|queued| queued.is_current(map.get(&queued.id)));
    }
}

impl Queued {
    /// Whether this is the current place of `stored`, its entry, and the entry still
    /// probationary.
    pub(super) fn is_current(&self, stored: Option<&Stored>) -> bool {
        stored.is_some_and(|stored| stored.ticket == self.ticket && stored.is_probationary())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::time::Duration;

    use super::*;
    use crate::testing::SequentialIds;
    use crate::testing::store_suite::{record, start};
    use crate::time::to_millis;

    /// `ms` milliseconds after the suite's [`start`], when [`record`]s are created.
    pub(super) fn after_start(ms: u64) -> u64 {
        to_millis(start()) + ms
    }

    /// A shard of sessions 1..=n ([`SequentialIds::id`]), created at [`start`], session k used
    /// `used(k)` ms later (not at all if 0).
    pub(super) fn shard(n: u64, used: impl Fn(u64) -> u64) -> Shard {
        let shard = Shard::new(7, Arc::default());
        for k in 1..=n {
            let stored = Stored::new(&record(&[]));
            shard.write().insert(SequentialIds::id(k), stored);
        }
        for k in 1..=n {
            if used(k) > 0 {
                shard.mark_used(&SequentialIds::id(k), after_start(used(k)));
            }
        }
        shard
    }

    /// Every entry is at its position in the sample vector, and every count is the shard's.
    pub(super) fn shard_is_consistent(shard: &Shard) {
        let state = shard.state.read().unwrap();
        assert_eq!(state.slots.len(), state.map.len());
        for (position, slot) in state.slots.iter().enumerate() {
            assert_eq!(state.map[&slot.id].slot, position);
        }
        let probationary = state.map.values().filter(|s| s.is_probationary()).count();
        assert_eq!(shard.probationary.load(Ordering::Relaxed), probationary);
        let counters = &shard.counters;
        assert_eq!(counters.entries.load(Ordering::Relaxed), state.map.len());
        let sessions = state.map.values().filter(|s| s.successor.is_none()).count();
        assert_eq!(counters.sessions.load(Ordering::Relaxed), sessions);
        let bytes: usize = state.map.values().map(|s| s.bytes).sum();
        assert_eq!(counters.bytes.load(Ordering::Relaxed), bytes);
    }

    #[test]
    fn a_retired_entry_is_probationary_and_queued_last() {
        let shard = shard(3, |k| if k == 1 { 5 } else { 0 });
        let mut writer = shard.write();
        let [first, second, third] = [1, 2, 3].map(SequentialIds::id);
        let was_used = writer.retire(&first, &SequentialIds::id(9), after_start(6));
        assert_eq!(was_used, Some(true));
        let bytes = writer.get(&first).unwrap().bytes;
        assert_eq!(bytes, super::super::stored::ENTRY_OVERHEAD);
        let none = SequentialIds::id(0);
        let order: Vec<_> = std::iter::from_fn(|| writer.evict_probationary(&none))
            .map(|(victim, _)| victim)
            .collect();
        assert_eq!(order, [second, third, first]);
        drop(writer);
        shard_is_consistent(&shard);
    }

    #[test]
    fn a_sweep_removes_the_expired_entries_and_renumbers_the_others() {
        let shard = Shard::new(7, Arc::default());
        for k in 1..=100 {
            let mut record = record(&[]);
            if k % 3 == 0 {
                record.expiry.expires_at = start() + Duration::from_secs(60);
            }
            shard
                .write()
                .insert(SequentialIds::id(k), Stored::new(&record));
        }
        let later = after_start(120_000);
        assert_eq!(shard.write().sweep(later), 33);
        shard_is_consistent(&shard);
        assert_eq!(shard.write().sweep(later), 0);
        let state = shard.state.read().unwrap();
        assert!((1..=100).all(|k| state.map.contains_key(&SequentialIds::id(k)) == (k % 3 != 0)));
    }

    #[test]
    fn the_queue_stays_bounded_when_sessions_are_used_and_removed() {
        let shard = Shard::new(7, Arc::default());
        for k in 1..=10_000 {
            shard
                .write()
                .insert(SequentialIds::id(k), Stored::new(&record(&[])));
            shard.mark_used(&SequentialIds::id(k), after_start(5));
            if k % 3 == 0 {
                shard.write().remove(&SequentialIds::id(k - 1));
            }
            let queued = shard.state.read().unwrap().queue.len();
            assert!(queued <= QUEUE_SLACK + 2, "{queued} places");
        }
        shard_is_consistent(&shard);
        let removed = shard.write().sweep(u64::MAX);
        assert_eq!(removed, 10_000 - 3333);
        shard_is_consistent(&shard);
        assert!(shard.state.read().unwrap().queue.is_empty());
    }
}
