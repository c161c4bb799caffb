//! The heap allocations of one counter request through the sans-IO core, counted by dhat's
//! allocator (a count is exact, not a timing): an existing session's cookie is read, the session
//! loaded from the memory store, incremented, and the write committed.
//!
//! The count is held at the figure reached; lowering it is welcome (update the figure), raising
//! it needs a reason. BENCHMARKS.md has the budget this serves.

use fastsession_core::testing::SequentialIds;
use fastsession_core::testing::store_suite::start as now;
use fastsession_core::{
    Config, Key, MemoryStore, adapter::SessionManager, adapter::Sessions, adapter::SetCookie,
};

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

/// Heap blocks allocated by one counter request on the sans-IO path today.
const COUNTER_REQUEST_ALLOCATIONS: u64 = 3;

/// The same request through `SessionManager`, as the adapters run it.
const MANAGED_COUNTER_REQUEST_ALLOCATIONS: u64 = 6;

fn sessions() -> Sessions {
    let key = Key::try_from(&[7u8; 32][..]).unwrap();
    let config = Config::new(key)
        .with_secure(false)
        .with_id_generator(SequentialIds::new());
    Sessions::new(config).unwrap()
}

/// The `name=value` pair of a `Set-Cookie`, as a browser sends it back.
fn pair(set_cookie: Option<&SetCookie>) -> Option<String> {
    set_cookie.map(|cookie| cookie.as_str().split(';').next().unwrap().to_owned())
}

/// One counter request on the sans-IO path: its count and the cookie it set.
async fn counter(
    sessions: &Sessions,
    store: &MemoryStore,
    cookie: Option<&str>,
) -> (i64, Option<String>) {
    let handle = match cookie {
        Some(cookie) => sessions.begin(&[("cookie", cookie.as_bytes())]),
        None => sessions.begin(&[]),
    };
    let session = handle.load(store, now()).await.unwrap().unwrap();
    let n = session.increment("test_counter", 1).unwrap();
    drop(session);
    let committed = sessions
        .finish(handle, 200, now())
        .commit(store, now())
        .await
        .unwrap();
    (n, pair(committed.set_cookie()))
}

/// One counter request through `SessionManager`: its count and the cookie it set.
async fn managed_counter(
    manager: &SessionManager<MemoryStore>,
    cookie: Option<&str>,
) -> (i64, Option<String>) {
    // On the stack, so that only the request's own allocations are counted.
    let cookie_header: [(&str, &[u8]); 1] = [("cookie", cookie.unwrap_or_default().as_bytes())];
    let headers = &cookie_header[..usize::from(cookie.is_some())];
    let request = manager.start(headers);
    let n = request
        .session()
        .await
        .unwrap()
        .increment("test_counter", 1)
        .unwrap();
    let committed = request.finish(200).await.unwrap();
    (n, pair(committed.set_cookie()))
}

/// The same request of a session bound to a user: one block more, the user's name as the
/// loaded record holds it; finishing the request allocates nothing for the user.
const BOUND_COUNTER_REQUEST_ALLOCATIONS: u64 = MANAGED_COUNTER_REQUEST_ALLOCATIONS + 1;

/// [`managed_counter`] for a session bound to `ada` (binding it on the first request).
async fn bound_counter(
    manager: &SessionManager<MemoryStore>,
    cookie: Option<&str>,
) -> (i64, Option<String>) {
    let cookie_header: [(&str, &[u8]); 1] = [("cookie", cookie.unwrap_or_default().as_bytes())];
    let headers = &cookie_header[..usize::from(cookie.is_some())];
    let request = manager.start(headers);
    let session = request.session().await.unwrap();
    session.set_user("ada").unwrap();
    let n = session.increment("test_counter", 1).unwrap();
    drop(session);
    let committed = request.finish(200).await.unwrap();
    (n, pair(committed.set_cookie()))
}

/// Heap blocks of the third request of one browser: the first creates the session, the second
/// warms up the store (its shard tables, the first growth of its vectors).
async fn blocks_of_a_continuation<F, Fut>(request: F) -> u64
where
    F: Fn(Option<String>) -> Fut,
    Fut: Future<Output = (i64, Option<String>)>,
{
    let (_, cookie) = request(None).await;
    let cookie = cookie.expect("a new session's cookie");
    assert_eq!(
        request(Some(cookie.clone())).await,
        (2, None),
        "a continuation sets no cookie"
    );
    let before = dhat::HeapStats::get().total_blocks;
    assert_eq!(request(Some(cookie)).await, (3, None));
    dhat::HeapStats::get().total_blocks - before
}

/// One test, so that one dhat profiler runs at a time whatever the test harness.
#[tokio::test]
async fn counter_requests_allocate_a_fixed_number_of_blocks() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let (engine, store) = (sessions(), MemoryStore::new());
    let sans_io = blocks_of_a_continuation(|cookie| {
        let (engine, store) = (&engine, &store);
        async move { counter(engine, store, cookie.as_deref()).await }
    })
    .await;
    assert_eq!(
        sans_io, COUNTER_REQUEST_ALLOCATIONS,
        "heap blocks of one counter request"
    );

    let manager = SessionManager::new(sessions(), MemoryStore::new());
    let managed = blocks_of_a_continuation(|cookie| {
        let manager = &manager;
        async move { managed_counter(manager, cookie.as_deref()).await }
    })
    .await;
    assert_eq!(
        managed, MANAGED_COUNTER_REQUEST_ALLOCATIONS,
        "heap blocks through the manager"
    );

    let manager = SessionManager::new(sessions(), MemoryStore::new());
    let bound = blocks_of_a_continuation(|cookie| {
        let manager = &manager;
        async move { bound_counter(manager, cookie.as_deref()).await }
    })
    .await;
    assert_eq!(
        bound, BOUND_COUNTER_REQUEST_ALLOCATIONS,
        "heap blocks of a bound session's counter request"
    );
}
