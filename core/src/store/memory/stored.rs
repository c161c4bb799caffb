//! [`Stored`]: one entry of the memory store, and what it costs in the byte accounting.

use std::mem::size_of;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::heap;
use super::shard::{Queued, Slot};
use crate::changes::{Changes, UserChange};
use crate::data::SessionData;
use crate::id::SessionId;
use crate::store::{Expiry, Record};
use crate::time::{from_millis, to_millis};

/// What one entry costs beyond its data's heap, in the byte accounting: its slot in the shard's
/// hash map (key, entry and one control byte), its slot in the shard's sample vector, and its
/// place in the probation queue. Tables and vectors grow by doubling and the map is kept at most
/// 7/8 full, so each is between 1 and about 2.3 times its used size: counted 1.5 times.
pub(super) const ENTRY_OVERHEAD: usize =
    (size_of::<(SessionId, Stored)>() + 1 + size_of::<Slot>() + size_of::<Queued>()) * 3 / 2;

pub(super) struct Stored {
    pub(super) data: SessionData,
    created_ms: u64,
    refreshed_ms: u64,
    pub(super) expires_ms: u64,
    /// The bytes the entry counts for: [`ENTRY_OVERHEAD`] plus its data's heap.
    pub(super) bytes: usize,
    /// The user the session belongs to.
    pub(super) user: Option<Box<str>>,
    /// Set once the session is retired: the record is then only a pointer to its successor,
    /// kept until `expires_ms` so that a logout in flight can follow it.
    pub(super) successor: Option<SessionId>,
    /// Whether a request other than the one that created the session has used it (loaded,
    /// updated or refreshed it); when it last did is its sample slot's. Atomic, so a load under
    /// the shard's read lock can record it.
    used: AtomicBool,
    /// The entry's position in its shard's sample vector, where its last activity is kept (set
    /// as the entry is stored).
    pub(super) slot: usize,
    /// The ticket of the entry's place in the probation queue: a queued ID whose ticket differs
    /// is a stale place, skipped.
    pub(super) ticket: u64,
}

impl Stored {
    /// An entry for `record`, its heap estimated (which walks the data: do it before taking a
    /// shard's lock).
    pub(super) fn new(record: &Record) -> Self {
        Self {
            data: record.data.clone(),
            created_ms: to_millis(record.created_at),
            refreshed_ms: to_millis(record.expiry.refreshed_at),
            expires_ms: to_millis(record.expiry.expires_at),
            bytes: bytes(&record.data) + user_bytes(record.user.as_deref()),
            user: record.user.as_deref().map(Box::from),
            successor: None,
            used: AtomicBool::new(false),
            slot: 0,
            ticket: 0,
        }
    }

    pub(super) fn record(&self) -> Record {
        Record {
            data: self.data.clone(),
            created_at: from_millis(self.created_ms),
            expiry: Expiry {
                refreshed_at: from_millis(self.refreshed_ms),
                expires_at: from_millis(self.expires_ms),
            },
            user: self.user.as_deref().map(str::to_owned),
        }
    }

    /// When the session was created.
    pub(super) fn created_ms(&self) -> u64 {
        self.created_ms
    }

    /// Whether the entry still holds its ID: a live session, or a retired one's pointer to its
    /// successor, until it expires.
    pub(super) fn holds_id(&self, now_ms: u64) -> bool {
        self.expires_ms > now_ms
    }

    /// Whether this is a session requests may use: unexpired and not retired.
    pub(super) fn is_live(&self, now_ms: u64) -> bool {
        self.holds_id(now_ms) && self.successor.is_none()
    }

    /// Whether the entry is evicted before sessions in use: a session no later request has
    /// used, or a retired session's pointer.
    pub(super) fn is_probationary(&self) -> bool {
        self.successor.is_some() || !self.is_used()
    }

    pub(super) fn is_used(&self) -> bool {
        self.used.load(Ordering::Relaxed)
    }

    /// Records that the session was used; returns whether this was its first use (which makes
    /// it protected). Read first, so the uses after the first write nothing.
    pub(super) fn mark_used(&self) -> bool {
        !self.is_used() && !self.used.swap(true, Ordering::Relaxed)
    }

    /// When the session was last refreshed (created, at first).
    pub(super) fn refreshed_ms(&self) -> u64 {
        self.refreshed_ms
    }

    /// Makes the entry a pointer to `successor`, without data; returns the bytes it counted
    /// before.
    pub(super) fn retire(&mut self, successor: SessionId) -> usize {
        self.successor = Some(successor);
        self.data = SessionData::new();
        self.user = None;
        std::mem::replace(&mut self.bytes, ENTRY_OVERHEAD)
    }

    /// Applies `changes` to the data, and accounts its heap; returns the bytes the entry counted
    /// before. When the entries were edited in place (only existing keys set, in data no one
    /// else holds), only the edited values changed, so only they are walked; otherwise the
    /// entries were copied into a new slice (every value cloned), and the new data is walked.
    pub(super) fn apply(&mut self, changes: &Changes) -> usize {
        let slice_before = slice_address(&self.data);
        let edited_before = self.edited_bytes(changes);
        let user_before = user_bytes(self.user.as_deref());
        changes.apply_to(&mut self.data);
        match changes.user() {
            Some(UserChange::Bind(user)) => self.user = Some(user.into()),
            Some(UserChange::Unbind) => self.user = None,
            _ => {}
        }
        let data_bytes = if slice_address(&self.data) == slice_before {
            self.bytes - user_before - edited_before + self.edited_bytes(changes)
        } else {
            bytes(&self.data)
        };
        let bytes = data_bytes + user_bytes(self.user.as_deref());
        std::mem::replace(&mut self.bytes, bytes)
    }

    /// The heap of the values `changes` set or increment, as the data holds them now.
    fn edited_bytes(&self, changes: &Changes) -> usize {
        let set = changes.inserted().map(|(key, _)| key);
        let edited = set.chain(changes.incremented().map(|(key, _)| key));
        let value = |key| self.data.get(key).map_or(0, heap::value_bytes);
        edited.map(value).sum()
    }

    pub(super) fn extend(&mut self, expiry: &Expiry) {
        self.refreshed_ms = self.refreshed_ms.max(to_millis(expiry.refreshed_at));
        self.expires_ms = self.expires_ms.max(to_millis(expiry.expires_at));
    }
}

/// The heap a user binding holds.
fn user_bytes(user: Option<&str>) -> usize {
    user.map_or(0, str::len)
}

/// The bytes an entry holding `data` counts for.
fn bytes(data: &SessionData) -> usize {
    ENTRY_OVERHEAD + heap::data_bytes(data)
}

/// Where `data`'s entries are. [`Changes::apply_to`] leaves them there only when it edits them
/// in place: a copy is made while the old slice still lives, so it is elsewhere.
fn slice_address(data: &SessionData) -> Option<*const ()> {
    data.entries
        .as_ref()
        .map(|entries| Arc::as_ptr(entries).cast::<()>())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::testing::store_suite::record;

    fn is_exact(stored: &Stored) -> bool {
        stored.bytes == bytes(&stored.data)
    }

    #[test]
    fn applied_changes_are_accounted_as_a_walk_of_the_data_would_count_them() {
        let mut spare = String::with_capacity(100);
        spare.push_str("spare capacity");
        let mut stored = Stored::new(&record(&[("a", json!(spare)), ("n", json!(1))]));
        let edits: [fn(&mut Changes); 5] = [
            |changes| changes.insert("n", json!({"nested": ["x", "y"]})),
            |changes| changes.increment("n", 2),
            |changes| changes.insert("b", json!("a new key")),
            |changes| changes.remove("a"),
            |changes| {
                changes.clear();
                changes.insert("c", json!([1, 2, 3]));
            },
        ];
        for edit in edits {
            let mut changes = Changes::new();
            edit(&mut changes);
            // Once with the data held elsewhere too (copied), once alone (edited in place).
            let held = stored.data.clone();
            stored.apply(&changes);
            assert!(is_exact(&stored));
            drop(held);
            stored.apply(&changes);
            assert!(is_exact(&stored));
        }
    }
}
