//! The store suite's checks of increments: the read-modify-write a store applies atomically.

use serde_json::json;

use super::{id, record, start};
use crate::changes::Changes;
use crate::store::SessionStore;

/// An increment adds to the integer the store holds; a missing value, or one that is not an
/// integer that fits 64 bits, counts as 0; sums saturate.
pub async fn increments_add_to_the_stored_integer<S: SessionStore>(store: &S) {
    let stored = record(&[
        ("n", json!(5)),
        ("text", json!("x")),
        ("float", json!(1.5)),
        ("huge", json!(u64::MAX)),
        ("high", json!(i64::MAX - 1)),
        ("low", json!(i64::MIN + 1)),
    ]);
    store.create(&id(50), &stored, start()).await.unwrap();
    let mut changes = Changes::new();
    for (key, by) in [
        ("n", 2),
        ("text", 1),
        ("float", 1),
        ("huge", 1),
        ("new", -3),
    ] {
        changes.increment(key, by);
    }
    changes.increment("high", 5);
    changes.increment("low", -5);
    let applied = store
        .apply(&id(50), &changes, &stored.expiry, start())
        .await
        .unwrap();
    assert!(applied, "the increments apply to a live record");
    let data = store.load(&id(50), start()).await.unwrap().unwrap().data;
    let expected = [
        ("n", json!(7)),
        ("text", json!(1)),
        ("float", json!(1)),
        ("huge", json!(1)),
        ("new", json!(-3)),
        ("high", json!(i64::MAX)),
        ("low", json!(i64::MIN)),
    ];
    for (key, value) in expected {
        assert_eq!(data.get(key), Some(&value), "after incrementing {key}");
    }
}

/// 50 concurrent increments of one key by 1 add 50: no increment is lost.
pub async fn concurrent_increments_lose_nothing<S: SessionStore + Clone>(store: &S) {
    store
        .create(&id(51), &record(&[("n", json!(0))]), start())
        .await
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let store = store.clone();
        tasks.spawn(async move {
            let mut changes = Changes::new();
            changes.increment("n", 1);
            store
                .apply(&id(51), &changes, &record(&[]).expiry, start())
                .await
                .unwrap()
        });
    }
    while let Some(applied) = tasks.join_next().await {
        assert!(applied.unwrap(), "every concurrent increment applies");
    }
    let data = store.load(&id(51), start()).await.unwrap().unwrap().data;
    assert_eq!(
        data.get("n"),
        Some(&json!(50)),
        "no concurrent increment is lost"
    );
}
