//! The store suite's checks of retirement: a record ended in favour of a successor.

use std::time::Duration;

use serde_json::json;

use super::{id, record, start};
use crate::changes::Changes;
use crate::store::{MAX_SUCCESSORS_FOLLOWED, SessionStore};

/// A retired record is not live: it does not load, take writes or retire again, and its ID is
/// not reused before it expires.
pub async fn retired_records_are_not_live<S: SessionStore>(store: &S) {
    let (old, new) = (id(13), id(14));
    store
        .create(&old, &record(&[("user", json!("ada"))]), start())
        .await
        .unwrap();
    store
        .create(&new, &record(&[("user", json!("ada"))]), start())
        .await
        .unwrap();
    assert!(
        store.retire(&old, &new, start()).await.unwrap(),
        "a live record retires"
    );
    assert_eq!(
        store.load(&old, start()).await.unwrap(),
        None,
        "a retired record does not load"
    );
    let mut changes = Changes::new();
    changes.insert("cart", json!(1));
    let expiry = record(&[]).expiry;
    assert!(
        !store.apply(&old, &changes, &expiry, start()).await.unwrap(),
        "no apply"
    );
    assert!(
        !store.touch(&old, &expiry, start()).await.unwrap(),
        "no touch"
    );
    assert!(
        !store.retire(&old, &id(15), start()).await.unwrap(),
        "no second retirement"
    );
    assert!(
        !store.create(&old, &record(&[]), start()).await.unwrap(),
        "a retired record's id is not reused before it expires"
    );
    let successor = store.load(&new, start()).await.unwrap().unwrap();
    assert_eq!(
        successor.data.get("user"),
        Some(&json!("ada")),
        "the successor is untouched"
    );
    assert_eq!(successor.data.get("cart"), None);
}

/// Missing and expired records do not retire.
pub async fn only_live_records_retire<S: SessionStore>(store: &S) {
    assert!(
        !store.retire(&id(16), &id(17), start()).await.unwrap(),
        "missing"
    );
    store.create(&id(16), &record(&[]), start()).await.unwrap();
    let later = start() + Duration::from_secs(3601);
    assert!(
        !store.retire(&id(16), &id(17), later).await.unwrap(),
        "expired"
    );
}

/// Deleting a retired record deletes its successor, and the successor's successor.
pub async fn delete_follows_successors<S: SessionStore>(store: &S) {
    let chain = [id(18), id(19), id(20)];
    for link in &chain {
        store
            .create(link, &record(&[("k", json!(1))]), start())
            .await
            .unwrap();
    }
    assert!(store.retire(&chain[0], &chain[1], start()).await.unwrap());
    assert!(store.retire(&chain[1], &chain[2], start()).await.unwrap());
    store.delete(&chain[0], start()).await.unwrap();
    for link in &chain {
        assert_eq!(
            store.load(link, start()).await.unwrap(),
            None,
            "the whole chain is deleted"
        );
        assert!(
            store.create(link, &record(&[]), start()).await.unwrap(),
            "no pointer is left behind"
        );
    }
}

/// Of many concurrent retirements of one record, each to its own successor, exactly one wins.
pub async fn concurrent_retirements_admit_one<S: SessionStore + Clone>(store: &S) {
    store.create(&id(21), &record(&[]), start()).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..20 {
        let store = store.clone();
        tasks.spawn(async move {
            store
                .create(&id(22 + n), &record(&[]), start())
                .await
                .unwrap();
            store.retire(&id(21), &id(22 + n), start()).await.unwrap()
        });
    }
    let mut retired = 0;
    while let Some(result) = tasks.join_next().await {
        retired += usize::from(result.unwrap());
    }
    assert_eq!(retired, 1, "exactly one concurrent retirement may win");
}

/// One delete follows at most [`MAX_SUCCESSORS_FOLLOWED`] records: a longer chain keeps its tail.
pub async fn delete_follows_a_bounded_number_of_successors<S: SessionStore>(store: &S) {
    let chain: Vec<_> = (0..=MAX_SUCCESSORS_FOLLOWED as u64)
        .map(|n| id(100 + n))
        .collect();
    for link in &chain {
        store.create(link, &record(&[]), start()).await.unwrap();
    }
    for pair in chain.windows(2) {
        assert!(store.retire(&pair[0], &pair[1], start()).await.unwrap());
    }
    store.delete(&chain[0], start()).await.unwrap();
    let (followed, tail) = chain.split_at(MAX_SUCCESSORS_FOLLOWED);
    for link in followed {
        assert!(
            store.create(link, &record(&[]), start()).await.unwrap(),
            "the first MAX_SUCCESSORS_FOLLOWED records are deleted"
        );
    }
    assert!(
        store.load(&tail[0], start()).await.unwrap().is_some(),
        "the record past the bound is left"
    );
}
