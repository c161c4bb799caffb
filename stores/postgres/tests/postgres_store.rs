//! `PostgresStore` against a real PostgreSQL (`FASTSESSION_POSTGRES_URL`, default the scratch
//! database `scripts/test` creates): the generic store suite, the table's contents, the
//! migration, expiry and cleanup, and rejected settings. Each test uses tables of its own, so
//! tests run in parallel.

mod common;

use std::time::{Duration, Instant, SystemTime};

use fastsession_core::store::{Changes, Record, SessionStore, StoreErrorKind};
use fastsession_core::testing::SequentialIds;
use fastsession_core::testing::store_suite::{self, record, start};
use fastsession_postgres::{CLEANUP_BATCH, PostgresStore};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passes_the_store_suite() {
    store_suite::run_all(|| common::store("suite")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passes_the_user_index_suite() {
    store_suite::users::run_all(|| common::store("users")).await;
}

#[tokio::test]
async fn rows_are_keyed_by_the_id_digest_and_reveal_no_id() {
    let store = common::store("rows").await;
    let ids: Vec<_> = (1..=20).map(SequentialIds::id).collect();
    for id in &ids {
        let session = record(&[("user", json!("ada"))]);
        assert!(store.create(id, &session, start()).await.unwrap());
    }
    let rows = common::sql(&format!(
        "SELECT encode(id, 'hex') || ' ' || data::text FROM {}",
        store.table()
    ))
    .await;
    assert_eq!(rows.len(), 20);
    for id in &ids {
        let digest: String = id
            .store_digest()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(rows.iter().any(|row| row.starts_with(&digest)), "{digest}");
        let hex: String = id.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
        let encoded = id.encode();
        for row in &rows {
            assert!(!row.contains(&hex[..16]) && !row.contains(&encoded[..12]));
        }
    }
    assert!(rows[0].ends_with(r#"{"user": "\"ada\""}"#), "{}", rows[0]);
}

#[tokio::test]
async fn values_come_back_exactly_as_written() {
    let store = common::store("values").await;
    let id = SequentialIds::id(1);
    let values = [
        ("float", json!(1e16)),
        ("nul", json!("a\u{0}b")),
        ("nested", json!({"b": [1, 2.5, null], "a": true})),
        ("unicode", json!("é ✓ 😀")),
        ("max", json!(u64::MAX)),
    ];
    assert!(
        store
            .create(&id, &record(&values[..2]), start())
            .await
            .unwrap()
    );
    let mut changes = Changes::new();
    for (key, value) in &values[2..] {
        changes.insert(*key, value.clone());
    }
    let expiry = record(&[]).expiry;
    assert!(store.apply(&id, &changes, &expiry, start()).await.unwrap());
    let loaded = store.load(&id, start()).await.unwrap().expect("the record");
    for (key, value) in &values {
        assert_eq!(loaded.data.get(key), Some(value), "{key}");
    }
}

#[tokio::test]
async fn reads_never_return_an_ended_session_s_data() {
    let store = common::store("ended").await;
    let id = SequentialIds::id(1);
    let session = record(&[("user", json!("ada"))]);
    assert!(store.create(&id, &session, start()).await.unwrap());
    let at_the_end = session.expiry.expires_at;
    let before = store.load(&id, at_the_end - Duration::from_millis(1)).await;
    assert_eq!(before.unwrap(), Some(session.clone()));
    for later in [at_the_end, at_the_end + Duration::from_secs(60)] {
        let ended = store.load(&id, later).await.unwrap().expect("the times");
        assert!(ended.data.is_empty(), "no data once ended");
        assert_eq!(ended.expiry, session.expiry, "the times say it ended");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_run_together_and_again_without_harm() {
    let schema = common::unique_table("schema");
    let builder = || common::builder("migrated").with_schema(schema.clone());
    let store = builder().build().unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let store = store.clone();
        tasks.spawn(async move { store.migrate().await });
    }
    while let Some(result) = tasks.join_next().await {
        result
            .unwrap()
            .expect("every concurrent migration succeeds");
    }
    store.migrate().await.expect("and once more");
    let indexes = common::sql(&format!(
        "SELECT indexname FROM pg_indexes WHERE schemaname = '{schema}' ORDER BY indexname"
    ))
    .await;
    assert_eq!(
        indexes.len(),
        3,
        "the primary key, the expiry index and the user index: {indexes:?}"
    );
    assert!(indexes.iter().any(|name| name.ends_with("_expires_at_idx")));
    assert!(indexes.iter().any(|name| name.ends_with("_user_id_idx")));
    let id = SequentialIds::id(1);
    assert!(store.create(&id, &record(&[]), start()).await.unwrap());
    assert_eq!(store.row_count().await.unwrap(), 1);
}

#[tokio::test]
async fn a_store_without_its_table_says_so() {
    let store = common::builder("missing").build().unwrap();
    let error = store
        .load(&SequentialIds::id(1), start())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Backend);
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(&error);
    while let Some(error) = cause {
        text = format!("{text}: {error}");
        cause = error.source();
    }
    assert!(text.contains("does not exist"), "{text}");
    assert!(!text.contains("SELECT"), "no SQL in messages: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_deletes_ended_rows_through_the_index() {
    let store = common::store("cleanup").await;
    // 50,000 live rows written by SQL, then 2,500 ended ones through the store.
    common::sql(&format!(
        "INSERT INTO {} (id, data, created_at, refreshed_at, expires_at) \
         SELECT decode(lpad(to_hex(n), 32, '0'), 'hex'), '{{}}', now(), now(), \
         now() + interval '1 day' FROM generate_series(1, 50000) AS n; ANALYZE {}",
        store.table(),
        store.table()
    ))
    .await;
    let ended = 2 * CLEANUP_BATCH.unsigned_abs() + 500;
    let mut session = record(&[("user", json!("ada"))]);
    session.created_at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
    session.expiry.refreshed_at = session.created_at;
    session.expiry.expires_at = session.created_at + Duration::from_secs(60);
    for n in 0..ended {
        let id = SequentialIds::id(1_000_000 + n);
        assert!(
            store
                .create(&id, &session, session.created_at)
                .await
                .unwrap()
        );
    }
    let plan = common::sql(&format!(
        "EXPLAIN SELECT id FROM {} WHERE expires_at <= now() ORDER BY expires_at LIMIT {CLEANUP_BATCH}",
        store.table()
    ))
    .await
    .join("\n");
    assert!(
        plan.contains("Index Scan using") && plan.contains("_expires_at_idx"),
        "{plan}"
    );
    assert!(!plan.contains("Seq Scan"), "{plan}");

    let started = Instant::now();
    let deleted = store.delete_expired(SystemTime::now()).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(deleted, ended);
    assert_eq!(store.row_count().await.unwrap(), 50_000, "live rows stay");
    println!(
        "cleanup: {deleted} ended rows among 50,000 live ones in {elapsed:?} ({:.0} rows/s)",
        deleted as f64 / elapsed.as_secs_f64()
    );
    assert_eq!(store.delete_expired(SystemTime::now()).await.unwrap(), 0);
}

#[tokio::test]
async fn an_unreachable_database_is_unavailable_within_the_timeout() {
    let store = PostgresStore::builder("postgres://postgres@127.0.0.1:1/fastsession_test")
        .with_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = store
        .load(&SequentialIds::id(1), start())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Unavailable, "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        store.ping().await.unwrap_err().kind(),
        StoreErrorKind::Unavailable
    );
}

#[test]
fn bad_settings_are_refused_with_messages_that_name_them() {
    let url = "postgres://app:s3cret@db/app";
    let refused = |builder: fastsession_postgres::PostgresStoreBuilder| {
        let text = builder.build().unwrap_err().to_string();
        assert!(!text.contains("s3cret"), "{text}");
        text
    };
    let text = refused(PostgresStore::builder(url).with_table("sessions; DROP"));
    assert!(
        text.contains("\"sessions; DROP\"") && text.contains("ASCII letters"),
        "{text}"
    );
    let text = refused(PostgresStore::builder(url).with_schema("9lives"));
    assert!(text.contains("schema") && text.contains("9lives"), "{text}");
    let text = refused(PostgresStore::builder(url).with_timeout(Duration::ZERO));
    assert!(text.contains("timeout") && text.contains("0ns"), "{text}");
    let text = refused(PostgresStore::builder(url).with_pool_size(0));
    assert!(text.contains("pool size"), "{text}");
    let text = refused(PostgresStore::builder("redis://app:s3cret@db/0"));
    assert!(
        text.contains("redis://***@db/0") && text.contains("postgres://"),
        "{text}"
    );
    let text = refused(PostgresStore::builder(
        "postgres://app:s3cret@db:notaport/app",
    ));
    assert!(text.contains("postgres://***@db:notaport/app"), "{text}");
    let debug = format!("{:?}", PostgresStore::builder(url));
    assert!(
        !debug.contains("s3cret") && debug.contains("***"),
        "{debug}"
    );
}

#[tokio::test]
async fn a_table_made_before_user_indexes_gains_its_column_on_migration() {
    let table = common::unique_table("older");
    common::sql(&format!(
        "CREATE TABLE \"{table}\" (id bytea PRIMARY KEY, data jsonb NOT NULL, \
         created_at timestamptz NOT NULL, refreshed_at timestamptz NOT NULL, \
         expires_at timestamptz NOT NULL, successor bytea)"
    ))
    .await;
    let store = common::migrated(PostgresStore::builder(common::url()).with_table(&table)).await;
    let bound = Record {
        user: Some("ada".to_owned()),
        ..record(&[])
    };
    let id = SequentialIds::id(1);
    assert!(store.create(&id, &bound, start()).await.unwrap());
    let loaded = store.load(&id, start()).await.unwrap().unwrap();
    assert_eq!(loaded.user.as_deref(), Some("ada"));
    assert_eq!(store.user_sessions("ada", start()).await.unwrap().len(), 1);
}
