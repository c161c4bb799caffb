//! A user's sessions: each user's index is a hash of its own (`PREFIXu{DIGEST}`), one field per
//! session listed (`i:` and the session's 32 hex digits) holding until when it is listed and
//! when it was last listed. The index and the sessions may sit on any slots of a Redis Cluster:
//! every script touches one key, and the index is repaired as it is read, never by expiry
//! notifications.

use std::sync::LazyLock;
use std::time::SystemTime;

use fastsession_core::id::SessionId;
use fastsession_core::store::{LISTING_GRACE, ListedSession, SessionRef, StoreError};
use redis::{Script, Value};

use crate::args::script_call;
use crate::keys::{
    CREATED, EXPIRES, REFRESHED, SUCCESSOR, USER, hex_digits, listed_session_key, user_index_key,
};
use crate::scripts;
use crate::store::{RedisStore, millis, store_error};

/// The hash field of a listed session: `i:` and its digest's hex digits.
const LISTED_PREFIX: &str = "i:";

/// `KEYS[1]` the user's index; `ARGV`: the session's field, until (ms), now (ms). Lists the
/// session until the later of `until` and any time it was listed until before, records `now`
/// as when it was last listed, and keeps the index (its `m:e`, and its TTL counted from `now`
/// like a session's) until its latest entry's time.
static LIST: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local upto = ARGV[2]
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then
  local old_upto = string.match(old, '^(%d+):')
  if old_upto and tonumber(old_upto) > tonumber(upto) then upto = old_upto end
end
redis.call('HSET', KEYS[1], ARGV[1], upto .. ':' .. ARGV[3])
local ends = redis.call('HGET', KEYS[1], 'm:e')
if not ends or tonumber(upto) > tonumber(ends) then
  redis.call('HSET', KEYS[1], 'm:e', upto)
  redis.call('PEXPIRE', KEYS[1], math.max(tonumber(upto) - tonumber(ARGV[3]), 1))
end
return 1
",
    )
});

/// `KEYS[1]` the user's index; `ARGV`: now (ms), the grace (ms), then the fields of sessions
/// whose record was not a live session of the user when read. Drops every entry whose time has
/// passed, and each of those fields whose entry was last listed at least the grace ago (one
/// listed again since stays). Returns how many entries went.
static DROP: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local now, grace = tonumber(ARGV[1]), tonumber(ARGV[2])
local dropped = 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if string.sub(fields[i], 1, 2) == 'i:' then
    local upto = tonumber(string.match(fields[i + 1], '^(%d+):'))
    if not upto or upto <= now then
      dropped = dropped + redis.call('HDEL', KEYS[1], fields[i])
    end
  end
end
for i = 3, #ARGV do
  local entry = redis.call('HGET', KEYS[1], ARGV[i])
  local listed = entry and tonumber(string.match(entry, ':(%d+)$'))
  if listed and listed + grace <= now then
    dropped = dropped + redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
return dropped
",
    )
});

/// `KEYS[1]` a session; `ARGV`: now (ms), the user. A live session bound to another user (or to
/// none) is spared: -1. Otherwise as [`DELETE`](crate::scripts::DELETE): a retired record's
/// successor, or the record deleted (1) or missing (0).
static END: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local expires = redis.call('HGET', KEYS[1], 'm:e')
local successor = redis.call('HGET', KEYS[1], 'm:s')
if expires and tonumber(expires) > tonumber(ARGV[1]) and not successor
   and redis.call('HGET', KEYS[1], 'm:u') ~= ARGV[2] then
  return -1
end
if successor then return successor end
return redis.call('DEL', KEYS[1])
",
    )
});

/// The index field of a session.
fn field_of(session: &SessionRef) -> String {
    format!("{LISTED_PREFIX}{}", hex_digits(session.as_bytes()))
}

/// The session a field names.
fn session_of(field: &str) -> Option<SessionRef> {
    let digits = field.strip_prefix(LISTED_PREFIX)?;
    let mut digest = [0u8; 16];
    hex::decode_to_slice(digits, &mut digest).ok()?;
    Some(SessionRef::from_bytes(digest))
}

/// An index entry's value: `UNTIL:LISTED`, both Unix milliseconds.
fn until_of(entry: &str) -> Option<u64> {
    entry.split(':').next()?.parse().ok()
}

impl RedisStore {
    /// Lists `id` under `user` until at least `expires_at`.
    pub(crate) async fn list_under_user(
        &self,
        user: &str,
        id: &SessionId,
        expires_at: SystemTime,
        now: SystemTime,
    ) -> Result<(), StoreError> {
        let index = user_index_key(self.prefix(), user);
        let mut call = script_call(&LIST, &index);
        call.arg(field_of(&SessionRef::of(id)))
            .arg(millis(expires_at))
            .arg(millis(now));
        self.within_timeout(async {
            let mut connection = self.connection();
            let _: i64 = scripts::run(&mut connection, &LIST, &call)
                .await
                .map_err(store_error)?;
            self.replicated(&mut connection, &index, true).await
        })
        .await
    }

    /// The live sessions of `user`: the index's entries whose time has not passed and whose
    /// record (read one key per call, so they may sit on any slots) is live and bound to
    /// `user`. Then drops the entries whose time has passed and the settled others.
    pub(crate) async fn sessions_of(
        &self,
        user: &str,
        now: SystemTime,
    ) -> Result<Vec<ListedSession>, StoreError> {
        let index = user_index_key(self.prefix(), user);
        let now_ms = millis(now);
        let entries: Vec<(String, String)> = self
            .within_timeout(async {
                let mut connection = self.connection();
                redis::cmd("HGETALL")
                    .arg(&index)
                    .query_async(&mut connection)
                    .await
                    .map_err(store_error)
            })
            .await?;
        let mut sessions = Vec::new();
        let mut unrelated = Vec::new();
        let mut expired = false;
        for (field, entry) in entries {
            let Some(session) = session_of(&field) else {
                continue;
            };
            if until_of(&entry).is_none_or(|until| until <= now_ms) {
                expired = true;
                continue;
            }
            match self.listed_session(user, &session, now_ms).await? {
                Some(listed) => sessions.push(listed),
                None => unrelated.push(field),
            }
        }
        if expired || !unrelated.is_empty() {
            self.drop_entries(&index, now_ms, &unrelated).await?;
        }
        Ok(sessions)
    }

    /// The session as `user`'s list shows it, if it is live and bound to them.
    async fn listed_session(
        &self,
        user: &str,
        session: &SessionRef,
        now_ms: u64,
    ) -> Result<Option<ListedSession>, StoreError> {
        let key = listed_session_key(self.prefix(), session);
        let fields: Vec<Option<String>> = self
            .within_timeout(async {
                let mut connection = self.connection();
                redis::cmd("HMGET")
                    .arg(&key)
                    .arg(&[CREATED, REFRESHED, EXPIRES, SUCCESSOR, USER])
                    .query_async(&mut connection)
                    .await
                    .map_err(store_error)
            })
            .await?;
        let number = |index: usize| -> Option<u64> { fields.get(index)?.as_deref()?.parse().ok() };
        let live = number(2).is_some_and(|expires| expires > now_ms)
            && fields.get(3).is_some_and(Option::is_none);
        let bound = fields.get(4).and_then(Option::as_deref) == Some(user);
        let (Some(created), Some(refreshed)) = (number(0), number(1)) else {
            return Ok(None);
        };
        Ok((live && bound).then(|| ListedSession {
            session: *session,
            created_at: crate::reply::time(created),
            refreshed_at: crate::reply::time(refreshed),
        }))
    }

    async fn drop_entries(
        &self,
        index: &str,
        now_ms: u64,
        unrelated: &[String],
    ) -> Result<(), StoreError> {
        let mut call = script_call(&DROP, index);
        let grace_ms = u64::try_from(LISTING_GRACE.as_millis()).unwrap_or(u64::MAX);
        call.arg(now_ms).arg(grace_ms);
        for field in unrelated {
            call.arg(field);
        }
        self.within_timeout(async {
            let mut connection = self.connection();
            let _: i64 = scripts::run(&mut connection, &DROP, &call)
                .await
                .map_err(store_error)?;
            Ok(())
        })
        .await
    }

    /// Ends `user`'s session `session`, if listed: deletes it (in one step with the check that
    /// it is not live and bound to someone else) and the successors it leads to, then takes it
    /// off the list.
    pub(crate) async fn end_of(
        &self,
        user: &str,
        session: &SessionRef,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        let index = user_index_key(self.prefix(), user);
        let field = field_of(session);
        let listed: bool = self
            .within_timeout(async {
                let mut connection = self.connection();
                redis::cmd("HEXISTS")
                    .arg(&index)
                    .arg(&field)
                    .query_async(&mut connection)
                    .await
                    .map_err(store_error)
            })
            .await?;
        if !listed {
            return Ok(false);
        }
        let key = listed_session_key(self.prefix(), session);
        let mut call = script_call(&END, &key);
        call.arg(millis(now)).arg(user);
        let answer: Value = self
            .within_timeout(async {
                let mut connection = self.connection();
                let answer = scripts::run(&mut connection, &END, &call)
                    .await
                    .map_err(store_error)?;
                self.replicated(&mut connection, &key, true).await?;
                Ok(answer)
            })
            .await?;
        let deleted = match answer {
            Value::Int(answer) => answer == 1,
            Value::BulkString(successor) => {
                let successor = String::from_utf8(successor).map_err(StoreError::corrupt)?;
                self.delete_chain(successor, vec![key]).await?;
                true
            }
            Value::SimpleString(successor) => {
                self.delete_chain(successor, vec![key]).await?;
                true
            }
            _ => false,
        };
        if deleted {
            self.within_timeout(async {
                let mut connection = self.connection();
                let _: i64 = redis::cmd("HDEL")
                    .arg(&index)
                    .arg(&field)
                    .query_async(&mut connection)
                    .await
                    .map_err(store_error)?;
                Ok(())
            })
            .await?;
        }
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_name_their_session() {
        let session = SessionRef::of(&SessionId::from_bytes([5; 32]));
        assert_eq!(session_of(&field_of(&session)), Some(session));
        assert_eq!(session_of("m:e"), None);
        assert_eq!(
            until_of("1767225600000:1767225500000"),
            Some(1_767_225_600_000)
        );
    }
}
