//! sqlx's own `PgPool`, as the store would use it: `sqlx::query`, whose prepared statements sqlx
//! caches per connection; jsonb read through `sqlx::types::Json`; timestamps through
//! [`Timestamp`], since sqlx has no `SystemTime` mapping (its `time` and `chrono` features map
//! timestamptz to those crates' types).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::types::Oid;
use sqlx::postgres::{
    PgArgumentBuffer, PgConnectOptions, PgPool, PgPoolOptions, PgTypeInfo, PgValueRef, Postgres,
};
use sqlx::types::Json;
use sqlx::{Decode, Encode, Row, Type};

use crate::tp_client::Target;
use crate::workload::{APPLY, COUNTER, LOAD, OpError, Session, SessionData, SessionKey, TTL};

/// timestamptz's type OID.
const TIMESTAMPTZ_OID: u32 = 1184;

/// Seconds from the Unix epoch to PostgreSQL's, 2000-01-01 00:00:00 UTC.
const PG_EPOCH_SECS: u64 = 946_684_800;

/// A pool of up to `size` connections to `target`, opened lazily. sqlx's default is
/// `test_before_acquire(true)`: a round trip (a `Sync` message) each time an idle connection is
/// handed out; `test_before_acquire` false skips it.
pub(crate) fn pool(target: &Target, size: u32, test_before_acquire: bool) -> PgPool {
    let options = PgConnectOptions::new()
        .host(&target.host)
        .port(target.port)
        .username(&target.user)
        .database(&target.dbname)
        .application_name("fastsession-bench");
    PgPoolOptions::new()
        .max_connections(size)
        .test_before_acquire(test_before_acquire)
        .connect_lazy_with(options)
}

/// A timestamptz as a `SystemTime`, in the binary form: microseconds since 2000-01-01 UTC as a
/// big-endian `i64` (what tokio-postgres does for `SystemTime`).
#[derive(Clone, Copy, Debug)]
struct Timestamp(SystemTime);

impl Type<Postgres> for Timestamp {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(Oid(TIMESTAMPTZ_OID))
    }
}

impl Encode<'_, Postgres> for Timestamp {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        let epoch = UNIX_EPOCH + Duration::from_secs(PG_EPOCH_SECS);
        let micros = match self.0.duration_since(epoch) {
            Ok(after) => i64::try_from(after.as_micros())?,
            Err(before) => -i64::try_from(before.duration().as_micros())?,
        };
        buf.extend_from_slice(&micros.to_be_bytes());
        Ok(IsNull::No)
    }
}

impl Decode<'_, Postgres> for Timestamp {
    fn decode(value: PgValueRef<'_>) -> Result<Self, BoxDynError> {
        let micros = i64::from_be_bytes(value.as_bytes()?.try_into()?);
        let epoch = UNIX_EPOCH + Duration::from_secs(PG_EPOCH_SECS);
        let offset = Duration::from_micros(micros.unsigned_abs());
        Ok(Self(if micros >= 0 {
            epoch + offset
        } else {
            epoch - offset
        }))
    }
}

/// An error as one line: the error and its sources.
fn describe(error: &sqlx::Error) -> OpError {
    crate::tp_client::describe(error)
}

/// LOAD of `key` at `now`, decoded.
pub(crate) async fn load(
    pool: &PgPool,
    key: &SessionKey,
    now: SystemTime,
) -> Result<Option<Session>, OpError> {
    let row = sqlx::query(LOAD)
        .bind(&key[..])
        .bind(Timestamp(now))
        .fetch_optional(pool)
        .await
        .map_err(|e| describe(&e))?;
    let Some(row) = row else { return Ok(None) };
    let decoded = (|| {
        Ok::<_, sqlx::Error>(Session {
            data: row.try_get::<Json<SessionData>, _>(0)?.0.0,
            created: row.try_get::<Timestamp, _>(1)?.0,
            refreshed: row.try_get::<Timestamp, _>(2)?.0,
            expires: row.try_get::<Timestamp, _>(3)?.0,
        })
    })();
    decoded.map(Some).map_err(|e| describe(&e))
}

/// APPLY of `key` at `now`: the counter incremented by 1, the expiry extended; rows updated.
pub(crate) async fn apply_increment(
    pool: &PgPool,
    key: &SessionKey,
    now: SystemTime,
) -> Result<u64, OpError> {
    let none: &[&str] = &[];
    sqlx::query(APPLY)
        .bind(&key[..])
        .bind(Timestamp(now))
        .bind(false)
        .bind(none)
        .bind([COUNTER].as_slice())
        .bind([1_i64].as_slice())
        .bind(none)
        .bind(none)
        .bind(Timestamp(now))
        .bind(Timestamp(now + TTL))
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
        .map_err(|e| describe(&e))
}
