//! Session data as stored ([`SessionData`]) and one request's edits to it ([`Changes`]).

use std::fmt;
use std::io;
use std::sync::Arc;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

pub(crate) type Entry = (Box<str>, Value);

/// A session's data: string keys mapped to JSON values, sorted by key.
///
/// Cloning is cheap (a reference count), so a store can hand the same snapshot to many requests
/// without copying it; edits go through [`Changes`](crate::store::Changes). `Debug` lists the keys only, since values
/// may hold secrets.
///
/// # Examples
///
/// ```
/// use fastsession_core::{store::Changes, store::SessionData};
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
    pub(crate) entries: Option<Arc<[Entry]>>,
}

impl SessionData {
    /// No data.
    pub const fn new() -> Self {
        Self { entries: None }
    }

    pub(crate) fn slice(&self) -> &[Entry] {
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

    pub(crate) fn from_sorted(entries: Vec<Entry>) -> Self {
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
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// Session data holding these pairs (the unit tests' shorthand).
    pub(crate) fn data(pairs: &[(&str, Value)]) -> SessionData {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
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
