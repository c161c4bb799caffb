//! The store behind Redis Sentinel: it finds the master through the sentinels (the shared setup
//! `scripts/test` starts, `FASTSESSION_REDIS_SENTINEL_URL`: a master, one replica, three
//! sentinels) and passes the store suite there; on a setup of its own, it follows a failover,
//! asked for (`SENTINEL FAILOVER`) or after the master's crash, without being rebuilt. The
//! failover tests print their window of failures (`--nocapture`), which `docs/decisions.md`
//! records; no assertion is made on times, only a deadline that stops a hung run.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use fastsession_core::id::SessionId;
use fastsession_core::store::{Changes, SessionStore, StoreError, StoreErrorKind};
use fastsession_core::testing::SequentialIds;
use fastsession_core::testing::store_suite::{record, start};
use fastsession_redis::RedisStore;
use serde_json::json;

use common::cluster::cli;
use common::sentinel::PrivateSentinel;

/// `FASTSESSION_REDIS_SENTINEL_URL`, default the setup `scripts/test` starts.
fn sentinel_url() -> String {
    std::env::var("FASTSESSION_REDIS_SENTINEL_URL").unwrap_or_else(|_| {
        "redis-sentinel://127.0.0.1:26400,127.0.0.1:26401,127.0.0.1:26402/fastsession".to_owned()
    })
}

/// A store on `url` under a prefix of its own, with `timeout`; fails loudly if it cannot reach
/// the master.
async fn store_on(url: &str, name: &str, timeout: Duration) -> RedisStore {
    let store = RedisStore::builder(url)
        .with_prefix(common::unique_prefix(name))
        .with_timeout(timeout)
        .build()
        .unwrap_or_else(|error| panic!("{error}"));
    store.ping().await.unwrap_or_else(|error| {
        panic!(
            "no master answers through the sentinels of {url}: {error}; run `bash scripts/test`, \
             which starts them"
        )
    });
    store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_suite_passes_behind_sentinel() {
    let url = sentinel_url();
    common::run_store_suite(|| store_on(&url, "sentinel-suite", Duration::from_secs(2))).await;
}

#[tokio::test]
async fn a_master_name_the_sentinels_do_not_know_is_a_store_error() {
    let url = sentinel_url().replace("/fastsession", "/no-such-master");
    let store = RedisStore::builder(&url)
        .with_prefix(common::unique_prefix("sentinel-unknown"))
        .build()
        .unwrap_or_else(|error| panic!("{error}"));
    let error = store.ping().await.expect_err("no master by that name");
    assert_ne!(error.kind(), StoreErrorKind::Timeout, "{error}");
}

#[tokio::test]
async fn a_sentinel_url_with_a_bad_shape_names_it_without_its_password() {
    let error = RedisStore::open("redis-sentinel://app:s3cret@127.0.0.1:26400").unwrap_err();
    let message = error.to_string();
    assert!(message.contains("MASTER_NAME"), "{message}");
    assert!(message.contains("127.0.0.1:26400"), "{message}");
    assert!(!message.contains("s3cret"), "{message}");
}

/// How a failover went for the store, as the load loop saw it.
#[derive(Debug, Default)]
struct Window {
    first_failure: Option<Duration>,
    last_failure: Option<Duration>,
    failed_calls: usize,
    /// Per session, the increments the store acknowledged.
    acknowledged: Vec<i64>,
}

/// Reads and increments every session in rounds, every 20 ms, with one store that is never
/// rebuilt, calling `disrupt` once 0.5 s in; returns when the sentinels name a master other than
/// `old_master`, the store writes there, and twenty rounds in a row have succeeded. Panics if a
/// session is lost, and after 60 s.
async fn load_through(
    store: Arc<RedisStore>,
    sessions: &[SessionId],
    setup: &mut PrivateSentinel,
    old_master: u16,
    disrupt: impl AsyncFnOnce(&mut PrivateSentinel),
) -> (Duration, Window) {
    let began = Instant::now();
    let mut disrupt = Some(disrupt);
    let mut disrupted_at = None;
    let mut window = Window {
        acknowledged: vec![0; sessions.len()],
        ..Window::default()
    };
    let mut clean_rounds = 0;
    while clean_rounds < 20 || !writes_reach_a_new_master(&store, setup, old_master).await {
        assert!(
            began.elapsed() < Duration::from_secs(60),
            "the store had not recovered 60 s after the failover began: {window:?}"
        );
        if began.elapsed() > Duration::from_millis(500)
            && let Some(disrupt) = disrupt.take()
        {
            disrupt(setup).await;
            disrupted_at = Some(began.elapsed());
        }
        let mut calls = tokio::task::JoinSet::new();
        for (n, id) in sessions.iter().cloned().enumerate() {
            let store = store.clone();
            calls.spawn(async move {
                let loaded = store.load(&id, start()).await?;
                assert!(loaded.is_some(), "a session was lost in the failover");
                let mut changes = Changes::default();
                changes.increment("n", 1);
                let applied = store
                    .apply(&id, &changes, &record(&[]).expiry, start())
                    .await?;
                Ok::<_, StoreError>((n, applied))
            });
        }
        let mut failed = 0;
        while let Some(call) = calls.join_next().await {
            match call.expect("a load task") {
                Ok((n, true)) => window.acknowledged[n] += 1,
                Ok((_, false)) => panic!("a live session refused a write"),
                Err(_) => failed += 1,
            }
        }
        if failed > 0 {
            let now = began.elapsed();
            window.first_failure.get_or_insert(now);
            window.last_failure = Some(now);
            window.failed_calls += failed;
            clean_rounds = 0;
        } else if disrupted_at.is_some() {
            clean_rounds += 1;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (disrupted_at.expect("the failover was started"), window)
}

/// Whether the sentinels name a master other than `old_master`, and a session `store` creates
/// now is there.
async fn writes_reach_a_new_master(
    store: &RedisStore,
    setup: &PrivateSentinel,
    old_master: u16,
) -> bool {
    let port = setup.master_port().await;
    if port == old_master {
        return false;
    }
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1_000);
    let id = SequentialIds::id(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    matches!(store.create(&id, &record(&[]), start()).await, Ok(true))
        && cli(port, &["exists", &store.key(&id)]).await == "1"
}

/// The acknowledged increments of each session that its counter does not hold.
async fn lost_increments(store: &RedisStore, sessions: &[SessionId], window: &Window) -> i64 {
    let mut lost = 0;
    for (id, acknowledged) in sessions.iter().zip(&window.acknowledged) {
        let record = store.load(id, start()).await.unwrap().expect("the session");
        let held = record
            .data
            .get("n")
            .and_then(serde_json::Value::as_i64)
            .unwrap_or(0);
        lost += (acknowledged - held).max(0);
    }
    lost
}

/// `count` sessions created under `store`'s prefix through a store that waits for every replica
/// of `setup` to hold each one, so that the failover loses none of them.
async fn sessions(store: &RedisStore, setup: &PrivateSentinel, count: u64) -> Vec<SessionId> {
    let creator = RedisStore::builder(setup.url())
        .with_prefix(store.prefix())
        .with_replica_wait(u32::from(setup.replicas()), Duration::from_millis(1000))
        .with_timeout(Duration::from_secs(2))
        .build()
        .unwrap_or_else(|error| panic!("{error}"));
    let mut ids = Vec::new();
    for n in 1..=count {
        let id = SequentialIds::id(n);
        assert!(
            creator
                .create(&id, &record(&[("n", json!(0))]), start())
                .await
                .unwrap()
        );
        ids.push(id);
    }
    ids
}

/// How the master is made to go.
#[derive(Clone, Copy, Debug)]
enum Disruption {
    /// `SENTINEL FAILOVER`: the old master stays up, and takes writes until it is demoted.
    Asked,
    /// The master's process is killed; the sentinels fail it over after 1 s without it.
    Crash,
}

/// Fails the master of a private setup (master on `base`, `replicas` replicas, sentinels on
/// `sentinel_base`) over under load, with a store waiting for `replica_wait` replicas or not;
/// prints what the store saw and returns how many acknowledged increments were lost.
async fn fail_over_under_load(
    base: u16,
    replicas: u16,
    sentinel_base: u16,
    disruption: Disruption,
    replica_wait: Option<u32>,
) -> i64 {
    let mut setup = PrivateSentinel::start(base, replicas, sentinel_base).await;
    let mut builder = RedisStore::builder(setup.url())
        .with_prefix(common::unique_prefix("sentinel-failover"))
        .with_timeout(Duration::from_millis(500));
    if let Some(replicas) = replica_wait {
        builder = builder.with_replica_wait(replicas, Duration::from_millis(200));
    }
    let store = Arc::new(builder.build().unwrap_or_else(|error| panic!("{error}")));
    let ids = sessions(&store, &setup, 20).await;
    let master = setup.first_master();
    let (disrupted_at, window) = load_through(
        store.clone(),
        &ids,
        &mut setup,
        master,
        async |setup| match disruption {
            Disruption::Asked => setup.fail_over().await,
            Disruption::Crash => setup.kill(master).await,
        },
    )
    .await;
    let lost = lost_increments(&store, &ids, &window).await;
    eprintln!(
        "{disruption:?} failover at {disrupted_at:?}, replica wait {replica_wait:?}: {} calls \
         failed, from {:?} to {:?} (window {:?}); acknowledged increments lost: {lost} of {}",
        window.failed_calls,
        window.first_failure,
        window.last_failure,
        window
            .last_failure
            .map(|last| last.saturating_sub(disrupted_at)),
        window.acknowledged.iter().sum::<i64>()
    );
    lost
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_follows_a_failover_asked_of_the_sentinels() {
    // Without a replica wait, writes acknowledged by the old master between the promotion and
    // the announcement are lost; the figure is printed and recorded in docs/decisions.md.
    fail_over_under_load(7400, 1, 27400, Disruption::Asked, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_every_replica_an_asked_failover_loses_no_acknowledged_write() {
    // The old master keeps taking writes after the promotion, and keeps the replicas that were
    // not promoted until Sentinel moves them: only a wait for every replica refuses those writes.
    let lost = fail_over_under_load(7404, 1, 27404, Disruption::Asked, Some(1)).await;
    assert_eq!(lost, 0, "acknowledged increments were lost");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_one_replica_a_crashed_master_loses_no_acknowledged_write() {
    // Sentinel promotes the replica furthest along, which holds every write one replica had.
    let lost = fail_over_under_load(7408, 2, 27408, Disruption::Crash, Some(1)).await;
    assert_eq!(lost, 0, "acknowledged increments were lost");
}
