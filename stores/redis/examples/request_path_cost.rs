//! The store's share of a counter request: `load` then `apply` of one session, N times in a row
//! on one connection (after 200 for warm-up), on a single-threaded runtime, so that the client's
//! connection task (which writes the commands and parses the replies) runs on the same thread.
//!
//! ```text
//! cargo build --release -p fastsession-redis --example request_path_cost
//! for n in 0 2000; do
//!   valgrind --tool=callgrind --callgrind-out-file=cg.$n \
//!     target/release/examples/request_path_cost redis://127.0.0.1:6379/9 $n
//! done
//! ```
//!
//! The difference of the two totals, divided by 2,000, is one request's `load` and `apply`, with
//! everything they cause in the process.

use std::time::Duration;

use fastsession_core::store::{Changes, SessionStore};
use fastsession_core::testing::SequentialIds;
use fastsession_core::testing::store_suite::{record, start};
use fastsession_redis::RedisStore;
use serde_json::json;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "redis://127.0.0.1:6379/9".to_owned());
    let requests: u64 = args.next().map_or(Ok(2_000), |n| n.parse())?;
    let store = RedisStore::builder(url)
        .with_prefix(format!("fastsession-path-cost:{}:", std::process::id()))
        .with_timeout(Duration::from_secs(2))
        .build()?;
    let id = SequentialIds::id(1);
    store
        .create(&id, &record(&[("counter", json!(0))]), start())
        .await?;
    measured_requests(&store, &id, 200).await?;
    measured_requests(&store, &id, requests).await?;
    store.admin().clear().await?;
    Ok(())
}

/// `requests` counter requests' store calls: a load, then an increment.
async fn measured_requests(
    store: &RedisStore,
    id: &fastsession_core::id::SessionId,
    requests: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    let expiry = record(&[]).expiry;
    for _ in 0..requests {
        let loaded = store.load(id, start()).await?;
        assert!(loaded.is_some());
        let mut changes = Changes::default();
        changes.increment("counter", 1);
        store.apply(id, &changes, &expiry, start()).await?;
    }
    Ok(())
}
