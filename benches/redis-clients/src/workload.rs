//! The store's request path, as both clients run it: the session keys, the seed data, the write
//! script, and [`Client`], one enum over every client configuration measured.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::{fred_client, rs_client, rs_watchdog};

/// The store's default key prefix.
const PREFIX: &str = "fastsession:";

/// A session's time to live in the seed data and the writes: one day, in milliseconds.
pub(crate) const TTL_MS: u64 = 86_400_000;

/// The per-call timeout every client is configured with (connection and response), as the
/// cluster runs of the store used.
pub(crate) const CALL_TIMEOUT: Duration = Duration::from_millis(500);

/// The write: the shape of the store's `APPLY` script for a session whose one data field is set.
pub(crate) const WRITE_LUA: &str = "local e = redis.call('HGET', KEYS[1], 'm:e') \
if not e or tonumber(e) <= tonumber(ARGV[1]) then return 0 end \
redis.call('HSET', KEYS[1], 'm:r', ARGV[2], 'm:e', ARGV[3], ARGV[5], ARGV[6]) \
redis.call('PEXPIRE', KEYS[1], ARGV[4]) return 1";

/// The read's fields: created, refreshed, expires (ms), and the one data field.
pub(crate) const FIELD_COUNT: usize = 4;

/// `count` session keys, `fastsession:` then 64 hex digits, as the store names a session by the
/// SHA-256 of its id. Deterministic, from a SplitMix64 sequence started at `seed`.
pub(crate) fn session_keys(count: usize, seed: u64) -> Vec<String> {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    (0..count)
        .map(|_| {
            format!(
                "{PREFIX}{:016x}{:016x}{:016x}{:016x}",
                next(),
                next(),
                next(),
                next()
            )
        })
        .collect()
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        })
}

/// The fields of a seeded session at `now`: live for [`TTL_MS`], its counter at 17.
pub(crate) fn seed_fields(now: u64) -> [(&'static str, String); FIELD_COUNT] {
    [
        ("m:c", now.to_string()),
        ("m:r", now.to_string()),
        ("m:e", (now + TTL_MS).to_string()),
        ("d:counter", "17".to_owned()),
    ]
}

/// What an operation failed with, as a line of text.
pub(crate) type OpError = String;

/// One shared connection object of one client, as a session store would hold it.
#[derive(Clone)]
pub(crate) enum Client {
    /// redis-rs: a connection manager (one server, or a Sentinel's master found once).
    RsManager(redis::aio::ConnectionManager),
    /// redis-rs: a cluster connection.
    RsCluster(redis::cluster_async::ClusterConnection),
    /// redis-rs: a cluster connection replaced when it stops answering.
    RsRebuilding(rs_watchdog::RebuildingCluster),
    /// redis-rs: a connection manager that asks the sentinels again when its master fails.
    RsSentinel(rs_client::SentinelManager),
    /// fred: one client.
    Fred(fred_client::FredClient),
    /// fred: a round-robin pool of clients.
    FredPool(fred_client::FredPool),
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::RsManager(_) => "RsManager",
            Self::RsCluster(_) => "RsCluster",
            Self::RsRebuilding(_) => "RsRebuilding",
            Self::RsSentinel(_) => "RsSentinel",
            Self::Fred(_) => "Fred",
            Self::FredPool(_) => "FredPool",
        })
    }
}

impl Client {
    /// The read: `HGETALL key`, parsed into a map.
    pub(crate) async fn read(&self, key: &str) -> Result<HashMap<String, String>, OpError> {
        match self {
            Self::RsManager(connection) => rs_client::read(&mut connection.clone(), key).await,
            Self::RsCluster(connection) => rs_client::read(&mut connection.clone(), key).await,
            Self::RsRebuilding(cluster) => cluster.read(key).await,
            Self::RsSentinel(manager) => manager.read(key).await,
            Self::Fred(client) => client.read(key).await,
            Self::FredPool(pool) => pool.read(key).await,
        }
    }

    /// The write: the script by `EVALSHA` (`EVAL` or a load on `NOSCRIPT`) with the arguments
    /// the store sends at `now`; the answer, 1 when it wrote.
    pub(crate) async fn write(&self, key: &str, now: u64) -> Result<i64, OpError> {
        match self {
            Self::RsManager(connection) => {
                rs_client::write(&mut connection.clone(), key, now).await
            }
            Self::RsCluster(connection) => {
                rs_client::write(&mut connection.clone(), key, now).await
            }
            Self::RsRebuilding(cluster) => cluster.write(key, now).await,
            Self::RsSentinel(manager) => manager.write(key, now).await,
            Self::Fred(client) => client.write(key, now).await,
            Self::FredPool(pool) => pool.write(key, now).await,
        }
    }

    /// A counter request: the read, then the write; checks both answers.
    pub(crate) async fn counter_request(&self, key: &str) -> Result<(), OpError> {
        self.checked_read(key).await?;
        match self.write(key, now_ms()).await? {
            1 => Ok(()),
            answer => Err(format!("the write answered {answer}")),
        }
    }

    /// The read, checking that the session has its four fields.
    pub(crate) async fn checked_read(&self, key: &str) -> Result<(), OpError> {
        let fields = self.read(key).await?;
        if fields.len() == FIELD_COUNT {
            Ok(())
        } else {
            Err(format!("the read found {} fields", fields.len()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_look_like_the_store_s() {
        let keys = session_keys(3, 1);
        assert_eq!(keys.len(), 3);
        for key in &keys {
            assert_eq!(key.len(), PREFIX.len() + 64);
            assert!(key[PREFIX.len()..].bytes().all(|b| b.is_ascii_hexdigit()));
        }
        assert_ne!(keys[0], keys[1]);
        assert_eq!(keys, session_keys(3, 1));
    }
}
