//! `RedisStore` against a real Redis (`FASTSESSION_REDIS_URL`, default
//! `redis://127.0.0.1:6379`): the generic store suite, keys and TTLs, and rejected settings.
//! Each test uses its own key prefix, so tests run in parallel.

mod common;

use std::time::{Duration, SystemTime};

use common::url;

use fastsession_core::testing::SequentialIds;
use fastsession_core::testing::store_suite::{record, start};
use fastsession_core::{store::Changes, store::SessionStore, store::StoreErrorKind};
use fastsession_redis::RedisStore;
use serde_json::json;

/// A store with a prefix no other test uses; fails loudly if Redis does not answer.
async fn store() -> RedisStore {
    common::store("test").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passes_the_store_suite() {
    common::run_store_suite(store).await;
}

#[tokio::test]
async fn keys_reveal_no_id_and_carry_the_session_ttl() {
    let store = store().await;
    let now = SystemTime::now();
    let mut session = record(&[("user", json!("ada"))]);
    session.created_at = now;
    session.expiry.refreshed_at = now;
    session.expiry.expires_at = now + Duration::from_secs(600);
    let ids: Vec<_> = (1..=20).map(SequentialIds::id).collect();
    for id in &ids {
        assert!(store.create(id, &session, now).await.unwrap());
    }
    let keys = store.admin().keys().await.unwrap();
    assert_eq!(keys.len(), 20);
    let client = redis::Client::open(url()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    for key in &keys {
        for id in &ids {
            let encoded = id.encode();
            let hex: String = id.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
            assert!(
                !key.contains(&encoded[..12]) && !key.contains(&hex[..16]),
                "{key} reveals an ID"
            );
        }
        let ttl: i64 = redis::cmd("PTTL")
            .arg(key)
            .query_async(&mut connection)
            .await
            .unwrap();
        assert!((590_000..=600_000).contains(&ttl), "{key}: PTTL {ttl}");
    }

    // A refresh moves the TTL with the session's end.
    let later = now + Duration::from_secs(60);
    let mut expiry = session.expiry;
    expiry.refreshed_at = later;
    expiry.expires_at = later + Duration::from_secs(1200);
    assert!(
        store
            .apply(&ids[0], &Changes::new(), &expiry, later)
            .await
            .unwrap()
    );
    let ttl: i64 = redis::cmd("PTTL")
        .arg(store.key(&ids[0]))
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!((1_190_000..=1_200_000).contains(&ttl), "PTTL {ttl}");
    store.admin().clear().await.unwrap();
}

#[tokio::test]
async fn an_increment_counts_what_redis_reads_as_no_integer_as_zero() {
    let store = store().await;
    let id = SequentialIds::id(1);
    let stored = record(&[("user", json!("ada"))]);
    assert!(store.create(&id, &stored, start()).await.unwrap());
    // Written behind the store's back: values HINCRBY rejects, and the zero it takes.
    let fields = [
        ("minus_zero", "-0"),
        ("leading_zero", "007"),
        ("minus_leading_zero", "-007"),
        ("zero", "0"),
    ];
    let client = redis::Client::open(url()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let mut changes = Changes::new();
    for (key, value) in fields {
        let _: () = redis::cmd("HSET")
            .arg(store.key(&id))
            .arg(format!("d:{key}"))
            .arg(value)
            .query_async(&mut connection)
            .await
            .unwrap();
        changes.increment(key, 5);
    }
    assert!(
        store
            .apply(&id, &changes, &stored.expiry, start())
            .await
            .unwrap()
    );
    let data = store.load(&id, start()).await.unwrap().unwrap().data;
    for (key, value) in fields {
        assert_eq!(data.get(key), Some(&json!(5)), "{key} held {value:?}");
    }
    store.admin().clear().await.unwrap();
}

#[tokio::test]
async fn an_unreachable_redis_gives_typed_errors_quickly() {
    // Nothing listens on port 1 of loopback.
    let store = RedisStore::builder("redis://127.0.0.1:1/0")
        .with_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = store
        .load(&SequentialIds::id(1), SystemTime::now())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error.kind(),
            StoreErrorKind::Unavailable | StoreErrorKind::Timeout
        ),
        "{error:?}"
    );
    assert!(store.ping().await.is_err());
}

#[test]
fn bad_settings_are_rejected_with_clear_messages() {
    let error = RedisStore::open("http://example").unwrap_err().to_string();
    assert!(error.contains("redis://"), "{error}");
    let error = RedisStore::builder(url())
        .with_prefix("")
        .build()
        .unwrap_err()
        .to_string();
    assert!(error.contains("prefix"), "{error}");
    let error = RedisStore::builder(url())
        .with_prefix("a{b}")
        .build()
        .unwrap_err()
        .to_string();
    assert!(error.contains("a{b}"), "{error}");
    let error = RedisStore::builder(url())
        .with_timeout(Duration::ZERO)
        .build()
        .unwrap_err()
        .to_string();
    assert!(error.contains("timeout"), "{error}");
}

#[test]
fn building_outside_a_runtime_is_an_error_not_a_panic() {
    let error = RedisStore::open(&url()).unwrap_err().to_string();
    assert!(error.contains("Tokio runtime"), "{error}");
}

#[tokio::test]
async fn a_silent_redis_hits_the_timeout_instead_of_hanging() {
    // A server that accepts connections and never answers: every call must end with a timeout.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut connections = Vec::new();
        while let Ok((connection, _)) = listener.accept().await {
            connections.push(connection);
        }
    });
    let store = RedisStore::builder(format!("redis://127.0.0.1:{port}/0"))
        .with_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = store
        .load(&SequentialIds::id(1), SystemTime::now())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Timeout, "{error:?}");
    let error = store
        .apply(
            &SequentialIds::id(1),
            &Changes::new(),
            &record(&[]).expiry,
            start(),
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Timeout, "{error:?}");
    held.abort();
}

/// A Redis Cluster client resends a command whose reply a dropped connection lost: a retirement
/// run twice in favour of the same successor reads as done both times (not as a lost race, which
/// would discard the successor), while one in favour of another successor is still refused.
#[tokio::test]
async fn a_resent_retirement_reads_as_done() {
    let store = store().await;
    let (old, new, other) = (
        SequentialIds::id(1),
        SequentialIds::id(2),
        SequentialIds::id(3),
    );
    for id in [&old, &new, &other] {
        assert!(store.create(id, &record(&[]), start()).await.unwrap());
    }
    assert!(store.retire(&old, &new, start()).await.unwrap());
    assert!(store.retire(&old, &new, start()).await.unwrap(), "resent");
    assert!(!store.retire(&old, &other, start()).await.unwrap());
    store.delete(&old, start()).await.unwrap();
    assert_eq!(store.load(&new, start()).await.unwrap(), None);
    assert!(store.load(&other, start()).await.unwrap().is_some());
    store.admin().clear().await.unwrap();
}
