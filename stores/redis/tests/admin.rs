//! The operations on every key under a prefix against a real Redis: they reach nothing under
//! another prefix, even when a prefix holds Redis glob characters (`*`, `?`, `[`, `]`, `\`).

use std::sync::atomic::{AtomicU32, Ordering};

use fastsession_core::SessionStore;
use fastsession_core::testing::SequentialIds;
use fastsession_core::testing::store_suite::{record, start};
use fastsession_redis::RedisStore;
use serde_json::json;

fn url() -> String {
    std::env::var("FASTSESSION_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// A prefix that starts with a part no other test or run uses, then `tail`.
fn prefix(tail: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "fastsession-admin:{}:{}:{tail}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

async fn store(prefix: &str) -> RedisStore {
    let store = RedisStore::builder(url())
        .with_prefix(prefix)
        .build()
        .expect("a valid URL and prefix");
    store.ping().await.unwrap_or_else(|error| {
        panic!(
            "Redis does not answer at {}: {error}; start it or set FASTSESSION_REDIS_URL",
            url()
        )
    });
    store
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

async fn sorted_keys(store: &RedisStore) -> Vec<String> {
    let mut keys = store.keys().await.expect("a scan");
    keys.sort();
    keys
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
        let ours = store(&format!("{head}{tail}")).await;
        let theirs = store(&format!("{head}{neighbour_tail}")).await;
        let our_keys = sessions(&ours, 1, 3).await;
        let their_keys = sessions(&theirs, 101, 2).await;

        assert_eq!(sorted_keys(&ours).await, our_keys, "prefix {tail:?}");
        assert_eq!(
            sorted_keys(&theirs).await,
            their_keys,
            "prefix {neighbour_tail:?}"
        );

        ours.clear().await.expect("Redis answers");
        assert_eq!(
            sorted_keys(&ours).await,
            Vec::<String>::new(),
            "prefix {tail:?}"
        );
        assert_eq!(
            sorted_keys(&theirs).await,
            their_keys,
            "clearing {tail:?} spared {neighbour_tail:?}"
        );
        assert_eq!(
            theirs.purge_expired(start()).await.expect("Redis answers"),
            0
        );
        theirs.clear().await.expect("Redis answers");
    }
}
