//! The examples' store, chosen by `FASTSESSION_STORE`: in memory (unset or `memory`), Redis
//! (`redis://…`, `rediss://…`, `redis-cluster://…`, `redis-sentinel://…`) or PostgreSQL
//! (`postgres://…`, whose table is created at start if missing).

use fastsession_core::MemoryStore;
use fastsession_postgres::PostgresStore;
use fastsession_redis::RedisStore;

use crate::{SettingsError, var};

fastsession_core::store_enum! {
    /// The store an example runs on.
    #[derive(Clone, Debug)]
    #[non_exhaustive]
    pub enum ExampleStore {
        /// In this process: sessions end with it.
        Memory(MemoryStore),
        /// On Redis, shared by every instance.
        Redis(RedisStore),
        /// On PostgreSQL, shared by every instance.
        Postgres(PostgresStore),
    }
}

/// Where `FASTSESSION_STORE` points, before connecting.
#[derive(Debug)]
enum Choice {
    Memory,
    Redis(String),
    Postgres(String),
}

/// The URL schemes of the Redis store.
const REDIS_SCHEMES: [&str; 5] = [
    "redis://",
    "rediss://",
    "redis-cluster://",
    "redis-sentinel://",
    "redis+sentinel://",
];

/// What `value` of `FASTSESSION_STORE` chooses.
fn choice(value: Option<String>) -> Result<Choice, SettingsError> {
    let Some(value) = value.filter(|value| value != "memory") else {
        return Ok(Choice::Memory);
    };
    if REDIS_SCHEMES.iter().any(|scheme| value.starts_with(scheme)) {
        Ok(Choice::Redis(value))
    } else if value.starts_with("postgres://") || value.starts_with("postgresql://") {
        Ok(Choice::Postgres(value))
    } else {
        // Only the scheme is shown: the rest may hold a password.
        let scheme = value.split_once("://").map_or("", |(scheme, _)| scheme);
        Err(SettingsError::StoreScheme(scheme.to_owned()))
    }
}

/// The store `FASTSESSION_STORE` names, ready: Redis answered, PostgreSQL's table exists.
///
/// # Errors
///
/// When the variable names no store the examples know, its URL is refused (the message hides
/// any password), or the store does not answer.
pub async fn store_from_env() -> Result<ExampleStore, SettingsError> {
    match choice(var("FASTSESSION_STORE")?)? {
        Choice::Memory => Ok(ExampleStore::Memory(MemoryStore::new())),
        Choice::Redis(url) => {
            let store =
                RedisStore::open(&url).map_err(|error| SettingsError::Store(error.into()))?;
            store
                .ping()
                .await
                .map_err(SettingsError::StoreUnavailable)?;
            Ok(ExampleStore::Redis(store))
        }
        Choice::Postgres(url) => {
            let store =
                PostgresStore::open(&url).map_err(|error| SettingsError::Store(error.into()))?;
            store
                .migrate()
                .await
                .map_err(SettingsError::StoreUnavailable)?;
            Ok(ExampleStore::Postgres(store))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variable_chooses_the_store() {
        assert!(matches!(choice(None), Ok(Choice::Memory)));
        assert!(matches!(choice(Some("memory".into())), Ok(Choice::Memory)));
        assert!(matches!(
            choice(Some("redis-cluster://127.0.0.1:7000".into())),
            Ok(Choice::Redis(_))
        ));
        assert!(matches!(
            choice(Some("postgresql://app@db/app".into())),
            Ok(Choice::Postgres(_))
        ));
        let error = choice(Some("mysql://app:s3cret@db/app".into())).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("FASTSESSION_STORE") && text.contains("\"mysql\""),
            "{text}"
        );
        assert!(!text.contains("s3cret"), "{text}");
    }

    #[tokio::test]
    async fn a_refused_url_hides_its_password() {
        let error = match choice(Some("postgres://app:s3cret@db:port/app".into())).unwrap() {
            Choice::Postgres(url) => PostgresStore::open(&url).unwrap_err(),
            other => panic!("{other:?}"),
        };
        let text = SettingsError::Store(error.into()).to_string();
        assert!(
            text.contains("FASTSESSION_STORE") && !text.contains("s3cret"),
            "{text}"
        );
    }
}
