//! Session data as stored ([`SessionData`]) and one request's edits to it ([`Changes`]).

use std::fmt;
use std::io;
use std::sync::Arc;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

type Entry = (Box<str>, Value);

/// A session's data: string keys mapped to JSON values, sorted by key.
///
/// Cloning is cheap (a reference count), so a store can hand the same snapshot to many requests
/// without copying it; edits go through [`Changes`]. `Debug` lists the keys only, since values
/// may hold secrets.
///
/// # Examples
///
/// ```
/// use fastsession_core::{Changes, SessionData};
/// use serde_json::json;
///
/// let mut data: SessionData = [("cart".to_owned(), json!(3))].into_iter().collect();
/// let mut changes = Changes::new();
/// changes.insert("user", json!("ada"));
/// changes.apply_to(&mut data);
/// assert_eq!(data.keys().collect::<Vec<_>>(), ["cart", "user"]);
/// assert_eq!(data.get("user"), Some(&json!("ada")));
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct SessionData {
    entries: Option<Arc<[Entry]>>,
}

impl SessionData {
    /// No data.
    pub const fn new() -> Self {
        Self { entries: None }
    }

    fn slice(&self) -> &[Entry] {
        self.entries.as_deref().unwrap_or(&[])
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        let entries = self.slice();
        entries
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()
            .map(|index| &entries[index].1)
    }

    /// Every key and value, sorted by key.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> {
        self.slice()
            .iter()
            .map(|(key, value)| (key.as_ref(), value))
    }

    /// Every key, sorted.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.slice().iter().map(|(key, _)| key.as_ref())
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.slice().len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.slice().is_empty()
    }

    /// The length of this data serialized as a JSON object, computed without allocating.
    pub fn serialized_len(&self) -> usize {
        2 + self
            .iter()
            .map(|(key, value)| entry_len(key, value))
            .sum::<usize>()
    }

    fn from_sorted(entries: Vec<Entry>) -> Self {
        if entries.is_empty() {
            Self::new()
        } else {
            Self {
                entries: Some(entries.into()),
            }
        }
    }
}

impl FromIterator<(String, Value)> for SessionData {
    /// Later duplicates of a key replace earlier ones.
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        let mut entries: Vec<Entry> = Vec::new();
        for (key, value) in iter {
            let key: Box<str> = key.into();
            match entries.binary_search_by(|(k, _)| k.cmp(&key)) {
                Ok(index) => entries[index].1 = value,
                Err(index) => entries.insert(index, (key, value)),
            }
        }
        Self::from_sorted(entries)
    }
}

impl fmt::Debug for SessionData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionData")
            .field("keys", &self.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Serialize for SessionData {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (key, value) in self.iter() {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for SessionData {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DataVisitor;
        impl<'de> Visitor<'de> for DataVisitor {
            type Value = SessionData;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of session keys to values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SessionData, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1024));
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    entries.push(entry);
                }
                Ok(entries.into_iter().collect())
            }
        }
        deserializer.deserialize_map(DataVisitor)
    }
}

/// One request's edits to a session: keys set, keys removed, and whether everything was cleared
/// first. `Debug` lists the keys only, since values may hold secrets. Stores apply them to the current record, so keys this request did not touch keep
/// whatever a concurrent request wrote.
///
/// # Examples
///
/// ```
/// use fastsession_core::Changes;
/// use serde_json::json;
///
/// let mut changes = Changes::new();
/// changes.clear();
/// changes.insert("a", json!(1));
/// changes.remove("b");
/// assert!(changes.is_cleared());
/// assert_eq!(changes.inserted().collect::<Vec<_>>(), [("a", &json!(1))]);
/// assert_eq!(changes.removed().collect::<Vec<_>>(), ["b"]);
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct Changes {
    cleared: bool,
    /// The last edit of each key, in the order keys were first edited: `Some` sets, `None`
    /// removes.
    edits: Vec<(Box<str>, Option<Value>)>,
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
            .finish()
    }
}

/// What [`Changes`] say about one key.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Edit<'a> {
    Set(&'a Value),
    Removed,
    Untouched,
}

impl Changes {
    /// No changes.
    pub const fn new() -> Self {
        Self {
            cleared: false,
            edits: Vec::new(),
        }
    }

    /// Records that `key` is set to `value`.
    pub fn insert(&mut self, key: impl Into<Box<str>>, value: Value) {
        self.record(key.into(), Some(value));
    }

    /// Records that `key` is removed.
    pub fn remove(&mut self, key: impl Into<Box<str>>) {
        self.record(key.into(), None);
    }

    /// Records that every key is removed; later inserts and removals still apply.
    pub fn clear(&mut self) {
        self.cleared = true;
        self.edits.clear();
    }

    fn record(&mut self, key: Box<str>, value: Option<Value>) {
        match self.edits.iter_mut().find(|(k, _)| *k == key) {
            Some(edit) => edit.1 = value,
            None => self.edits.push((key, value)),
        }
    }

    /// Whether the stored data is to be cleared before the other edits apply.
    pub fn is_cleared(&self) -> bool {
        self.cleared
    }

    /// Whether there is nothing to apply.
    pub fn is_empty(&self) -> bool {
        !self.cleared && self.edits.is_empty()
    }

    /// The keys set and their new values.
    pub fn inserted(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.edits
            .iter()
            .filter_map(|(key, value)| Some((key.as_ref(), value.as_ref()?)))
    }

    /// The keys removed.
    pub fn removed(&self) -> impl Iterator<Item = &str> {
        self.edits
            .iter()
            .filter(|(_, value)| value.is_none())
            .map(|(key, _)| key.as_ref())
    }

    pub(crate) fn edit(&self, key: &str) -> Edit<'_> {
        match self.edits.iter().find(|(k, _)| k.as_ref() == key) {
            Some((_, Some(value))) => Edit::Set(value),
            Some((_, None)) => Edit::Removed,
            None => Edit::Untouched,
        }
    }

    /// Applies these changes to `data`, in place when `data` is not shared and only existing
    /// keys change.
    pub fn apply_to(&self, data: &mut SessionData) {
        if self.is_empty() {
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
        for (key, value) in &self.edits {
            let found = entries.binary_search_by(|(k, _)| k.as_ref().cmp(key.as_ref()));
            match (found, value) {
                (Ok(index), Some(value)) => entries[index].1 = value.clone(),
                (Ok(index), None) => {
                    entries.remove(index);
                }
                (Err(index), Some(value)) => entries.insert(index, (key.clone(), value.clone())),
                (Err(_), None) => {}
            }
        }
        *data = SessionData::from_sorted(entries);
    }

    fn apply_in_place(&self, data: &mut SessionData) -> bool {
        let Some(entries) = data.entries.as_mut().and_then(Arc::get_mut) else {
            return false;
        };
        let all_overwrites = self.edits.iter().all(|(key, value)| {
            value.is_some()
                && entries
                    .binary_search_by(|(k, _)| k.as_ref().cmp(key))
                    .is_ok()
        });
        if !all_overwrites {
            return false;
        }
        for (key, value) in &self.edits {
            if let (Ok(index), Some(value)) = (
                entries.binary_search_by(|(k, _)| k.as_ref().cmp(key)),
                value,
            ) {
                entries[index].1 = value.clone();
            }
        }
        true
    }
}

/// The JSON length of one `"key":value,` entry.
pub(crate) fn entry_len(key: &str, value: &Value) -> usize {
    json_len(&key) + 1 + json_len(value) + 1
}

/// The length of `value` serialized as JSON, without allocating.
pub(crate) fn json_len<T: Serialize + ?Sized>(value: &T) -> usize {
    let mut counter = ByteCounter(0);
    // Serializing a `Value` or a `str` into a counter cannot fail.
    let _ = serde_json::to_writer(&mut counter, value);
    counter.0
}

struct ByteCounter(usize);

impl io::Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data(pairs: &[(&str, Value)]) -> SessionData {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

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
    fn serialized_len_matches_serde_json() {
        let stored = data(&[("a", json!("x\"y")), ("b", json!({"n": [1, 2.5, null]}))]);
        let text = serde_json::to_string(&stored).unwrap();
        // Our count includes one trailing comma.
        assert_eq!(stored.serialized_len(), text.len() + 1);
        assert_eq!(SessionData::new().serialized_len(), 2);
    }

    #[test]
    fn serde_round_trips_and_debug_hides_values() {
        let stored = data(&[("token", json!("secret-value"))]);
        let text = serde_json::to_string(&stored).unwrap();
        assert_eq!(serde_json::from_str::<SessionData>(&text).unwrap(), stored);
        assert!(!format!("{stored:?}").contains("secret-value"));
    }
}
