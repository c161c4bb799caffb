//! A session's slot moves to another master while the store is in use, on a cluster of the
//! test's own (127.0.0.1:7200-7205, so the shared cluster is never disturbed): while the slot is
//! migrating, the source master answers `ASK` for the moved key; once the slot belongs to the
//! target, every master answers `MOVED`. The store follows both, for reads and for writes, with
//! the connection it had before the move.

mod common;

use common::cluster::{PrivateCluster, cli, master_of};
use fastsession_core::store::{Changes, SessionStore};
use fastsession_core::testing::SequentialIds;
use fastsession_core::testing::store_suite::{record, start};
use fastsession_redis::RedisStore;
use serde_json::json;

/// The private cluster's first port (its nodes take six, their cluster buses those + 10000).
const BASE_PORT: u16 = 7200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_follow_their_slot_to_another_master() {
    let cluster = PrivateCluster::start(BASE_PORT).await;
    let url = cluster.url();
    let store = RedisStore::builder(&url)
        .with_prefix(common::unique_prefix("resharding"))
        .build()
        .unwrap_or_else(|error| panic!("{error}"));
    let id = SequentialIds::id(1);
    let session = record(&[("user", json!("ada"))]);
    assert!(store.create(&id, &session, start()).await.unwrap());
    let key = store.key(&id);
    let source = master_of(&url, &key).await;
    let mut masters = Vec::new();
    for port in BASE_PORT..BASE_PORT + 6 {
        if cli(port, &["role"]).await.starts_with("master") {
            masters.push(port);
        }
    }
    let target = *masters
        .iter()
        .find(|&&port| port != source)
        .expect("another master");
    let slot = cli(source, &["cluster", "keyslot", &key]).await;
    let source_id = cli(source, &["cluster", "myid"]).await;
    let target_id = cli(target, &["cluster", "myid"]).await;
    let write = |n: i64| {
        let mut changes = Changes::new();
        changes.insert("n", json!(n));
        changes
    };

    // Migrating: the key moves to the target; the source answers ASK for it.
    cli(
        target,
        &["cluster", "setslot", &slot, "importing", &source_id],
    )
    .await;
    cli(
        source,
        &["cluster", "setslot", &slot, "migrating", &target_id],
    )
    .await;
    let target_port = target.to_string();
    let migrated = cli(
        source,
        &["migrate", "127.0.0.1", &target_port, &key, "0", "5000"],
    )
    .await;
    assert_eq!(migrated, "OK");
    let loaded = store
        .load(&id, start())
        .await
        .unwrap()
        .expect("the session, by ASK");
    assert_eq!(loaded.data, session.data);
    assert!(
        store
            .apply(&id, &write(1), &session.expiry, start())
            .await
            .unwrap(),
        "a write follows ASK"
    );

    // Moved: the slot belongs to the target; every master answers MOVED.
    for port in &masters {
        cli(*port, &["cluster", "setslot", &slot, "node", &target_id]).await;
    }
    assert_eq!(master_of(&url, &key).await, target);
    let loaded = store
        .load(&id, start())
        .await
        .unwrap()
        .expect("the session, by MOVED");
    assert_eq!(loaded.data.get("n"), Some(&json!(1)));
    assert!(
        store
            .apply(&id, &write(2), &session.expiry, start())
            .await
            .unwrap(),
        "a write follows MOVED"
    );
    let loaded = store
        .load(&id, start())
        .await
        .unwrap()
        .expect("the session");
    assert_eq!(loaded.data.get("n"), Some(&json!(2)));
    assert_eq!(loaded.data.get("user"), Some(&json!("ada")));
}
