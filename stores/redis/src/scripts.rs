//! The Lua scripts that make every write atomic on the server.

use std::sync::LazyLock;

use redis::aio::ConnectionLike;
use redis::{Cmd, ErrorKind, FromRedisValue, RedisResult, Script, ServerErrorKind};

/// `KEYS[1]` the session; `ARGV`: now, created, refreshed, expires, ttl (ms), then field/value
/// pairs. Inserts only if no live session has the key; returns 1 if it inserted.
pub(crate) static CREATE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local expires = redis.call('HGET', KEYS[1], 'm:e')
if expires then
  if tonumber(expires) > tonumber(ARGV[1]) then return 0 end
  redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[1], 'm:c', ARGV[2], 'm:r', ARGV[3], 'm:e', ARGV[4])
for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
",
    )
});

/// The opening of the scripts that change a session (APPLY, RETIRE), in Lua: returns 0 unless
/// `KEYS[1]` is live at `ARGV[1]` (its end, `m:e`, is later) and not retired (no `m:s`), and
/// leaves that end in `expires`. It also defines `drop_data()`, which deletes the session's data
/// (every `d:` field) and keeps its timestamps.
const LIVE_SESSION: &str = r"
local expires = redis.call('HGET', KEYS[1], 'm:e')
if not expires or tonumber(expires) <= tonumber(ARGV[1]) then return 0 end
if redis.call('HEXISTS', KEYS[1], 'm:s') == 1 then return 0 end
local function drop_data()
  for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
    if string.sub(field, 1, 2) == 'd:' then redis.call('HDEL', KEYS[1], field) end
  end
end
";

/// `KEYS[1]` the session; `ARGV`: now, refreshed, expires, ttl (ms), cleared (0/1), the number of
/// removed fields, the removed fields, the number of incremented fields, field/delta pairs, then
/// field/value pairs to set. Applies only to a live session that is not retired; the expiry only
/// moves forward. An increment adds to the integer the field holds (`HINCRBY`, exact over 64
/// bits), and an overflow saturates. A field that holds no integer in Redis's syntax (`0`, or
/// digits without a leading zero after an optional `-`, within 64 bits; so not `-0` or `007`)
/// counts as 0: the field becomes the delta. Returns 1 if it applied.
pub(crate) static APPLY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        &[
            LIVE_SESSION,
            r"
if ARGV[5] == '1' then drop_data() end
local removed = tonumber(ARGV[6])
for i = 7, 6 + removed do redis.call('HDEL', KEYS[1], ARGV[i]) end
local function is_i64(text)
  if text == '0' then return true end
  if not text or not string.match(text, '^%-?[1-9]%d*$') then return false end
  local digits = string.gsub(text, '^%-', '')
  if string.len(digits) ~= 19 then return string.len(digits) < 19 end
  if string.sub(text, 1, 1) == '-' then return digits <= '9223372036854775808' end
  return digits <= '9223372036854775807'
end
local at = 7 + removed
local added = tonumber(ARGV[at])
for i = at + 1, at + 2 * added, 2 do
  local field, delta = ARGV[i], ARGV[i + 1]
  if not is_i64(redis.call('HGET', KEYS[1], field)) then
    redis.call('HSET', KEYS[1], field, delta)
  else
    local sum = redis.pcall('HINCRBY', KEYS[1], field, delta)
    if type(sum) == 'table' and sum.err then
      if not string.find(sum.err, 'overflow', 1, true) then return redis.error_reply(sum.err) end
      if string.sub(delta, 1, 1) == '-' then
        redis.call('HSET', KEYS[1], field, '-9223372036854775808')
      else
        redis.call('HSET', KEYS[1], field, '9223372036854775807')
      end
    end
  end
end
for i = at + 1 + 2 * added, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local refreshed = tonumber(redis.call('HGET', KEYS[1], 'm:r') or '0')
if tonumber(ARGV[2]) > refreshed then redis.call('HSET', KEYS[1], 'm:r', ARGV[2]) end
if tonumber(ARGV[3]) > tonumber(expires) then
  redis.call('HSET', KEYS[1], 'm:e', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return 1
",
        ]
        .concat(),
    )
});

/// `KEYS[1]` the session; `ARGV`: now, the successor's key. If the session is live and not
/// retired, drops its data and records the successor (`m:s`), keeping the expiry and TTL, and
/// returns 1; if it is already retired in favour of this same successor, returns 1 again (a
/// Redis Cluster client resends a command whose reply a dropped connection lost, and the
/// resent retirement must not read as a lost race); otherwise changes nothing and returns 0.
/// One key per call: a predecessor and its successor may live on any slots.
pub(crate) static RETIRE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        &[
            r"
if redis.call('HGET', KEYS[1], 'm:s') == ARGV[2] then return 1 end
",
            LIVE_SESSION,
            r"
drop_data()
redis.call('HSET', KEYS[1], 'm:s', ARGV[2])
return 1
",
        ]
        .concat(),
    )
});

/// `KEYS[1]` the session. A retired record is left as it is and its successor's key (`m:s`)
/// returned: the caller deletes the successor next, with this script on that key, and the
/// retired records it walked once the walk is over. Any other record is deleted, and nil
/// returned. Running it twice gives the same answer (a Redis Cluster client resends a command
/// whose reply a dropped connection lost: had the first run deleted a retired record, the resent
/// one would find nothing, and the successor would outlive the logout). One key per call: a
/// predecessor and its successor may live on any slots.
pub(crate) static DELETE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local successor = redis.call('HGET', KEYS[1], 'm:s')
if successor then return successor end
redis.call('DEL', KEYS[1])
return false
",
    )
});

/// `KEYS[1]` any key under the prefix; `ARGV`: now. Deletes it if its stored end (`m:e`) is at or
/// before now, or if it has none: no `m:e` field, one that holds no number, or a key that is not
/// a hash (its `HGET` fails, and `redis.pcall` turns the failure into a value); returns how many
/// keys it deleted (0 or 1). Live and retired records alike; checked and deleted in one step, so
/// a record extended meanwhile is kept.
pub(crate) static PURGE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local expires = tonumber(redis.pcall('HGET', KEYS[1], 'm:e'))
if expires and expires > tonumber(ARGV[1]) then return 0 end
return redis.call('DEL', KEYS[1])
",
    )
});

/// `KEYS[1]` the session. Its whole hash in one string: each field, then each value, as its
/// length in bytes, `:`, and its bytes (`3:m:c13:1733000000000…`); empty when there is none.
/// One string is one value for the client to parse, where `HGETALL`'s reply is two per field:
/// redis-rs's parser costs about 2,000 instructions a value.
pub(crate) static READ: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields do fields[i] = #fields[i] .. ':' .. fields[i] end
return table.concat(fields)
",
    )
});

/// Runs `call` (from [`script_call`](crate::args::script_call)) on `connection`; if the server
/// does not know `script` yet (`NOSCRIPT`: a new or restarted server, a failover), loads it
/// and runs `call` again.
pub(crate) async fn run<T: FromRedisValue>(
    connection: &mut impl ConnectionLike,
    script: &Script,
    call: &Cmd,
) -> RedisResult<T> {
    match call.query_async(connection).await {
        // Boxed: rare, and it would otherwise enlarge every call's future.
        Err(error) if error.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
            Box::pin(load_and_run(connection, script, call)).await
        }
        answer => answer,
    }
}

async fn load_and_run<T: FromRedisValue>(
    connection: &mut impl ConnectionLike,
    script: &Script,
    call: &Cmd,
) -> RedisResult<T> {
    script.prepare_invoke().load_async(connection).await?;
    call.query_async(connection).await
}

#[cfg(test)]
mod tests {
    use redis::AsyncCommands as _;

    use super::{DELETE, RETIRE};

    /// A cluster client may resend a script whose reply was lost: `DELETE` run twice answers the
    /// same, on a retired record (its successor, the record left for the walk to delete) and on
    /// a live one (deleted, then nothing). Runs against `FASTSESSION_REDIS_URL`.
    #[tokio::test]
    async fn delete_answers_the_same_when_run_twice() {
        let url = std::env::var("FASTSESSION_REDIS_URL")
            .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
        let mut connection = redis::Client::open(url)
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap();
        let prefix = format!("fastsession-scripts:{}:", std::process::id());
        let (retired, live) = (format!("{prefix}retired"), format!("{prefix}live"));
        for key in [&retired, &live] {
            let _: () = connection
                .hset_multiple(key, &[("m:c", "0"), ("m:r", "0"), ("m:e", "9999999999999")])
                .await
                .unwrap();
        }
        let mut retire = RETIRE.key(&retired);
        retire.arg(1).arg(&live);
        let answer: i64 = retire.invoke_async(&mut connection).await.unwrap();
        assert_eq!(answer, 1);
        for _ in 0..2 {
            let successor: Option<String> = DELETE
                .key(&retired)
                .invoke_async(&mut connection)
                .await
                .unwrap();
            assert_eq!(successor.as_deref(), Some(live.as_str()));
            assert!(connection.exists::<_, bool>(&retired).await.unwrap());
        }
        for _ in 0..2 {
            let successor: Option<String> = DELETE
                .key(&live)
                .invoke_async(&mut connection)
                .await
                .unwrap();
            assert_eq!(successor, None);
            assert!(!connection.exists::<_, bool>(&live).await.unwrap());
        }
        let _: () = connection.del(&retired).await.unwrap();
    }
}
