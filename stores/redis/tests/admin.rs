//! The administrative operations against a real Redis: they reach every record under their own
//! prefix, retired ones included, and nothing under another prefix, even when a prefix holds
//! Redis glob characters (`*`, `?`, `[`, `]`, `\`).

mod common;

use std::time::Duration;

use fastsession_core::store::SessionStore;
use fastsession_core::testing::SequentialIds;
use fastsession_core::testing::store_suite::{record, start};
use fastsession_redis::RedisStore;
use serde_json::json;

/// A prefix that starts with a part no other test or run uses, then `tail`.
fn prefix(tail: &str) -> String {
    format!("{}{tail}", common::unique_prefix("admin"))
}

/// Creates `count` sessions, IDs from `first`; returns their keys.
async fn sessions(store: &RedisStore, first: u64, count: u64) -> Vec<String> {
    let mut keys = Vec::new();
    for n in first..first + count {
        let id = SequentialIds::id(n);
        let created = store
            .create(&id, &record(&[("n", json!(n))]), start())
            .await
            .expect("Redis answers");
        assert!(created);
        keys.push(store.key(&id));
    }
    keys.sort();
    keys
}

async fn keys(store: &RedisStore) -> Vec<String> {
    store.admin().keys().await.expect("a scan")
}

/// Pairs of tails, under one shared head: read as a glob pattern, the first matches the second's
/// keys, or (for `\`) misses its own.
const NEIGHBOURS: &[(&str, &str)] = &[
    ("app*", "app-other:"),
    ("app?", "appX"),
    ("app[xy]:", "appx:"),
    ("app\\", "app-other:"),
    ("app]*[:", "app]z[:"),
];

#[tokio::test]
async fn a_prefix_with_glob_characters_reaches_only_its_own_keys() {
    for &(tail, neighbour_tail) in NEIGHBOURS {
        let head = prefix("");
        let ours = common::store_at(&format!("{head}{tail}")).await;
        let theirs = common::store_at(&format!("{head}{neighbour_tail}")).await;
        let our_keys = sessions(&ours, 1, 3).await;
        let their_keys = sessions(&theirs, 101, 2).await;

        assert_eq!(keys(&ours).await, our_keys, "prefix {tail:?}");
        assert_eq!(keys(&theirs).await, their_keys, "prefix {neighbour_tail:?}");

        // Past the end of every session, ours and theirs: a purge of ours must spare theirs.
        let ended = start() + Duration::from_secs(3600);
        assert_eq!(
            ours.admin()
                .purge_expired(ended)
                .await
                .expect("Redis answers"),
            3
        );
        assert_eq!(
            keys(&theirs).await,
            their_keys,
            "purging {tail:?} spared {neighbour_tail:?}"
        );
        assert_eq!(
            theirs.admin().sessions().await.expect("a scan"),
            their_keys,
            "purging {tail:?} spared {neighbour_tail:?}"
        );

        assert_eq!(sessions(&ours, 1, 3).await, our_keys);
        assert_eq!(ours.admin().clear().await.expect("Redis answers"), 3);
        assert_eq!(keys(&ours).await, Vec::<String>::new(), "prefix {tail:?}");
        assert_eq!(
            keys(&theirs).await,
            their_keys,
            "clearing {tail:?} spared {neighbour_tail:?}"
        );
        assert_eq!(theirs.admin().clear().await.expect("Redis answers"), 2);
    }
}

#[tokio::test]
async fn purging_removes_ended_records_live_or_retired() {
    let store = common::store_at(&prefix("purge:")).await;
    let admin = store.admin();
    let hour = Duration::from_secs(3600);
    // Two sessions ending at start + 1 h, the first retired in favour of the second.
    sessions(&store, 1, 2).await;
    let (retired, successor) = (SequentialIds::id(1), SequentialIds::id(2));
    assert!(store.retire(&retired, &successor, start()).await.unwrap());
    // A third ending at start + 2 h.
    let mut longer = record(&[("n", json!(3))]);
    longer.expiry.expires_at = start() + 2 * hour;
    assert!(
        store
            .create(&SequentialIds::id(3), &longer, start())
            .await
            .unwrap()
    );
    let third = store.key(&SequentialIds::id(3));

    assert_eq!(admin.purge_expired(start() + hour / 2).await.unwrap(), 0);
    assert_eq!(admin.keys().await.unwrap().len(), 3);
    let live = admin.sessions().await.unwrap();
    let mut expected = vec![store.key(&successor), third.clone()];
    expected.sort();
    assert_eq!(live, expected, "sessions() leaves out the retired pointer");
    assert_eq!(admin.purge_expired(start() + hour).await.unwrap(), 2);
    assert_eq!(admin.keys().await.unwrap(), vec![third.clone()]);
    assert_eq!(admin.purge_expired(start() + 2 * hour).await.unwrap(), 1);
    assert_eq!(admin.keys().await.unwrap(), Vec::<String>::new());
    assert_eq!(admin.clear().await.unwrap(), 0);
}

#[tokio::test]
async fn the_admin_handle_acts_on_its_store() {
    let store = common::store_at(&prefix("handle:")).await;
    let admin = store.admin();
    assert_eq!(admin.store().prefix(), store.prefix());
    let keys = sessions(&store, 1, 2).await;
    assert_eq!(admin.keys().await.unwrap(), keys);
    assert_eq!(admin.clone().clear().await.unwrap(), 2);
    assert!(admin.keys().await.unwrap().is_empty());
    assert!(format!("{admin:?}").contains(store.prefix()));
}

#[tokio::test]
async fn keys_that_are_no_sessions_are_left_out_and_purged_without_stopping_a_purge() {
    let store = common::store_at(&prefix("strays:")).await;
    let admin = store.admin();
    let live = sessions(&store, 1, 2).await;
    let client = redis::Client::open(common::url()).expect("a valid URL");
    let mut connection = client
        .get_multiplexed_async_connection()
        .await
        .expect("Redis answers");
    // A plain string under the prefix, and a hash whose end holds no number.
    let string = format!("{}stray", store.prefix());
    let garbled = format!("{}{{garbled}}", store.prefix());
    let _: () = redis::cmd("SET")
        .arg(&string)
        .arg("not a session")
        .query_async(&mut connection)
        .await
        .expect("Redis answers");
    let _: () = redis::cmd("HSET")
        .arg(&garbled)
        .arg("m:e")
        .arg("soon")
        .query_async(&mut connection)
        .await
        .expect("Redis answers");

    assert_eq!(admin.keys().await.unwrap().len(), 4);
    let mut hashes = live.clone();
    hashes.push(garbled.clone());
    hashes.sort();
    assert_eq!(
        admin
            .sessions()
            .await
            .expect("a string is no session, not an error"),
        hashes
    );
    assert_eq!(
        admin.purge_expired(start()).await.expect("a purge goes on"),
        2,
        "the string and the hash without a readable end"
    );
    assert_eq!(admin.keys().await.unwrap(), live, "the live sessions stay");
    assert_eq!(admin.clear().await.unwrap(), 2);
}
