//! Slow statements and a small pool, against the test database: a statement that outlasts the
//! store's timeout fails as a timeout and is stopped by the server too; handlers that take
//! their time never hold a pooled connection; a pool whose connections are all busy answers a
//! timeout instead of hanging.

mod common;

use std::sync::Arc;
use std::time::Duration;

use fastsession_core::id::SessionId;
use fastsession_core::store::{Changes, SessionStore, StoreErrorKind};
use fastsession_core::testing::SequentialIds;
use fastsession_core::testing::races::{logged_in, request};
use fastsession_core::testing::store_suite::{record, start};
use fastsession_core::{Config, Key, adapter::SessionManager, adapter::Sessions};
use fastsession_postgres::PostgresStore;
use serde_json::json;
use tokio_postgres::NoTls;

/// A connection of the test's own that holds a row lock of `store`'s table on `id`'s row until
/// it is dropped.
struct RowLock {
    client: tokio_postgres::Client,
}

impl RowLock {
    async fn take(store: &PostgresStore, id: &SessionId) -> Self {
        let (client, connection) = tokio_postgres::connect(&common::url(), NoTls)
            .await
            .expect("PostgreSQL answers");
        tokio::spawn(connection);
        client.batch_execute("BEGIN").await.expect("a transaction");
        let locked = client
            .execute(
                &format!("SELECT 1 FROM {} WHERE id = $1 FOR UPDATE", store.table()),
                &[&&id.store_digest()[..]],
            )
            .await
            .expect("the row locks");
        assert_eq!(locked, 1);
        Self { client }
    }

    async fn release(self) {
        self.client
            .batch_execute("ROLLBACK")
            .await
            .expect("a rollback");
    }
}

/// Two sessions in `store`; the first one's row locked by another connection.
async fn two_sessions_one_locked(store: &PostgresStore) -> (SessionId, SessionId, RowLock) {
    let (blocked, other) = (SequentialIds::id(1), SequentialIds::id(2));
    for id in [&blocked, &other] {
        assert!(store.create(id, &record(&[]), start()).await.unwrap());
    }
    let lock = RowLock::take(store, &blocked).await;
    (blocked, other, lock)
}

fn one_more_key() -> Changes {
    let mut changes = Changes::new();
    changes.insert("cart", json!(5));
    changes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_that_outlasts_the_timeout_is_a_timeout_and_the_server_stops_it() {
    // One connection: what the server still runs on it, the next call waits behind.
    let store = common::migrated(
        common::builder("slow")
            .with_timeout(Duration::from_secs(1))
            .with_pool_size(1),
    )
    .await;
    let (blocked, other, lock) = two_sessions_one_locked(&store).await;
    let expiry = record(&[]).expiry;
    let error = store
        .apply(&blocked, &one_more_key(), &expiry, start())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Timeout, "{error:?}");
    // The lock is still held: had the server not cancelled the blocked statement (its
    // `statement_timeout` is the store's timeout), this call would wait behind it on the one
    // connection and time out too.
    assert!(store.load(&other, start()).await.unwrap().is_some());
    lock.release().await;
    let loaded = store.load(&blocked, start()).await.unwrap().unwrap();
    assert!(loaded.data.is_empty(), "the timed-out write did not land");
    assert!(
        store
            .apply(&blocked, &one_more_key(), &expiry, start())
            .await
            .unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handlers_that_take_their_time_hold_no_connection() {
    // Twenty requests of 200 ms each on one pooled connection and a 500 ms timeout: were the
    // connection held from load to save, they would queue for 4 s and most would time out.
    let store = common::migrated(
        common::builder("handlers")
            .with_timeout(Duration::from_millis(500))
            .with_pool_size(1),
    )
    .await;
    let config = Config::new(Key::try_from(&[9u8; 32][..]).expect("a key"))
        .with_secure(false)
        .with_serialized_requests(false);
    let manager = SessionManager::new(Sessions::new(config).expect("a config"), store);
    let cookie: Arc<str> = logged_in(&manager).await.into();
    let mut requests = tokio::task::JoinSet::new();
    for n in 0..20 {
        let (manager, cookie) = (manager.clone(), cookie.clone());
        requests.spawn(async move {
            let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie.as_bytes())];
            let request = manager.start(headers.as_slice());
            let session = request.session().await.expect("the session loads");
            tokio::time::sleep(Duration::from_millis(200)).await; // the handler's work
            session.insert(&format!("key{n}"), &n).expect("insert");
            request.finish(200).await.err().map(|error| error.status())
        });
    }
    while let Some(result) = requests.join_next().await {
        assert_eq!(result.expect("no panic"), None, "every request succeeds");
    }
    let mut keys = Vec::new();
    request(&manager, Some(&cookie), |session| keys = session.keys()).await;
    assert_eq!(keys.len(), 21, "user and twenty keys");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_with_every_connection_busy_answers_a_timeout() {
    let store = common::migrated(
        common::builder("exhausted")
            .with_timeout(Duration::from_millis(500))
            .with_pool_size(1),
    )
    .await;
    let (blocked, other, lock) = two_sessions_one_locked(&store).await;
    let expiry = record(&[]).expiry;
    let changes = one_more_key();
    // The write holds the only connection, waiting for the lock; the read waits for the pool.
    let (write, read) = tokio::join!(store.apply(&blocked, &changes, &expiry, start()), async {
        tokio::task::yield_now().await;
        store.load(&other, start()).await
    });
    assert_eq!(write.unwrap_err().kind(), StoreErrorKind::Timeout);
    assert_eq!(read.unwrap_err().kind(), StoreErrorKind::Timeout);
    lock.release().await;
    assert!(
        store.load(&other, start()).await.unwrap().is_some(),
        "the pool recovers"
    );
}
