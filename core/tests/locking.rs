//! With request serialization on (opt-in), waiting for a session is bounded by the store timeout, and a
//! waiter that gives up or is cancelled leaves nothing behind in the lock table. Time is tokio's
//! paused clock: the waits below take no real time.

mod common;

use std::time::Duration;

use common::{Browser, Outcome, World, count};
use fastsession_core::adapter::ExtractError;

async fn logged_in(world: &World) -> String {
    let mut browser = Browser::new();
    browser.request(&world.manager, count).await;
    browser.cookie.unwrap()
}

/// Far longer than the store timeout: a test that reaches it has hung.
const HANG: Duration = Duration::from_secs(600);

#[tokio::test(start_paused = true)]
async fn a_request_of_a_held_session_answers_503_after_the_store_timeout() {
    let world = World::with(|config| {
        config
            .with_serialized_requests(true)
            .with_store_timeout(Duration::from_secs(2))
    });
    let cookie = logged_in(&world).await;
    let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie.as_bytes())];
    let holder = world.manager.start(headers.as_slice());
    let _session = holder.session().await.unwrap();
    assert_eq!(world.manager.locked_sessions(), 1);

    // A handler that calls its own server with the user's cookie: the inner request waits on
    // the outer one, which waits on it.
    let started = tokio::time::Instant::now();
    let inner = world.manager.start(headers.as_slice());
    let error = tokio::time::timeout(HANG, inner.session())
        .await
        .expect("the inner request must not hang")
        .unwrap_err();
    assert!(matches!(error, ExtractError::Unavailable(_)), "{error}");
    assert_eq!(error.status(), 503);
    assert_eq!(
        started.elapsed(),
        Duration::from_secs(2),
        "after exactly the store timeout"
    );
    let outcome = Outcome(inner.finish(200).await);
    assert!(
        outcome.set_cookie().is_none(),
        "the waiter writes nothing and sends no cookie"
    );
    assert_eq!(
        world.manager.locked_sessions(),
        1,
        "only the holder's entry is left"
    );

    let _ = holder.finish(200).await;
    assert_eq!(world.manager.locked_sessions(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_waiter_leaves_no_entry_behind() {
    let world = World::with(|config| config.with_serialized_requests(true));
    let cookie = logged_in(&world).await;
    let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie.as_bytes())];
    let holder = world.manager.start(headers.as_slice());
    let _session = holder.session().await.unwrap();
    for _ in 0..100 {
        let manager = world.manager.clone();
        let cookie = cookie.clone();
        let waiter = tokio::spawn(async move {
            let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie.as_bytes())];
            let request = manager.start(headers.as_slice());
            let _ = request.session().await;
        });
        tokio::task::yield_now().await;
        waiter.abort();
        assert!(waiter.await.unwrap_err().is_cancelled());
    }
    assert_eq!(
        world.manager.locked_sessions(),
        1,
        "only the holder's entry"
    );
    let _ = holder.finish(200).await;
    assert_eq!(world.manager.locked_sessions(), 0, "and then none");
}
