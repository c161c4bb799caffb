//! The heap allocations of one counter request through the sans-IO core, counted by dhat's
//! allocator (a count is exact, not a timing): an existing session's cookie is read, the session
//! loaded from the memory store, incremented, and the write committed.
//!
//! The count is held at the figure reached; lowering it is welcome (update the figure), raising
//! it needs a reason. BENCHMARKS.md has the budget this serves.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fastsession_core::testing::SequentialIds;
use fastsession_core::{Config, Key, MemoryStore, SessionManager, Sessions};

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

/// Heap blocks allocated by one counter request on the sans-IO path today.
const COUNTER_REQUEST_ALLOCATIONS: u64 = 3;

/// The same request through `SessionManager`, as the adapters run it.
const MANAGED_COUNTER_REQUEST_ALLOCATIONS: u64 = 6;

fn sessions() -> Sessions {
    let key = Key::try_from(&[7u8; 32][..]).unwrap();
    let config = Config::new(key.into())
        .with_secure(false)
        .with_id_generator(SequentialIds::new());
    Sessions::new(config).unwrap()
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

/// One test, so that one dhat profiler runs at a time whatever the test harness.
#[tokio::test]
async fn counter_requests_allocate_a_fixed_number_of_blocks() {
    let _profiler = dhat::Profiler::builder().testing().build();
    sans_io_counter_request().await;
    managed_counter_request().await;
}

async fn sans_io_counter_request() {
    let sessions = sessions();
    let store = MemoryStore::new();

    // A first request creates the session.
    let handle = sessions.begin([], now());
    let session = handle.load(&store, now()).await.unwrap().unwrap();
    session.increment("test_counter", 1).unwrap();
    drop(session);
    let committed = sessions
        .finish(handle, 200, now())
        .commit(&store, now())
        .await
        .unwrap();
    let cookie = committed
        .set_cookie()
        .unwrap()
        .as_str()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    drop(committed);

    let counter_request = || async {
        let handle = sessions.begin([cookie.as_bytes()], now());
        let session = handle.load(&store, now()).await.unwrap().unwrap();
        let n = session.increment("test_counter", 1).unwrap();
        drop(session);
        let committed = sessions
            .finish(handle, 200, now())
            .commit(&store, now())
            .await
            .unwrap();
        assert!(
            committed.set_cookie().is_none(),
            "a continuation sets no cookie"
        );
        n
    };
    // Warm up: the store's shard tables and the first growth of its vectors.
    assert_eq!(counter_request().await, 2);
    let before = dhat::HeapStats::get().total_blocks;
    assert_eq!(counter_request().await, 3);
    let made = dhat::HeapStats::get().total_blocks - before;
    assert_eq!(
        made, COUNTER_REQUEST_ALLOCATIONS,
        "heap blocks of one counter request"
    );
}

async fn managed_counter_request() {
    let manager = SessionManager::new(sessions(), MemoryStore::new());
    let no_cookie: [(&str, &[u8]); 0] = [];
    let request = manager.start(&no_cookie[..]);
    request
        .session()
        .await
        .unwrap()
        .increment("test_counter", 1)
        .unwrap();
    let outcome = request.finish(200).await;
    let cookie = outcome
        .set_cookie()
        .unwrap()
        .as_str()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    drop(outcome);

    let counter_request = || async {
        let headers: [(&str, &[u8]); 1] = [("cookie", cookie.as_bytes())];
        let request = manager.start(&headers[..]);
        let n = request
            .session()
            .await
            .unwrap()
            .increment("test_counter", 1)
            .unwrap();
        let outcome = request.finish(200).await;
        assert!(
            outcome.set_cookie().is_none(),
            "a continuation sets no cookie"
        );
        n
    };
    assert_eq!(counter_request().await, 2);
    let before = dhat::HeapStats::get().total_blocks;
    assert_eq!(counter_request().await, 3);
    let made = dhat::HeapStats::get().total_blocks - before;
    assert_eq!(
        made, MANAGED_COUNTER_REQUEST_ALLOCATIONS,
        "heap blocks through the manager"
    );
}
