//! No session locking by default: requests of one session never wait for each other's handlers,
//! and counters still lose nothing through `Session::increment`. Time is tokio's paused clock, so
//! "at the same time" is exact and takes no real time.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Browser, Outcome, World, count, counter, read_counter};
use tokio::time::Instant;

async fn logged_in(world: &World) -> String {
    let mut browser = Browser::new();
    browser.request(&world.manager, count).await;
    browser.cookie.unwrap()
}

/// A route of `manager` that loads the session, then waits `pause` without blocking (a slow
/// upstream), then counts. Returns when it finished.
async fn slow_count(
    manager: fastsession_core::adapter::SessionManager<fastsession_core::MemoryStore>,
    cookie: Arc<str>,
    pause: Duration,
) -> Instant {
    let headers: [(&str, &[u8]); 1] = [("cookie", cookie.as_bytes())];
    let request = manager.start(&headers[..]);
    let session = request.session().await.unwrap();
    tokio::time::sleep(pause).await;
    count(&session);
    assert_eq!(Outcome(request.finish(200).await).error_status(), None);
    Instant::now()
}

#[tokio::test(start_paused = true)]
async fn six_parallel_requests_of_one_session_take_the_time_of_one() {
    let world = World::new();
    let cookie: Arc<str> = logged_in(&world).await.into();
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..6 {
        tasks.spawn(slow_count(
            world.manager.clone(),
            cookie.clone(),
            Duration::from_millis(200),
        ));
    }
    while let Some(finished) = tasks.join_next().await {
        assert_eq!(
            finished.unwrap() - started,
            Duration::from_millis(200),
            "every request finishes at the virtual time of one"
        );
    }
    assert_eq!(
        read_counter(&world.manager, Some(&cookie)).await,
        7,
        "and no count is lost"
    );
}

#[tokio::test(start_paused = true)]
async fn with_serialization_opted_in_they_queue() {
    let world = World::with(|config| config.with_serialized_requests(true));
    let cookie: Arc<str> = logged_in(&world).await.into();
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..3 {
        tasks.spawn(slow_count(
            world.manager.clone(),
            cookie.clone(),
            Duration::from_millis(200),
        ));
    }
    let mut finished = Vec::new();
    while let Some(at) = tasks.join_next().await {
        finished.push(at.unwrap() - started);
    }
    finished.sort();
    let ms = Duration::from_millis;
    assert_eq!(
        finished,
        [ms(200), ms(400), ms(600)],
        "each waits for the one before"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_parallel_increments_of_one_session_count_a_hundred() {
    let world = World::new();
    let cookie: Arc<str> = logged_in(&world).await.into();
    let barrier = Arc::new(tokio::sync::Barrier::new(100));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let (manager, cookie, barrier) = (world.manager.clone(), cookie.clone(), barrier.clone());
        tasks.spawn(async move {
            let headers: [(&str, &[u8]); 1] = [("cookie", cookie.as_bytes())];
            let request = manager.start(&headers[..]);
            let session = request.session().await.unwrap();
            barrier.wait().await;
            count(&session);
            Outcome(request.finish(200).await).error_status()
        });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), None);
    }
    let mut seen = 0;
    common::send(
        &world.manager,
        Some(&cookie),
        Some(|session: &fastsession_core::Session| {
            seen = counter(session);
            200
        }),
    )
    .await;
    assert_eq!(seen, 101, "the login's count and a hundred more");
}
