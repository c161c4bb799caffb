//! A session's record read from the reply to [`READ`](crate::scripts::READ): its hash's fields
//! and values packed in one string, each as its length, `:` and its bytes, read where they lie.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fastsession_core::store::{Expiry, Record, SessionData, StoreError};

use crate::keys::{CREATED, DATA_PREFIX, EXPIRES, REFRESHED, SUCCESSOR, USER};

/// The record in `reply`, or none when the session is missing (an empty hash) or retired (only
/// a pointer to its successor).
pub(crate) fn record(reply: &[u8]) -> Result<Option<Record>, StoreError> {
    let mut fields = Fields::default();
    let mut rest = reply;
    while !rest.is_empty() {
        let (field, after_field) = next_string(rest)?;
        let (value, after_value) = next_string(after_field)?;
        fields.read(field, value)?;
        rest = after_value;
    }
    fields.into_record()
}

/// The first `LENGTH:BYTES` string of `packed`, and what follows it.
fn next_string(packed: &[u8]) -> Result<(&[u8], &[u8]), StoreError> {
    let damaged = || StoreError::corrupt("the stored session's fields are not as READ packs them");
    let colon = packed
        .iter()
        .position(|&byte| byte == b':')
        .ok_or_else(damaged)?;
    let length: usize = std::str::from_utf8(&packed[..colon])
        .ok()
        .and_then(|digits| digits.parse().ok())
        .ok_or_else(damaged)?;
    let rest = &packed[colon + 1..];
    if rest.len() < length {
        return Err(damaged());
    }
    Ok(rest.split_at(length))
}

/// The fields of one session's hash, as they are read.
#[derive(Default)]
struct Fields {
    created: Option<u64>,
    refreshed: Option<u64>,
    expires: Option<u64>,
    retired: bool,
    seen: bool,
    user: Option<String>,
    data: Vec<(String, serde_json::Value)>,
}

impl Fields {
    fn read(&mut self, field: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.seen = true;
        if let Some(key) = field.strip_prefix(DATA_PREFIX.as_bytes()) {
            let value = serde_json::from_slice(value).map_err(StoreError::corrupt)?;
            let key = std::str::from_utf8(key)
                .map_err(StoreError::corrupt)?
                .to_owned();
            self.data.push((key, value));
            return Ok(());
        }
        let slot = match field {
            field if field == CREATED.as_bytes() => &mut self.created,
            field if field == REFRESHED.as_bytes() => &mut self.refreshed,
            field if field == EXPIRES.as_bytes() => &mut self.expires,
            field if field == SUCCESSOR.as_bytes() => {
                self.retired = true;
                return Ok(());
            }
            field if field == USER.as_bytes() => {
                let user = std::str::from_utf8(value).map_err(StoreError::corrupt)?;
                self.user = Some(user.to_owned());
                return Ok(());
            }
            _ => return Ok(()),
        };
        *slot = std::str::from_utf8(value)
            .ok()
            .and_then(|text| text.parse().ok());
        Ok(())
    }

    fn into_record(self) -> Result<Option<Record>, StoreError> {
        if !self.seen || self.retired {
            return Ok(None);
        }
        let number = |value: Option<u64>, field: &str| {
            value.ok_or_else(|| {
                StoreError::corrupt(format!("the stored session has no valid {field} field"))
            })
        };
        let created = number(self.created, CREATED)?;
        let refreshed = number(self.refreshed, REFRESHED)?;
        let expires = number(self.expires, EXPIRES)?;
        Ok(Some(Record {
            data: self.data.into_iter().collect::<SessionData>(),
            created_at: time(created),
            expiry: Expiry {
                refreshed_at: time(refreshed),
                expires_at: time(expires),
            },
            user: self.user,
        }))
    }
}

/// `millis` Unix milliseconds as a time.
pub(crate) fn time(millis: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `fields` packed as READ packs them.
    fn packed(fields: &[&str]) -> Vec<u8> {
        fields
            .iter()
            .flat_map(|text| format!("{}:{text}", text.len()).into_bytes())
            .collect()
    }

    #[test]
    fn a_packed_hash_reads_as_its_record() {
        let reply = packed(&[
            "m:c", "1000", "d:n", "7", "m:r", "2000", "m:e", "3000", "d:", "\"é:\"",
        ]);
        let record = record(&reply).unwrap().expect("a record");
        assert_eq!(record.created_at, time(1000));
        assert_eq!(record.expiry.refreshed_at, time(2000));
        assert_eq!(record.expiry.expires_at, time(3000));
        assert_eq!(record.data.get("n"), Some(&serde_json::json!(7)));
        assert_eq!(record.data.get(""), Some(&serde_json::json!("é:")));
    }

    #[test]
    fn missing_and_retired_sessions_read_as_none() {
        assert!(record(b"").unwrap().is_none());
        let retired = packed(&["m:e", "3000", "m:s", "k"]);
        assert!(record(&retired).unwrap().is_none());
    }

    #[test]
    fn a_damaged_hash_is_a_corrupt_record_not_a_panic() {
        let times = ["m:c", "1", "m:r", "2", "m:e", "3"];
        let mut damaged = vec![
            packed(&times[..4]),
            packed(&["m:c", "x", "m:r", "2", "m:e", "3"]),
            packed(&[&times[..], &["d:n", "{"]].concat()),
            packed(&["m:c"]),
        ];
        let whole = packed(&times);
        damaged.push(whole[..whole.len() - 1].to_vec());
        damaged.push(b"x:m:c".to_vec());
        damaged.push(b"99999999999999999999999:".to_vec());
        damaged.push(b"3m:c".to_vec());
        for reply in damaged {
            assert!(
                record(&reply).is_err(),
                "{}",
                String::from_utf8_lossy(&reply)
            );
        }
    }
}
