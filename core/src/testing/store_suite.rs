//! The store test suite: the [`SessionStore`] contract as generic async functions.
//!
//! Call [`run_all`] from an async test with a function that makes a fresh, empty store (for a
//! shared backend, one with its own key prefix or database). Each check panics with a message
//! naming the broken rule.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use fastsession_core::MemoryStore;
//! use fastsession_core::testing::store_suite;
//!
//! store_suite::run_all(|| async { MemoryStore::new() }).await;
//! # });
//! ```

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::changes::Changes;
use crate::data::SessionData;
use crate::id::SessionId;
use crate::store::{Expiry, Record, SessionStore};
use crate::testing::SequentialIds;

mod increments;
mod retirement;
pub mod users;

pub use increments::{concurrent_increments_lose_nothing, increments_add_to_the_stored_integer};
pub use retirement::{
    concurrent_retirements_admit_one, delete_follows_a_bounded_number_of_successors,
    delete_follows_successors, only_live_records_retire, retired_records_are_not_live,
};

/// The time the suite calls "now", and where a [`ManualClock`](super::ManualClock) starts:
/// 2026-01-01T00:00:00Z.
pub fn start() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

/// A record created at [`start`] that lives for an hour, with this data.
pub fn record(pairs: &[(&str, Value)]) -> Record {
    Record {
        data: pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), value.clone()))
            .collect(),
        created_at: start(),
        expiry: Expiry {
            refreshed_at: start(),
            expires_at: start() + Duration::from_secs(3600),
        },
        user: None,
    }
}

pub(crate) fn id(n: u64) -> SessionId {
    // Distinct from other suites' IDs, should several share a backend.
    SequentialIds::id(0x5a17_0000 + n)
}

fn keys(data: &SessionData) -> Vec<&str> {
    data.keys().collect()
}

/// Runs every check, each against a fresh store from `make`.
pub async fn run_all<S, F, Fut>(make: F)
where
    S: SessionStore + Clone,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    create_then_load(&make().await).await;
    create_never_overwrites(&make().await).await;
    load_missing_is_none(&make().await).await;
    apply_sets_removes_and_clears(&make().await).await;
    apply_keeps_keys_it_did_not_change(&make().await).await;
    apply_after_delete_changes_nothing(&make().await).await;
    apply_and_touch_skip_expired_records(&make().await).await;
    touch_moves_only_the_expiry(&make().await).await;
    expiry_never_moves_backwards(&make().await).await;
    delete_is_idempotent(&make().await).await;
    concurrent_applies_lose_nothing(&make().await).await;
    concurrent_creates_of_one_id_admit_one(&make().await).await;
    retired_records_are_not_live(&make().await).await;
    only_live_records_retire(&make().await).await;
    delete_follows_successors(&make().await).await;
    delete_follows_a_bounded_number_of_successors(&make().await).await;
    concurrent_retirements_admit_one(&make().await).await;
    increments_add_to_the_stored_integer(&make().await).await;
    concurrent_increments_lose_nothing(&make().await).await;
}

/// A created record loads back whole.
pub async fn create_then_load<S: SessionStore>(store: &S) {
    let original = record(&[("user", json!("ada")), ("cart", json!([1, 2]))]);
    assert!(
        store.create(&id(1), &original, start()).await.unwrap(),
        "create of a fresh id must insert"
    );
    let loaded = store
        .load(&id(1), start())
        .await
        .unwrap()
        .expect("a created record must load");
    assert_eq!(
        loaded, original,
        "a loaded record must equal the created one"
    );
}

/// Creating an ID in use fails and leaves the first record alone.
pub async fn create_never_overwrites<S: SessionStore>(store: &S) {
    assert!(
        store
            .create(&id(2), &record(&[("owner", json!("first"))]), start())
            .await
            .unwrap()
    );
    let second = store
        .create(&id(2), &record(&[("owner", json!("second"))]), start())
        .await
        .unwrap();
    assert!(!second, "create of an id in use must report false");
    let loaded = store.load(&id(2), start()).await.unwrap().unwrap();
    assert_eq!(
        loaded.data.get("owner"),
        Some(&json!("first")),
        "a collision must not overwrite"
    );
}

/// An unknown ID loads as `None`.
pub async fn load_missing_is_none<S: SessionStore>(store: &S) {
    assert_eq!(store.load(&id(3), start()).await.unwrap(), None);
}

/// `apply` sets, removes and clears.
pub async fn apply_sets_removes_and_clears<S: SessionStore>(store: &S) {
    store
        .create(
            &id(4),
            &record(&[("a", json!(1)), ("b", json!(2))]),
            start(),
        )
        .await
        .unwrap();
    let expiry = record(&[]).expiry;
    let mut changes = Changes::new();
    changes.insert("a", json!(10));
    changes.remove("b");
    changes.insert("c", json!({"deep": [true]}));
    assert!(
        store
            .apply(&id(4), &changes, &expiry, start())
            .await
            .unwrap()
    );
    let data = store.load(&id(4), start()).await.unwrap().unwrap().data;
    assert_eq!(keys(&data), ["a", "c"]);
    assert_eq!(data.get("a"), Some(&json!(10)));
    assert_eq!(data.get("c"), Some(&json!({"deep": [true]})));

    let mut clear = Changes::new();
    clear.clear();
    clear.insert("z", json!("last"));
    assert!(store.apply(&id(4), &clear, &expiry, start()).await.unwrap());
    let data = store.load(&id(4), start()).await.unwrap().unwrap().data;
    assert_eq!(
        keys(&data),
        ["z"],
        "clear must drop every key before the other edits"
    );
}

/// Two requests that change different keys both keep their change.
pub async fn apply_keeps_keys_it_did_not_change<S: SessionStore>(store: &S) {
    store
        .create(&id(5), &record(&[("shared", json!(0))]), start())
        .await
        .unwrap();
    let expiry = record(&[]).expiry;
    let mut first = Changes::new();
    first.insert("x", json!(1));
    let mut second = Changes::new();
    second.insert("y", json!(2));
    store.apply(&id(5), &first, &expiry, start()).await.unwrap();
    store
        .apply(&id(5), &second, &expiry, start())
        .await
        .unwrap();
    let data = store.load(&id(5), start()).await.unwrap().unwrap().data;
    assert_eq!(
        keys(&data),
        ["shared", "x", "y"],
        "apply must merge, not overwrite"
    );
}

/// A write after a delete does not bring the session back.
pub async fn apply_after_delete_changes_nothing<S: SessionStore>(store: &S) {
    store
        .create(&id(6), &record(&[("user", json!("ada"))]), start())
        .await
        .unwrap();
    store.delete(&id(6), start()).await.unwrap();
    let mut changes = Changes::new();
    changes.insert("user", json!("mallory"));
    let expiry = record(&[]).expiry;
    assert!(
        !store
            .apply(&id(6), &changes, &expiry, start())
            .await
            .unwrap(),
        "apply on a deleted record must report false"
    );
    assert!(
        !store.touch(&id(6), &expiry, start()).await.unwrap(),
        "touch on a deleted record must report false"
    );
    assert_eq!(
        store.load(&id(6), start()).await.unwrap(),
        None,
        "a deleted session must stay deleted"
    );
}

/// Expired records are not written to, and do not load as live.
pub async fn apply_and_touch_skip_expired_records<S: SessionStore>(store: &S) {
    store
        .create(&id(7), &record(&[("a", json!(1))]), start())
        .await
        .unwrap();
    let later = start() + Duration::from_secs(3601);
    let expiry = Expiry {
        refreshed_at: later,
        expires_at: later + Duration::from_secs(3600),
    };
    let mut changes = Changes::new();
    changes.insert("a", json!(2));
    assert!(
        !store.apply(&id(7), &changes, &expiry, later).await.unwrap(),
        "apply on an expired record must report false"
    );
    assert!(
        !store.touch(&id(7), &expiry, later).await.unwrap(),
        "touch on an expired record must report false"
    );
    if let Some(stale) = store.load(&id(7), later).await.unwrap() {
        assert!(
            stale.expiry.expires_at <= later,
            "an expired record may load only with its past expiry"
        );
        // Its data may be withheld (the PostgreSQL store never hands out an ended session's
        // data), but the refused write must not show.
        assert_ne!(
            stale.data.get("a"),
            Some(&json!(2)),
            "the refused write landed"
        );
    }
}

/// `touch` changes the expiry and nothing else.
pub async fn touch_moves_only_the_expiry<S: SessionStore>(store: &S) {
    store
        .create(&id(8), &record(&[("a", json!(1))]), start())
        .await
        .unwrap();
    let later = start() + Duration::from_secs(600);
    let expiry = Expiry {
        refreshed_at: later,
        expires_at: later + Duration::from_secs(3600),
    };
    assert!(store.touch(&id(8), &expiry, later).await.unwrap());
    let loaded = store.load(&id(8), later).await.unwrap().unwrap();
    assert_eq!(loaded.expiry, expiry);
    assert_eq!(loaded.data.get("a"), Some(&json!(1)));
    assert_eq!(loaded.created_at, start());
}

/// A late write with an older expiry does not shorten the session.
pub async fn expiry_never_moves_backwards<S: SessionStore>(store: &S) {
    store.create(&id(9), &record(&[]), start()).await.unwrap();
    let later = start() + Duration::from_secs(600);
    let newer = Expiry {
        refreshed_at: later,
        expires_at: later + Duration::from_secs(3600),
    };
    store.touch(&id(9), &newer, later).await.unwrap();
    let older = record(&[]).expiry;
    let mut changes = Changes::new();
    changes.insert("k", json!(1));
    store.apply(&id(9), &changes, &older, later).await.unwrap();
    let loaded = store.load(&id(9), later).await.unwrap().unwrap();
    assert_eq!(loaded.expiry, newer, "the expiry must never move backwards");
    assert_eq!(loaded.data.get("k"), Some(&json!(1)));
}

/// Deleting twice, or deleting what never existed, succeeds.
pub async fn delete_is_idempotent<S: SessionStore>(store: &S) {
    store.delete(&id(10), start()).await.unwrap();
    store.create(&id(10), &record(&[]), start()).await.unwrap();
    store.delete(&id(10), start()).await.unwrap();
    store.delete(&id(10), start()).await.unwrap();
    assert_eq!(store.load(&id(10), start()).await.unwrap(), None);
}

/// 50 concurrent writers of different keys on one session lose none.
pub async fn concurrent_applies_lose_nothing<S: SessionStore + Clone>(store: &S) {
    store.create(&id(11), &record(&[]), start()).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..50 {
        let store = store.clone();
        tasks.spawn(async move {
            let mut changes = Changes::new();
            changes.insert(format!("key{n:02}"), json!(n));
            store
                .apply(&id(11), &changes, &record(&[]).expiry, start())
                .await
                .unwrap()
        });
    }
    while let Some(applied) = tasks.join_next().await {
        assert!(applied.unwrap(), "every concurrent apply must succeed");
    }
    let data = store.load(&id(11), start()).await.unwrap().unwrap().data;
    assert_eq!(
        data.len(),
        50,
        "concurrent applies of different keys must all be kept"
    );
}

/// Of many concurrent creations of one ID, exactly one inserts.
pub async fn concurrent_creates_of_one_id_admit_one<S: SessionStore + Clone>(store: &S) {
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..20 {
        let store = store.clone();
        tasks.spawn(async move {
            store
                .create(&id(12), &record(&[("n", json!(n))]), start())
                .await
                .unwrap()
        });
    }
    let mut inserted = 0;
    while let Some(result) = tasks.join_next().await {
        inserted += usize::from(result.unwrap());
    }
    assert_eq!(
        inserted, 1,
        "exactly one concurrent create of an id may insert"
    );
}
