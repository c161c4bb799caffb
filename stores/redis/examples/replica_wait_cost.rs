//! What [`with_replica_wait`](fastsession_redis::RedisStoreBuilder::with_replica_wait) costs:
//! the same writes with and without it, on one store, from 64 concurrent tasks for 5 s each
//! (after 1 s of warm-up), printed as writes per second and mean latency.
//!
//! ```text
//! cargo run --release -p fastsession-redis --example replica_wait_cost -- URL [REPLICAS]
//! ```
//!
//! `URL` is a store URL whose master has at least `REPLICAS` (default 1) replicas, such as the
//! Sentinel setup `scripts/test` starts:
//! `redis-sentinel://127.0.0.1:26400,127.0.0.1:26401,127.0.0.1:26402/fastsession`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fastsession_core::store::{Changes, SessionStore};
use fastsession_core::testing::SequentialIds;
use fastsession_core::testing::store_suite::{record, start};
use fastsession_redis::RedisStore;

const TASKS: u64 = 64;
const SESSIONS: u64 = 256;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or("usage: replica_wait_cost URL [REPLICAS]")?;
    let replicas: u32 = args.next().map_or(Ok(1), |n| n.parse())?;
    for wait in [None, Some(replicas)] {
        let mut builder = RedisStore::builder(&url).with_prefix(format!(
            "fastsession-wait-cost:{}:{wait:?}:",
            std::process::id()
        ));
        if let Some(replicas) = wait {
            builder = builder.with_replica_wait(replicas, Duration::from_millis(500));
        }
        let store = Arc::new(builder.build()?);
        for n in 0..SESSIONS {
            store
                .create(&SequentialIds::id(n + 1), &record(&[]), start())
                .await?;
        }
        let (writes, elapsed) = run(&store, Duration::from_secs(1)).await;
        let _ = (writes, elapsed);
        let (writes, elapsed) = run(&store, Duration::from_secs(5)).await;
        let per_second = writes as f64 / elapsed.as_secs_f64();
        println!(
            "replica wait {wait:?}: {per_second:.0} writes/s, mean latency {:.3} ms",
            TASKS as f64 * 1000.0 / per_second
        );
        store.admin().clear().await?;
    }
    Ok(())
}

/// Increments sessions from [`TASKS`] tasks for `length`; the writes that succeeded and the time.
async fn run(store: &Arc<RedisStore>, length: Duration) -> (u64, Duration) {
    let done = Arc::new(AtomicBool::new(false));
    let writes = Arc::new(AtomicU64::new(0));
    let began = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..TASKS {
        let (store, done, writes) = (store.clone(), done.clone(), writes.clone());
        tasks.spawn(async move {
            let mut n = task;
            let expiry = record(&[]).expiry;
            while !done.load(Ordering::Relaxed) {
                let mut changes = Changes::default();
                changes.increment("n", 1);
                let id = SequentialIds::id(n % SESSIONS + 1);
                if let Ok(true) = store.apply(&id, &changes, &expiry, start()).await {
                    writes.fetch_add(1, Ordering::Relaxed);
                }
                n += TASKS;
            }
        });
    }
    tokio::time::sleep(length).await;
    done.store(true, Ordering::Relaxed);
    while tasks.join_next().await.is_some() {}
    (writes.load(Ordering::Relaxed), began.elapsed())
}
