//! A session's data in its row: a jsonb object that maps each key to the JSON text of its value,
//! as a jsonb string (`{"visits": "41", "user": "\"ada\""}`).
//!
//! Each value is kept as the text the application's value serializes to, not as a jsonb value:
//! jsonb rewrites numbers (`1e16` becomes `10000000000000000`, an integer on the way back) and
//! refuses strings holding `\u0000`, and the store must hand back exactly what it was given.

use std::error::Error as StdError;
use std::fmt;

use fastsession_core::store::SessionData;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use tokio_postgres::types::{FromSql, Type};

/// The keys and the JSON texts of `entries`, as the two arrays the statements take.
pub(crate) fn columns<'a>(
    entries: impl Iterator<Item = (&'a str, &'a Value)>,
) -> (Vec<&'a str>, Vec<String>) {
    let (lower, _) = entries.size_hint();
    let mut keys = Vec::with_capacity(lower);
    let mut texts = Vec::with_capacity(lower);
    for (key, value) in entries {
        keys.push(key);
        texts.push(value.to_string());
    }
    (keys, texts)
}

/// A row's `data`, read from jsonb's binary form (a version byte, 1, then the JSON text).
#[derive(Debug)]
pub(crate) struct StoredData(pub(crate) SessionData);

/// The jsonb version this reads.
const JSONB_VERSION: u8 = 1;

impl<'a> FromSql<'a> for StoredData {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        let Some((&JSONB_VERSION, text)) = raw.split_first() else {
            return Err("a jsonb value of an unknown version".into());
        };
        let mut deserializer = serde_json::Deserializer::from_slice(text);
        let data = deserializer.deserialize_map(DataVisitor)?;
        deserializer.end()?;
        Ok(Self(data))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSONB
    }
}

/// Reads the object of JSON texts into [`SessionData`], parsing each text on the way.
struct DataVisitor;

impl<'de> Visitor<'de> for DataVisitor {
    type Value = SessionData;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an object of JSON texts")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SessionData, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some((key, text)) = map.next_entry::<String, std::borrow::Cow<'de, str>>()? {
            let value: Value = serde_json::from_str(&text).map_err(de::Error::custom)?;
            entries.push((key, value));
        }
        Ok(entries.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(text: &str) -> Result<SessionData, Box<dyn StdError + Sync + Send>> {
        let mut raw = vec![JSONB_VERSION];
        raw.extend_from_slice(text.as_bytes());
        StoredData::from_sql(&Type::JSONB, &raw).map(|data| data.0)
    }

    #[test]
    fn values_come_back_exactly_as_written() {
        let values = [
            ("big", json!(1e16)),
            ("nul", json!("a\u{0}b")),
            ("nested", json!({"b": [1, 2.5, null], "a": true})),
            ("quote", json!("say \"hi\"\n")),
        ];
        let (keys, texts) = columns(values.iter().map(|(key, value)| (*key, value)));
        let object: serde_json::Map<String, Value> = keys
            .iter()
            .zip(&texts)
            .map(|(key, text)| ((*key).to_owned(), Value::String(text.clone())))
            .collect();
        let data = read(&Value::Object(object).to_string()).unwrap();
        for (key, value) in &values {
            assert_eq!(data.get(key), Some(value), "{key}");
        }
        assert_eq!(data.len(), values.len());
    }

    #[test]
    fn damaged_rows_are_errors_not_panics() {
        assert!(read("{\"a\": \"not json\"}").is_err());
        assert!(read("{\"a\": 1}").is_err(), "a value must be a JSON text");
        assert!(read("[1]").is_err());
        assert!(read("{} trailing").is_err());
        assert!(StoredData::from_sql(&Type::JSONB, b"").is_err());
        assert!(StoredData::from_sql(&Type::JSONB, b"\x02{}").is_err());
        assert!(read("{}").unwrap().is_empty());
    }
}
