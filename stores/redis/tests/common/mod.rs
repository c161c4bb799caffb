//! What the Redis tests share: the server's URL, stores under prefixes no other test uses, and a
//! manager with request helpers for the race tests.

#![allow(
    dead_code,
    unreachable_pub,
    unused_imports,
    reason = "each test file uses a different part"
)]

pub mod cluster;
pub mod sentinel;
pub mod server;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use fastsession_core::testing::store_suite;
use fastsession_core::{Config, Key, adapter::SessionManager, adapter::Sessions};
use fastsession_redis::RedisStore;

/// `FASTSESSION_REDIS_URL`, default `redis://127.0.0.1:6379`.
pub fn url() -> String {
    std::env::var("FASTSESSION_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// `fastsession-NAME:PID:N:`, a prefix no other test or run uses.
pub fn unique_prefix(name: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "fastsession-{name}:{}:{}:",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

/// A store under `prefix`; fails loudly if Redis does not answer.
pub async fn store_at(prefix: &str) -> RedisStore {
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

/// Runs the store suite and its user index part on stores from `make`, then clears what each
/// left under its prefix.
pub async fn run_store_suite<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = RedisStore>,
{
    let stores = Arc::new(Mutex::new(Vec::new()));
    let kept = || {
        let stores = stores.clone();
        let store = make();
        async move {
            let store = store.await;
            stores.lock().unwrap().push(store.clone());
            store
        }
    };
    store_suite::run_all(kept).await;
    store_suite::users::run_all(kept).await;
    let stores = stores.lock().unwrap().clone();
    for store in stores {
        store.admin().clear().await.unwrap();
    }
}

/// A store under a prefix of its own.
pub async fn store(name: &str) -> RedisStore {
    store_at(&unique_prefix(name)).await
}

/// A manager on a store of its own: a fixed key, plain HTTP, then `adjust`.
pub async fn manager(
    name: &str,
    adjust: impl FnOnce(Config) -> Config,
) -> SessionManager<RedisStore> {
    manager_on(store(name).await, adjust)
}

/// A manager on `store`: a fixed key, plain HTTP, then `adjust`.
pub fn manager_on(
    store: RedisStore,
    adjust: impl FnOnce(Config) -> Config,
) -> SessionManager<RedisStore> {
    let config = Config::new(Key::try_from(&[9u8; 32][..]).expect("a key")).with_secure(false);
    SessionManager::new(Sessions::new(adjust(config)).expect("a config"), store)
}

pub use fastsession_core::testing::races::{logged_in, pair, request, staged_race};
