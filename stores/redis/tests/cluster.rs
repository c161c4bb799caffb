//! The store on a real Redis Cluster (three masters with one replica each, started by
//! `scripts/test` on 127.0.0.1:7000-7005; `FASTSESSION_REDIS_CLUSTER_URL` names its seed nodes):
//! the store suite passes; the administration walks every master; a rotation whose predecessor
//! and successor live on different masters is final.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use fastsession_core::id::SessionId;
use fastsession_core::store::SessionStore;
use fastsession_core::testing::SequentialIds;
use fastsession_core::testing::store_suite::{record, start};
use fastsession_redis::RedisStore;
use redis::AsyncCommands as _;
use serde_json::json;

/// `FASTSESSION_REDIS_CLUSTER_URL`, default the cluster `scripts/test` starts.
fn cluster_url() -> String {
    std::env::var("FASTSESSION_REDIS_CLUSTER_URL").unwrap_or_else(|_| {
        "redis-cluster://127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002".to_owned()
    })
}

/// The port of the master that serves `key`.
async fn master_of(key: &str) -> u16 {
    common::cluster::master_of(&cluster_url(), key).await
}

/// A store on the cluster under a prefix of its own; fails loudly if the cluster does not answer.
async fn store(name: &str) -> RedisStore {
    let store = RedisStore::builder(cluster_url())
        .with_prefix(common::unique_prefix(name))
        .build()
        .unwrap_or_else(|error| panic!("{error}"));
    store.ping().await.unwrap_or_else(|error| {
        panic!(
            "the Redis Cluster does not answer at {}: {error}; run `bash scripts/test`, which starts it",
            cluster_url()
        )
    });
    store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_suite_passes_on_a_cluster() {
    common::run_store_suite(|| store("cluster-suite")).await;
}

#[tokio::test]
async fn the_administration_walks_every_master() {
    let store = store("cluster-admin").await;
    let ids: Vec<SessionId> = (1..=30).map(SequentialIds::id).collect();
    let mut masters = BTreeSet::new();
    for id in &ids {
        assert!(
            store
                .create(id, &record(&[("n", json!(1))]), start())
                .await
                .unwrap()
        );
        masters.insert(master_of(&store.key(id)).await);
    }
    assert_eq!(
        masters.len(),
        3,
        "30 sessions spread over the three masters"
    );
    let admin = store.admin();
    assert_eq!(admin.sessions().await.unwrap().len(), 30);
    assert_eq!(admin.keys().await.unwrap().len(), 30);
    let long_after = start() + Duration::from_secs(400 * 24 * 60 * 60);
    assert_eq!(admin.purge_expired(long_after).await.unwrap(), 30);
    assert!(admin.keys().await.unwrap().is_empty());
    for id in &ids[..3] {
        store
            .create(id, &record(&[("n", json!(1))]), start())
            .await
            .unwrap();
    }
    assert_eq!(admin.clear().await.unwrap(), 3);
}

#[tokio::test]
async fn a_rotation_across_masters_is_final() {
    let store = store("cluster-rotation").await;
    let predecessor = SequentialIds::id(1);
    let home = master_of(&store.key(&predecessor)).await;
    let mut successor = None;
    for n in 2..200 {
        let id = SequentialIds::id(n);
        if master_of(&store.key(&id)).await != home {
            successor = Some(id);
            break;
        }
    }
    let successor = successor.expect("an ID whose key another master serves");
    let session = record(&[("user", json!("ada"))]);
    assert!(store.create(&predecessor, &session, start()).await.unwrap());
    assert!(store.create(&successor, &session, start()).await.unwrap());
    assert!(
        store
            .retire(&predecessor, &successor, start())
            .await
            .unwrap()
    );
    assert_eq!(store.load(&predecessor, start()).await.unwrap(), None);
    assert!(
        !store
            .apply(
                &predecessor,
                &fastsession_core::store::Changes::new(),
                &session.expiry,
                start()
            )
            .await
            .unwrap(),
        "a retired session takes no writes"
    );
    assert!(
        !store
            .retire(&predecessor, &SequentialIds::id(999), start())
            .await
            .unwrap(),
        "a second rotation of the retired session is refused"
    );
    // Logging out with the old cookie ends the successor too, on its own master.
    store.delete(&predecessor, start()).await.unwrap();
    assert_eq!(store.load(&successor, start()).await.unwrap(), None);
    assert!(store.admin().keys().await.unwrap().is_empty());
    // The raw keys are gone from both masters.
    let mut connection =
        redis::cluster::ClusterClient::new(vec![common::cluster::first_seed(&cluster_url())])
            .unwrap()
            .get_async_connection()
            .await
            .unwrap();
    for id in [&predecessor, &successor] {
        let exists: bool = connection.exists(store.key(id)).await.unwrap();
        assert!(!exists, "{}", store.key(id));
    }
}

/// On a three-master cluster, where the user's index and each session it lists hash to slots of
/// their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_out_everywhere_holds_across_masters() {
    let store = store("cluster-users").await;
    let manager = common::manager_on(store.clone(), |config| config);
    fastsession_core::testing::races::logging_out_everywhere_ends_every_device(&manager).await;
    store.admin().clear().await.expect("a clear");
}
