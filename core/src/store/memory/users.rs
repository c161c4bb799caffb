//! The memory store's user index: for each user, the sessions listed under them, each until a
//! time. Sharded by user like the sessions are by ID.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::id::SessionId;
use crate::store::LISTING_GRACE;
use crate::time::duration_millis;

const SHARDS: usize = 16;

/// One session listed under a user.
#[derive(Clone, Copy, Debug)]
pub(super) struct Listing {
    pub(super) id: SessionId,
    /// The entry is dropped once this time has passed.
    pub(super) until_ms: u64,
    /// When the session was last listed: until [`LISTING_GRACE`] after it, the entry stays even
    /// if its record does not (yet) say it belongs to the user, since the write that makes it so
    /// may still be on its way.
    pub(super) listed_ms: u64,
}

impl Listing {
    /// Whether the entry may be dropped because its record does not say it belongs to the user.
    pub(super) fn is_settled(&self, now_ms: u64) -> bool {
        self.listed_ms
            .saturating_add(duration_millis(LISTING_GRACE))
            <= now_ms
    }
}

#[derive(Default)]
struct Shard {
    users: HashMap<Box<str>, Vec<Listing>>,
    next_sweep_ms: u64,
}

pub(super) struct UserIndex {
    shards: Box<[Mutex<Shard>]>,
    hasher: RandomState,
    sweep_interval_ms: u64,
}

impl UserIndex {
    pub(super) fn new(sweep_interval_ms: u64) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            hasher: RandomState::new(),
            sweep_interval_ms,
        }
    }

    fn shard(&self, user: &str) -> MutexGuard<'_, Shard> {
        let index = usize::try_from(self.hasher.hash_one(user) % SHARDS as u64).unwrap_or(0);
        // Every update is a push, a field update or a removal from a vector or map: a panic
        // cannot leave one half done, so a poisoned lock is still safe to use.
        self.shards[index]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Lists `id` under `user` until at least `until_ms`.
    pub(super) fn list(&self, user: &str, id: &SessionId, until_ms: u64, now_ms: u64) {
        let mut shard = self.shard(user);
        if shard.next_sweep_ms <= now_ms {
            shard.next_sweep_ms = now_ms.saturating_add(self.sweep_interval_ms);
            shard.sweep(now_ms);
        }
        let listings = shard.users.entry(user.into()).or_default();
        listings.retain(|listing| listing.until_ms > now_ms);
        match listings.iter_mut().find(|listing| listing.id == *id) {
            Some(listing) => {
                listing.until_ms = listing.until_ms.max(until_ms);
                listing.listed_ms = now_ms;
            }
            None => listings.push(Listing {
                id: *id,
                until_ms,
                listed_ms: now_ms,
            }),
        }
    }

    /// The sessions listed under `user` whose time has not passed.
    pub(super) fn listed(&self, user: &str, now_ms: u64) -> Vec<Listing> {
        let mut shard = self.shard(user);
        let Some(listings) = shard.users.get_mut(user) else {
            return Vec::new();
        };
        listings.retain(|listing| listing.until_ms > now_ms);
        let listed = listings.clone();
        if listings.is_empty() {
            shard.users.remove(user);
        }
        listed
    }

    /// Drops the entries of `ids` under `user` that are still settled (listed again since, an
    /// entry stays).
    pub(super) fn drop_settled(&self, user: &str, ids: &[SessionId], now_ms: u64) {
        if ids.is_empty() {
            return;
        }
        let mut shard = self.shard(user);
        let Some(listings) = shard.users.get_mut(user) else {
            return;
        };
        listings.retain(|listing| !(ids.contains(&listing.id) && listing.is_settled(now_ms)));
        if listings.is_empty() {
            shard.users.remove(user);
        }
    }

    /// Drops the entry of `id` under `user`: its session has ended.
    pub(super) fn remove(&self, user: &str, id: &SessionId) {
        let mut shard = self.shard(user);
        let Some(listings) = shard.users.get_mut(user) else {
            return;
        };
        listings.retain(|listing| listing.id != *id);
        if listings.is_empty() {
            shard.users.remove(user);
        }
    }

    /// Drops every entry whose time has passed; returns how many went.
    pub(super) fn sweep(&self, now_ms: u64) -> usize {
        let shards = self.shards.iter();
        let locked = shards.map(|shard| shard.lock().unwrap_or_else(PoisonError::into_inner));
        locked.map(|mut shard| shard.sweep(now_ms)).sum()
    }

    /// How many entries the index holds, for tests.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        let shards = self.shards.iter();
        let locked = shards.map(|shard| shard.lock().unwrap_or_else(PoisonError::into_inner));
        locked
            .map(|shard| shard.users.values().map(Vec::len).sum::<usize>())
            .sum()
    }
}

impl Shard {
    fn sweep(&mut self, now_ms: u64) -> usize {
        let mut dropped = 0;
        self.users.retain(|_, listings| {
            let before = listings.len();
            listings.retain(|listing| listing.until_ms > now_ms);
            dropped += before - listings.len();
            !listings.is_empty()
        });
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRACE_MS: u64 = 60_000;

    fn id(byte: u8) -> SessionId {
        SessionId::from_bytes([byte; 32])
    }

    #[test]
    fn entries_go_when_their_time_passes_and_users_with_them() {
        let index = UserIndex::new(1_000);
        index.list("ada", &id(1), 10_000, 0);
        index.list("ada", &id(2), 20_000, 0);
        assert_eq!(index.listed("ada", 15_000).len(), 1);
        assert_eq!(index.sweep(25_000), 1);
        assert_eq!(index.len(), 0);
    }

    #[test]
    fn listing_again_keeps_the_later_time() {
        let index = UserIndex::new(1_000);
        index.list("ada", &id(1), 30_000, 0);
        index.list("ada", &id(1), 10_000, 5);
        let listed = index.listed("ada", 20_000);
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].until_ms, 30_000);
    }

    #[test]
    fn only_settled_entries_are_dropped_for_what_their_record_says() {
        let index = UserIndex::new(1_000);
        index.list("ada", &id(1), 10 * GRACE_MS, 0);
        index.drop_settled("ada", &[id(1)], GRACE_MS - 1);
        assert_eq!(
            index.len(),
            1,
            "a write listed a moment ago may still be on its way"
        );
        index.drop_settled("ada", &[id(1)], GRACE_MS);
        assert_eq!(index.len(), 0);
    }
}
