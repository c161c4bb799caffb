//! What the PostgreSQL tests share: the database's URL, stores on tables no other test uses,
//! and a manager for the race tests.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test file uses a different part"
)]

use std::sync::atomic::{AtomicU32, Ordering};

use fastsession_core::{Config, Key, adapter::SessionManager, adapter::Sessions};
use fastsession_postgres::{PostgresStore, PostgresStoreBuilder};

/// `FASTSESSION_POSTGRES_URL`, default the scratch database `scripts/test` creates,
/// `postgres://postgres@127.0.0.1:5432/fastsession_test`.
pub fn url() -> String {
    std::env::var("FASTSESSION_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/fastsession_test".to_owned())
}

/// `NAME_PID_N`, a table name no other test or run uses.
pub fn unique_table(name: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "{name}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

/// A builder on the test database with a table of its own.
pub fn builder(name: &str) -> PostgresStoreBuilder {
    PostgresStore::builder(url()).with_table(unique_table(name))
}

/// The store `builder` makes, migrated; fails loudly if PostgreSQL does not answer.
pub async fn migrated(builder: PostgresStoreBuilder) -> PostgresStore {
    let store = builder.build().expect("a valid URL and table");
    store.migrate().await.unwrap_or_else(|error| {
        panic!(
            "PostgreSQL does not answer at {}: {error}; run `bash scripts/test`, which starts it \
             and creates the scratch database, or set FASTSESSION_POSTGRES_URL",
            url()
        )
    });
    store
}

/// A migrated store on a table of its own.
pub async fn store(name: &str) -> PostgresStore {
    migrated(builder(name)).await
}

/// A manager on a store of its own: a fixed key, plain HTTP, then `adjust`.
pub async fn manager(
    name: &str,
    adjust: impl FnOnce(Config) -> Config,
) -> SessionManager<PostgresStore> {
    let config = Config::new(Key::try_from(&[9u8; 32][..]).expect("a key")).with_secure(false);
    SessionManager::new(
        Sessions::new(adjust(config)).expect("a config"),
        store(name).await,
    )
}

/// Runs `sql` on the test database through a connection of its own, returning the rows' first
/// columns as text.
pub async fn sql(sql: &str) -> Vec<String> {
    let (client, connection) = tokio_postgres::connect(&url(), tokio_postgres::NoTls)
        .await
        .expect("PostgreSQL answers");
    let driver = tokio::spawn(connection);
    let rows = client.simple_query(sql).await.expect("the statement runs");
    drop(client);
    let _ = driver.await;
    rows.into_iter()
        .filter_map(|message| match message {
            tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
            _ => None,
        })
        .collect()
}
