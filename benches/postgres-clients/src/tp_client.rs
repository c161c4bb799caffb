//! tokio-postgres in a deadpool-postgres pool, as the store would use it: `RecyclingMethod::Fast`
//! (a returned connection is reused unless its client reports itself closed; no query on
//! recycling), `prepare_cached` on the pooled object, jsonb read from its raw bytes.

use std::error::Error;
use std::time::SystemTime;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;
use tokio_postgres::types::{FromSql, Type};

use crate::workload::{APPLY, COUNTER, LOAD, OpError, Session, SessionData, SessionKey, TTL};

/// Where the server is, and which database.
#[derive(Clone, Debug, clap::Args)]
pub(crate) struct Target {
    /// The server's host.
    #[arg(long, default_value = "127.0.0.1")]
    pub(crate) host: String,
    /// The server's port.
    #[arg(long, default_value_t = 5432)]
    pub(crate) port: u16,
    /// The user (trust authentication: no password).
    #[arg(long, default_value = "postgres")]
    pub(crate) user: String,
    /// The scratch database, which the harness fills.
    #[arg(long, default_value = "fastsession_pg_clients")]
    pub(crate) dbname: String,
}

impl Target {
    /// The tokio-postgres configuration for this target.
    pub(crate) fn config(&self) -> tokio_postgres::Config {
        let mut config = tokio_postgres::Config::new();
        config
            .host(&self.host)
            .port(self.port)
            .user(&self.user)
            .dbname(&self.dbname)
            .application_name("fastsession-bench");
        config
    }
}

/// A deadpool-postgres pool of up to `size` connections to `target`, created lazily.
pub(crate) fn pool(target: &Target, size: usize) -> Pool {
    let manager = Manager::from_config(
        target.config(),
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(size)
        .runtime(Runtime::Tokio1)
        .build()
        .expect("a pool")
}

/// The jsonb `data` column from its binary form: the version byte 1, then the JSON text.
struct Jsonb(SessionData);

impl<'a> FromSql<'a> for Jsonb {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        match raw.split_first() {
            Some((1, text)) => Ok(Self(serde_json::from_slice(text)?)),
            _ => Err("not jsonb of version 1".into()),
        }
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSONB
    }
}

/// An error as one line: the error, then each of its sources whose text it does not already
/// include.
pub(crate) fn describe(error: &dyn Error) -> OpError {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// LOAD of `key` at `now`, decoded.
pub(crate) async fn load(
    pool: &Pool,
    key: &SessionKey,
    now: SystemTime,
) -> Result<Option<Session>, OpError> {
    let client = pool.get().await.map_err(|e| describe(&e))?;
    let statement = client
        .prepare_cached(LOAD)
        .await
        .map_err(|e| describe(&e))?;
    let row = client
        .query_opt(&statement, &[&&key[..], &now])
        .await
        .map_err(|e| describe(&e))?;
    let Some(row) = row else { return Ok(None) };
    let decoded = (|| {
        Ok::<_, tokio_postgres::Error>(Session {
            data: row.try_get::<_, Jsonb>(0)?.0.0,
            created: row.try_get(1)?,
            refreshed: row.try_get(2)?,
            expires: row.try_get(3)?,
        })
    })();
    decoded.map(Some).map_err(|e| describe(&e))
}

/// APPLY of `key` at `now`: the counter incremented by 1, the expiry extended; rows updated.
pub(crate) async fn apply_increment(
    pool: &Pool,
    key: &SessionKey,
    now: SystemTime,
) -> Result<u64, OpError> {
    let client = pool.get().await.map_err(|e| describe(&e))?;
    let statement = client
        .prepare_cached(APPLY)
        .await
        .map_err(|e| describe(&e))?;
    let none: &[&str] = &[];
    client
        .execute(
            &statement,
            &[
                &&key[..],
                &now,
                &false,
                &none,
                &[COUNTER].as_slice(),
                &[1_i64].as_slice(),
                &none,
                &none,
                &now,
                &(now + TTL),
            ],
        )
        .await
        .map_err(|e| describe(&e))
}
