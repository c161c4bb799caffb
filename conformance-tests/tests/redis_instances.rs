//! Two app instances (two `reference-server` processes on different ports, one key ring, one
//! Redis) share sessions: log in on one, read and log out on the other. Afterwards, Redis holds
//! no key that reveals a session ID or cookie value, and every key has a TTL. Races across the
//! two instances (which share no lock) end with no session revived and at most one successor.

use std::path::Path;

use fastsession_conformance::Framework;
use fastsession_conformance::instances::{self, Pair};
use fastsession_conformance::store::Backend;
use fastsession_conformance::target::redis_url;
use fastsession_redis::RedisStore;

/// `first` and `second` on a fresh prefix of the test Redis.
async fn two_instances(frameworks: (Framework, Framework), test: &str) -> (RedisStore, Pair) {
    let prefix = format!(
        "fastsession-instances:{}:{test}:{}:",
        std::process::id(),
        frameworks.0.name()
    );
    let store = RedisStore::builder(redis_url())
        .with_prefix(&prefix)
        .build()
        .expect("a valid URL");
    store
        .ping()
        .await
        .expect("Redis answers (set FASTSESSION_REDIS_URL)");
    let url = format!("{}/0", redis_url().trim_end_matches('/'));
    let binary = Path::new(env!("CARGO_BIN_EXE_reference-server"));
    let pair = Pair::start(
        binary,
        Backend::Redis(store.clone()),
        &url,
        &prefix,
        frameworks,
    );
    (store, pair)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_session_through_redis() {
    for frameworks in &instances::PAIRS[..3] {
        let (store, pair) = two_instances(*frameworks, "share").await;
        assert_ne!(pair.a.url, pair.b.url);
        let shared = instances::log_in_on_a_and_read_on_b(&pair).await;
        let keys = store.admin().keys().await.expect("a scan");
        let sessions = store.admin().sessions().await.expect("a scan");
        assert_eq!(sessions.len(), 1, "one session: {keys:?}");
        assert_eq!(keys.len(), 2, "its key and its user's index: {keys:?}");
        instances::assert_reveals_no_secret(&keys, &shared);
        let client = redis::Client::open(redis_url()).expect("a URL");
        let mut connection = client
            .get_multiplexed_async_connection()
            .await
            .expect("Redis answers");
        for key in &keys {
            let ttl: i64 = redis::cmd("PTTL")
                .arg(key)
                .query_async(&mut connection)
                .await
                .expect("PTTL");
            assert!(ttl > 0, "{key} has no TTL");
        }
        instances::log_out_on_b(&pair, &shared).await;
        assert!(store.admin().sessions().await.expect("a scan").is_empty());
        let left = store.admin().keys().await.expect("a scan");
        assert_eq!(
            left.len(),
            1,
            "the user's index, until it is read: {left:?}"
        );
        store.admin().clear().await.expect("a clear");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_on_one_instance_racing_a_logout_on_another_revives_nothing() {
    for frameworks in instances::PAIRS {
        let (_, pair) = two_instances(frameworks, "login-logout").await;
        instances::login_racing_logout_revives_nothing(&pair).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_logins_on_two_instances_leave_exactly_one_session() {
    for frameworks in &instances::PAIRS[..2] {
        let (_, pair) = two_instances(*frameworks, "two-logins").await;
        instances::concurrent_logins_leave_one_session(&pair).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_parallel_increments_over_two_instances_count_a_hundred() {
    let (_, pair) = two_instances(instances::PAIRS[0], "increments").await;
    instances::parallel_increments_count_every_one(&pair).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_out_other_devices_on_one_instance_ends_the_session_on_the_other() {
    for frameworks in &instances::PAIRS[..2] {
        let (_, pair) = two_instances(*frameworks, "devices").await;
        instances::logging_out_other_devices_reaches_the_other_instance(&pair).await;
    }
}
