//! The store's request path, as both drivers run it: the table, the two statements, the session
//! ids, the decoded session, and [`Client`], one enum over every pool configuration measured.

use std::fmt;
use std::time::{Duration, SystemTime};

use serde::de::{Deserializer, MapAccess, Visitor};

use crate::tp_client::Target;
use crate::{sqlx_client, tp_client};

/// The store's table and its index, verbatim.
pub(crate) const CREATE_TABLE: &str = "CREATE TABLE sessions (
  id bytea PRIMARY KEY,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  refreshed_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  successor bytea
);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);";

/// The store's LOAD: `$1` id, `$2` now.
pub(crate) const LOAD: &str = "SELECT data, created_at, refreshed_at, expires_at FROM sessions
 WHERE id = $1 AND expires_at > $2 AND successor IS NULL";

/// The store's APPLY: `$1` id, `$2` now, `$3` cleared, `$4` removed keys, `$5` incremented keys,
/// `$6` their deltas, `$7` inserted keys, `$8` their JSON texts, `$9` refreshed, `$10` expires.
pub(crate) const APPLY: &str = "UPDATE sessions AS s SET
  data = (CASE WHEN $3 THEN '{}'::jsonb ELSE s.data - $4::text[] END)
    || COALESCE((SELECT jsonb_object_agg(i.k, CASE WHEN NOT $3 AND (s.data ->> i.k) ~ '^(0|-?[1-9][0-9]{0,18})$'
         THEN CASE WHEN (s.data ->> i.k)::numeric BETWEEN -9223372036854775808 AND 9223372036854775807
              THEN LEAST(GREATEST((s.data ->> i.k)::numeric + i.d, -9223372036854775808), 9223372036854775807)::text
              ELSE i.d::text END
         ELSE i.d::text END)
       FROM unnest($5::text[], $6::int8[]) AS i(k, d)), '{}'::jsonb)
    || jsonb_object($7::text[], $8::text[]),
  refreshed_at = GREATEST(s.refreshed_at, $9),
  expires_at = GREATEST(s.expires_at, $10)
WHERE s.id = $1 AND s.expires_at > $2 AND s.successor IS NULL";

/// A session's time to live, in the seed data and the writes.
pub(crate) const TTL: Duration = Duration::from_secs(3600);

/// The data key the writes increment.
pub(crate) const COUNTER: &str = "counter";

/// A row key: 16 bytes, as the store keys a session by a SHA-256 prefix of its id.
pub(crate) type SessionKey = [u8; 16];

/// `count` session keys, pseudo-random and deterministic (a SplitMix64 sequence from `seed`).
pub(crate) fn session_keys(count: usize, seed: u64) -> Vec<SessionKey> {
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
            let mut key = [0; 16];
            key[..8].copy_from_slice(&next().to_be_bytes());
            key[8..].copy_from_slice(&next().to_be_bytes());
            key
        })
        .collect()
}

/// A loaded session, the same target types for both drivers.
#[derive(Debug)]
pub(crate) struct Session {
    /// Each data key with its value, parsed from the JSON text stored as a jsonb string.
    pub(crate) data: Vec<(String, serde_json::Value)>,
    /// When the session was created.
    pub(crate) created: SystemTime,
    /// When it was last refreshed.
    pub(crate) refreshed: SystemTime,
    /// When it expires.
    pub(crate) expires: SystemTime,
}

/// The `data` column: a JSON object whose values are strings holding JSON texts, decoded into
/// the pairs with each string parsed. Both drivers hand it the JSON text after the jsonb version
/// byte, so the decoding work is the same.
#[derive(Debug)]
pub(crate) struct SessionData(pub(crate) Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for SessionData {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// Visits the object.
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = SessionData;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of strings holding JSON texts")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SessionData, A::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(4));
                while let Some((key, text)) = map.next_entry::<String, String>()? {
                    let value = serde_json::from_str(&text).map_err(serde::de::Error::custom)?;
                    pairs.push((key, value));
                }
                Ok(SessionData(pairs))
            }
        }
        deserializer.deserialize_map(Pairs)
    }
}

/// A driver configuration: which driver, and for sqlx whether the pool tests a connection
/// before handing it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Driver {
    /// tokio-postgres in a deadpool-postgres pool (`RecyclingMethod::Fast`).
    TokioPostgres,
    /// sqlx's `PgPool` with its defaults (`test_before_acquire(true)`).
    Sqlx,
    /// sqlx's `PgPool` with `test_before_acquire(false)`.
    SqlxNoTest,
}

impl Driver {
    /// Its name in the report.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::TokioPostgres => "tokio-postgres + deadpool",
            Self::Sqlx => "sqlx (default pool)",
            Self::SqlxNoTest => "sqlx (no test before acquire)",
        }
    }

    /// A new pool of up to `size` connections to `target`, opened lazily.
    pub(crate) fn pool(self, target: &Target, size: usize) -> Client {
        let sqlx_size = u32::try_from(size).expect("a pool size fits in u32");
        match self {
            Self::TokioPostgres => Client::TokioPostgres(tp_client::pool(target, size)),
            Self::Sqlx => Client::Sqlx(sqlx_client::pool(target, sqlx_size, true)),
            Self::SqlxNoTest => Client::Sqlx(sqlx_client::pool(target, sqlx_size, false)),
        }
    }
}

/// What each operation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Workload {
    /// A read (LOAD).
    Read,
    /// A write (APPLY).
    Write,
    /// A counter request: a read then a write.
    Counter,
}

impl Workload {
    /// Its name in the report.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Counter => "read + write",
        }
    }

    /// One operation on `key` with `client`, checked.
    pub(crate) async fn run(self, client: &Client, key: &SessionKey) -> Result<(), OpError> {
        match self {
            Self::Read => client.checked_read(key).await,
            Self::Write => client.checked_write(key).await,
            Self::Counter => client.counter_request(key).await,
        }
    }
}

/// What an operation failed with, as a line of text.
pub(crate) type OpError = String;

/// One shared pool of one driver, as a session store would hold it.
#[derive(Clone)]
pub(crate) enum Client {
    /// tokio-postgres in a deadpool-postgres pool.
    TokioPostgres(deadpool_postgres::Pool),
    /// sqlx's `PgPool`.
    Sqlx(sqlx::PgPool),
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TokioPostgres(_) => "TokioPostgres",
            Self::Sqlx(_) => "Sqlx",
        })
    }
}

impl Client {
    /// Closes the pool's connections.
    pub(crate) async fn close(&self) {
        match self {
            Self::TokioPostgres(pool) => pool.close(),
            Self::Sqlx(pool) => pool.close().await,
        }
    }

    /// The read: LOAD at `now`, decoded; `None` if no live session has that key.
    pub(crate) async fn read(
        &self,
        key: &SessionKey,
        now: SystemTime,
    ) -> Result<Option<Session>, OpError> {
        match self {
            Self::TokioPostgres(pool) => tp_client::load(pool, key, now).await,
            Self::Sqlx(pool) => sqlx_client::load(pool, key, now).await,
        }
    }

    /// The write: APPLY at `now` incrementing the counter by 1 and extending the expiry; the
    /// number of rows it updated.
    pub(crate) async fn write(&self, key: &SessionKey, now: SystemTime) -> Result<u64, OpError> {
        match self {
            Self::TokioPostgres(pool) => tp_client::apply_increment(pool, key, now).await,
            Self::Sqlx(pool) => sqlx_client::apply_increment(pool, key, now).await,
        }
    }

    /// The read, checking that the session came back live, its timestamps in order and its
    /// counter a number.
    pub(crate) async fn checked_read(&self, key: &SessionKey) -> Result<(), OpError> {
        let now = SystemTime::now();
        match self.read(key, now).await? {
            Some(session)
                if session.created <= session.refreshed
                    && session.expires > now
                    && session.data.iter().any(|(k, v)| k == COUNTER && v.is_i64()) =>
            {
                Ok(())
            }
            Some(session) => Err(format!("the read found {session:?}")),
            None => Err("the read found no session".to_owned()),
        }
    }

    /// The write, checking that it updated one row.
    pub(crate) async fn checked_write(&self, key: &SessionKey) -> Result<(), OpError> {
        match self.write(key, SystemTime::now()).await? {
            1 => Ok(()),
            rows => Err(format!("the write updated {rows} rows")),
        }
    }

    /// A counter request: the read, then the write; checks both.
    pub(crate) async fn counter_request(&self, key: &SessionKey) -> Result<(), OpError> {
        self.checked_read(key).await?;
        self.checked_write(key).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_distinct_and_repeatable() {
        let keys = session_keys(3, 1);
        assert_eq!(keys.len(), 3);
        assert_ne!(keys[0], keys[1]);
        assert_eq!(keys, session_keys(3, 1));
    }

    #[test]
    fn data_parses_each_string_as_json() {
        let data: SessionData =
            serde_json::from_str(r#"{"counter": "17", "name": "\"x\""}"#).expect("parses");
        assert_eq!(data.0.len(), 2);
        assert_eq!(data.0[0], ("counter".to_owned(), serde_json::json!(17)));
        assert_eq!(data.0[1], ("name".to_owned(), serde_json::json!("x")));
    }
}
