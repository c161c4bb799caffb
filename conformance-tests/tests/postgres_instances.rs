//! Two app instances (two `reference-server` processes on different ports, one key ring, one
//! PostgreSQL table) share sessions: log in on one, read and log out on the other. The table
//! holds no row that reveals a session ID or cookie value. Races across the two instances
//! (which share no lock) end with no session revived and at most one successor.

use std::path::Path;

use fastsession_conformance::Framework;
use fastsession_conformance::instances::{self, Pair};
use fastsession_conformance::store::Backend;
use fastsession_conformance::target::postgres_url;
use fastsession_postgres::PostgresStore;

/// `first` and `second` on a fresh table of the test database.
async fn two_instances(frameworks: (Framework, Framework), test: &str) -> (PostgresStore, Pair) {
    let table = format!(
        "instances_{}_{test}_{}",
        std::process::id(),
        frameworks.0.name()
    );
    let store = PostgresStore::builder(postgres_url())
        .with_table(&table)
        .build()
        .expect("a valid URL");
    store
        .migrate()
        .await
        .expect("PostgreSQL answers (run scripts/test or set FASTSESSION_POSTGRES_URL)");
    let binary = Path::new(env!("CARGO_BIN_EXE_reference-server"));
    let pair = Pair::start(
        binary,
        Backend::Postgres(store.clone()),
        &postgres_url(),
        &table,
        frameworks,
    );
    (store, pair)
}

/// Every row of `store`'s table as text: its `id` in hex and its data.
async fn rows(store: &PostgresStore) -> Vec<String> {
    let (client, connection) = tokio_postgres::connect(&postgres_url(), tokio_postgres::NoTls)
        .await
        .expect("PostgreSQL answers");
    let driver = tokio::spawn(connection);
    let sql = format!(
        "SELECT encode(id, 'hex') || ' ' || data::text FROM {}",
        store.table()
    );
    let rows = client.query(&sql, &[]).await.expect("a select");
    drop(client);
    let _ = driver.await;
    rows.iter().map(|row| row.get::<_, String>(0)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_session_through_postgres() {
    for frameworks in &instances::PAIRS[..3] {
        let (store, pair) = two_instances(*frameworks, "share").await;
        let shared = instances::log_in_on_a_and_read_on_b(&pair).await;
        let rows = rows(&store).await;
        assert_eq!(rows.len(), 1, "one session, one row: {rows:?}");
        instances::assert_reveals_no_secret(&rows, &shared);
        instances::log_out_on_b(&pair, &shared).await;
        assert_eq!(store.row_count().await.expect("a count"), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_on_one_instance_racing_a_logout_on_another_revives_nothing() {
    for frameworks in instances::PAIRS {
        let (_, pair) = two_instances(frameworks, "login_logout").await;
        instances::login_racing_logout_revives_nothing(&pair).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_logins_on_two_instances_leave_exactly_one_session() {
    for frameworks in &instances::PAIRS[..2] {
        let (_, pair) = two_instances(*frameworks, "two_logins").await;
        instances::concurrent_logins_leave_one_session(&pair).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_parallel_increments_over_two_instances_count_a_hundred() {
    let (_, pair) = two_instances(instances::PAIRS[0], "increments").await;
    instances::parallel_increments_count_every_one(&pair).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_out_other_devices_on_one_instance_ends_the_session_on_the_other() {
    for frameworks in &instances::PAIRS[..2] {
        let (_, pair) = two_instances(*frameworks, "devices").await;
        instances::logging_out_other_devices_reaches_the_other_instance(&pair).await;
    }
}
