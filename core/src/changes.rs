//! One request's edits to a session ([`Changes`]): what a store applies to the record as it is
//! now, so keys the request did not touch keep whatever a concurrent request wrote, and
//! increments from any number of requests all count.

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::data::{Entry, SessionData};

/// One request's edits to a session: keys set, keys removed, integers incremented, and whether
/// everything was cleared first. Stores apply them to the current record, so keys this request
/// did not touch keep whatever a concurrent request wrote, and an increment adds to the value
/// the store holds at that moment (the read-modify-write that is correct across requests and
/// instances). `Debug` lists the keys only, since values may hold secrets.
///
/// # Examples
///
/// ```
/// use fastsession_core::{store::Changes, store::SessionData};
/// use serde_json::json;
///
/// let mut changes = Changes::new();
/// changes.clear();
/// changes.insert("a", json!(1));
/// changes.remove("b");
/// assert!(changes.is_cleared());
/// assert_eq!(changes.inserted().collect::<Vec<_>>(), [("a", &json!(1))]);
/// assert_eq!(changes.removed().collect::<Vec<_>>(), ["b"]);
///
/// let mut stored: SessionData = [("visits".to_owned(), json!(41))].into_iter().collect();
/// let mut visit = Changes::new();
/// visit.increment("visits", 1);
/// assert_eq!(visit.incremented().collect::<Vec<_>>(), [("visits", 1)]);
/// visit.apply_to(&mut stored);
/// assert_eq!(stored.get("visits"), Some(&json!(42)));
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct Changes {
    cleared: bool,
    /// The last edit of each key, in the order keys were first edited.
    edits: Vec<(Box<str>, Op)>,
    /// The session's new user binding: `Some(None)` unbinds.
    user: Option<Option<Box<str>>>,
}

/// What one request does to the user a session belongs to
/// ([`Session::set_user`](crate::Session::set_user)); stores apply it with the data, in the same
/// atomic step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UserChange<'a> {
    /// The session now belongs to this user.
    Bind(&'a str),
    /// The session belongs to no user.
    Unbind,
}

/// What happens to one key.
#[derive(Clone, Debug, PartialEq)]
enum Op {
    Set(Value),
    Remove,
    /// Add `by` to the integer the store holds (a missing or non-integer value counts as 0).
    /// `seen` is the value this request's handler saw, when a `Session` made the edit.
    Add {
        by: i64,
        seen: Option<Value>,
    },
}

/// Keys only: values may hold secrets.
impl fmt::Debug for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Changes")
            .field("cleared", &self.cleared)
            .field(
                "inserted",
                &self.inserted().map(|(key, _)| key).collect::<Vec<_>>(),
            )
            .field("removed", &self.removed().collect::<Vec<_>>())
            .field(
                "incremented",
                &self.incremented().map(|(key, _)| key).collect::<Vec<_>>(),
            )
            .field("user", &self.user())
            .finish()
    }
}

/// What [`Changes`] say about one key, as the handler sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Edit<'a> {
    Set(&'a Value),
    Removed,
    Untouched,
}

/// The integer in `value`, if it holds one that fits an `i64`.
pub(crate) fn as_integer(value: Option<&Value>) -> Option<i64> {
    value.and_then(Value::as_i64)
}

impl Changes {
    /// No changes.
    pub const fn new() -> Self {
        Self {
            cleared: false,
            edits: Vec::new(),
            user: None,
        }
    }

    /// Records that the session now belongs to `user`.
    pub fn bind_user(&mut self, user: impl Into<Box<str>>) {
        self.user = Some(Some(user.into()));
    }

    /// Records that the session belongs to no user.
    pub fn unbind_user(&mut self) {
        self.user = Some(None);
    }

    /// What these changes do to the session's user, if anything.
    pub fn user(&self) -> Option<UserChange<'_>> {
        self.user.as_ref().map(|user| match user {
            Some(user) => UserChange::Bind(user),
            None => UserChange::Unbind,
        })
    }

    /// Applies the user change, if any, to a record's `user`.
    ///
    /// ```
    /// use fastsession_core::store::Changes;
    ///
    /// let mut user = None;
    /// let mut login = Changes::new();
    /// login.bind_user("ada");
    /// login.apply_user_to(&mut user);
    /// assert_eq!(user.as_deref(), Some("ada"));
    /// Changes::new().apply_user_to(&mut user);
    /// assert_eq!(user.as_deref(), Some("ada"));
    /// ```
    pub fn apply_user_to(&self, user: &mut Option<String>) {
        match self.user() {
            Some(UserChange::Bind(bound)) => *user = Some(bound.to_owned()),
            Some(UserChange::Unbind) => *user = None,
            None => {}
        }
    }

    /// Records that `key` is set to `value`.
    pub fn insert(&mut self, key: impl Into<Box<str>>, value: Value) {
        self.record(key.into(), Op::Set(value));
    }

    /// Records that `key` is removed.
    pub fn remove(&mut self, key: impl Into<Box<str>>) {
        self.record(key.into(), Op::Remove);
    }

    /// Records that `by` is added to the integer under `key` (saturating; a missing value, or
    /// one that is not an integer, counts as 0). The store adds it to the value it holds when
    /// it applies the changes, so concurrent increments all count. After an insert, a removal
    /// or a clear of the same key, the result is known here and recorded as an insert.
    pub fn increment(&mut self, key: impl Into<Box<str>>, by: i64) {
        self.add(key.into(), by, None);
    }

    /// [`Changes::increment`], remembering `seen`, the value the handler now reads.
    pub(crate) fn increment_seen(&mut self, key: &str, by: i64, seen: i64) {
        self.add(key.into(), by, Some(Value::from(seen)));
    }

    fn add(&mut self, key: Box<str>, by: i64, seen: Option<Value>) {
        let known = |base: i64| Op::Set(Value::from(base.saturating_add(by)));
        let op = match self.edits.iter().find(|(k, _)| *k == key).map(|(_, op)| op) {
            Some(Op::Set(value)) => known(as_integer(Some(value)).unwrap_or(0)),
            Some(Op::Remove) => known(0),
            Some(Op::Add { by: before, .. }) => Op::Add {
                by: before.saturating_add(by),
                seen,
            },
            None if self.cleared => known(0),
            None => Op::Add { by, seen },
        };
        self.record(key, op);
    }

    /// Records that every key is removed; later inserts, removals and increments still apply.
    pub fn clear(&mut self) {
        self.cleared = true;
        self.edits.clear();
    }

    fn record(&mut self, key: Box<str>, op: Op) {
        match self.edits.iter_mut().find(|(k, _)| *k == key) {
            Some(edit) => edit.1 = op,
            None => self.edits.push((key, op)),
        }
    }

    /// Whether the stored data is to be cleared before the other edits apply.
    pub fn is_cleared(&self) -> bool {
        self.cleared
    }

    /// Whether there is nothing to apply: no edit of the data and no change of the user.
    pub fn is_empty(&self) -> bool {
        !self.edits_data() && self.user.is_none()
    }

    /// Whether the data changes (the user binding aside).
    pub fn edits_data(&self) -> bool {
        self.cleared || !self.edits.is_empty()
    }

    /// The keys set and their new values.
    pub fn inserted(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.edits.iter().filter_map(|(key, op)| match op {
            Op::Set(value) => Some((key.as_ref(), value)),
            _ => None,
        })
    }

    /// The keys removed.
    pub fn removed(&self) -> impl Iterator<Item = &str> {
        self.edits
            .iter()
            .filter(|(_, op)| *op == Op::Remove)
            .map(|(key, _)| key.as_ref())
    }

    /// The keys incremented, each with what to add to the integer the store holds.
    pub fn incremented(&self) -> impl Iterator<Item = (&str, i64)> {
        self.edits.iter().filter_map(|(key, op)| match op {
            Op::Add { by, .. } => Some((key.as_ref(), *by)),
            _ => None,
        })
    }

    /// The value the handler sees under each key these changes set or incremented.
    pub(crate) fn seen(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.edits.iter().filter_map(|(key, op)| match op {
            Op::Set(value)
            | Op::Add {
                seen: Some(value), ..
            } => Some((key.as_ref(), value)),
            _ => None,
        })
    }

    pub(crate) fn edit(&self, key: &str) -> Edit<'_> {
        match self.edits.iter().find(|(k, _)| k.as_ref() == key) {
            Some((
                _,
                Op::Set(value)
                | Op::Add {
                    seen: Some(value), ..
                },
            )) => Edit::Set(value),
            Some((_, Op::Remove)) => Edit::Removed,
            Some((_, Op::Add { seen: None, .. })) | None => Edit::Untouched,
        }
    }

    /// Applies these changes to `data`, in place when `data` is not shared and only existing
    /// keys change.
    pub fn apply_to(&self, data: &mut SessionData) {
        if !self.edits_data() {
            return;
        }
        if !self.cleared && self.apply_in_place(data) {
            return;
        }
        let mut entries: Vec<Entry> = if self.cleared {
            Vec::new()
        } else {
            data.slice().to_vec()
        };
        for (key, op) in &self.edits {
            let found = entries.binary_search_by(|(k, _)| k.as_ref().cmp(key.as_ref()));
            let current = found.ok().map(|index| &entries[index].1);
            match (found, op.applied_to(current)) {
                (Ok(index), Some(value)) => entries[index].1 = value,
                (Ok(index), None) => {
                    entries.remove(index);
                }
                (Err(index), Some(value)) => entries.insert(index, (key.clone(), value)),
                (Err(_), None) => {}
            }
        }
        *data = SessionData::from_sorted(entries);
    }

    fn apply_in_place(&self, data: &mut SessionData) -> bool {
        let Some(entries) = data.entries.as_mut().and_then(Arc::get_mut) else {
            return false;
        };
        let all_overwrites = self.edits.iter().all(|(key, op)| {
            *op != Op::Remove
                && entries
                    .binary_search_by(|(k, _)| k.as_ref().cmp(key))
                    .is_ok()
        });
        if !all_overwrites {
            return false;
        }
        for (key, op) in &self.edits {
            if let Ok(index) = entries.binary_search_by(|(k, _)| k.as_ref().cmp(key))
                && let Some(value) = op.applied_to(Some(&entries[index].1))
            {
                entries[index].1 = value;
            }
        }
        true
    }
}

impl Op {
    /// The value after this edit of `current`; `None` when the key goes.
    fn applied_to(&self, current: Option<&Value>) -> Option<Value> {
        match self {
            Self::Set(value) => Some(value.clone()),
            Self::Add { by, .. } => Some(Value::from(
                as_integer(current).unwrap_or(0).saturating_add(*by),
            )),
            Self::Remove => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::tests::data;
    use serde_json::json;

    #[test]
    fn changes_apply_sets_removals_and_clears() {
        let mut stored = data(&[("a", json!(1)), ("b", json!(2)), ("c", json!(3))]);
        let mut changes = Changes::new();
        changes.insert("b", json!(20));
        changes.remove("c");
        changes.insert("d", json!(4));
        changes.apply_to(&mut stored);
        assert_eq!(
            stored,
            data(&[("a", json!(1)), ("b", json!(20)), ("d", json!(4))])
        );

        let mut cleared = Changes::new();
        cleared.clear();
        cleared.insert("z", json!(0));
        cleared.apply_to(&mut stored);
        assert_eq!(stored, data(&[("z", json!(0))]));
    }

    #[test]
    fn overwrites_of_unshared_data_happen_in_place() {
        let mut stored = data(&[("n", json!(1))]);
        let before = Arc::as_ptr(stored.entries.as_ref().unwrap());
        let mut changes = Changes::new();
        changes.insert("n", json!(2));
        changes.apply_to(&mut stored);
        assert_eq!(Arc::as_ptr(stored.entries.as_ref().unwrap()), before);
        assert_eq!(stored.get("n"), Some(&json!(2)));

        let shared = stored.clone();
        changes.insert("n", json!(3));
        changes.apply_to(&mut stored);
        assert_eq!(
            shared.get("n"),
            Some(&json!(2)),
            "a shared snapshot never changes"
        );
        assert_eq!(stored.get("n"), Some(&json!(3)));
    }

    #[test]
    fn increments_add_to_what_the_store_holds() {
        let mut stored = data(&[("n", json!(5)), ("s", json!("text"))]);
        let mut changes = Changes::new();
        changes.increment("n", 2);
        changes.increment("n", 3);
        changes.increment("s", 1);
        changes.increment("new", -4);
        assert_eq!(
            changes.incremented().collect::<Vec<_>>(),
            [("n", 5), ("s", 1), ("new", -4)]
        );
        changes.apply_to(&mut stored);
        assert_eq!(
            stored,
            data(&[("n", json!(10)), ("new", json!(-4)), ("s", json!(1))])
        );
    }

    #[test]
    fn an_increment_after_a_set_removal_or_clear_is_a_known_value() {
        let mut changes = Changes::new();
        changes.insert("a", json!(7));
        changes.increment("a", 1);
        changes.remove("b");
        changes.increment("b", 2);
        assert_eq!(
            changes.inserted().collect::<Vec<_>>(),
            [("a", &json!(8)), ("b", &json!(2))]
        );
        assert_eq!(changes.incremented().count(), 0);
        let mut cleared = Changes::new();
        cleared.clear();
        cleared.increment("c", 3);
        assert_eq!(cleared.inserted().collect::<Vec<_>>(), [("c", &json!(3))]);
    }

    #[test]
    fn increments_saturate() {
        let mut stored = data(&[("n", json!(i64::MAX - 1))]);
        let mut changes = Changes::new();
        changes.increment("n", 5);
        changes.apply_to(&mut stored);
        assert_eq!(stored.get("n"), Some(&json!(i64::MAX)));
    }

    #[test]
    fn a_user_change_alone_is_a_change_that_leaves_the_data_alone() {
        let mut stored = data(&[("n", json!(1))]);
        let before = Arc::as_ptr(stored.entries.as_ref().unwrap());
        let mut changes = Changes::new();
        changes.bind_user("ada");
        assert!(!changes.is_empty());
        assert!(!changes.edits_data());
        changes.apply_to(&mut stored);
        assert_eq!(Arc::as_ptr(stored.entries.as_ref().unwrap()), before);
        changes.unbind_user();
        assert_eq!(changes.user(), Some(UserChange::Unbind));
    }

    #[test]
    fn debug_names_incremented_keys_without_values() {
        let mut changes = Changes::new();
        changes.increment("visits", 1);
        let printed = format!("{changes:?}");
        assert!(printed.contains("visits"), "{printed}");
    }
}
