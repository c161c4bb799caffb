//! Races made deterministic with barriers: no resurrection, no lost updates, no shared IDs.

mod common;

use std::sync::Arc;

use common::{Browser, Outcome, World, count, counter, log_out, send};
use fastsession_core::testing::SequentialIds;
use fastsession_core::{Cause, Session, store::SessionStore, time::Clock};
use tokio::sync::Barrier;

async fn logged_in(world: &World) -> String {
    let mut browser = Browser::new();
    browser
        .request(&world.manager, |session| {
            session.insert("user", "ada").unwrap();
            200
        })
        .await;
    browser.cookie.unwrap()
}

/// Request A loads the session; `interloper` runs to completion; then A writes and finishes.
async fn race(
    world: &World,
    cookie: &str,
    interloper: impl FnOnce(&Session) -> u16,
) -> Option<String> {
    let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie.as_bytes())];
    let slow = world.manager.start(headers.as_slice());
    let session = slow.session().await.unwrap();
    assert_eq!(session.cause(), Cause::Success);
    send(&world.manager, Some(cookie), Some(interloper)).await;
    session.insert("cart", &5).unwrap();
    let outcome = Outcome(slow.finish(200).await);
    assert_eq!(outcome.error_status(), None);
    outcome
        .set_cookie()
        .map(|cookie| cookie.as_str().to_owned())
}

#[tokio::test]
async fn a_write_after_a_concurrent_logout_does_not_resurrect() {
    let world = World::with(|config| config.with_serialized_requests(false));
    let cookie = logged_in(&world).await;
    let late_cookie = race(&world, &cookie, log_out).await;
    assert_eq!(late_cookie, None, "the late request sends no cookie");
    assert!(
        world.store.is_empty(),
        "no record under the old ID or any new one"
    );
}

#[tokio::test]
async fn a_write_after_a_concurrent_rotation_does_not_resurrect() {
    let world = World::with(|config| config.with_serialized_requests(false));
    let cookie = logged_in(&world).await;
    let late_cookie = race(&world, &cookie, |session| {
        session.cycle_id().unwrap();
        200
    })
    .await;
    assert_eq!(late_cookie, None);
    assert_eq!(world.store.len(), 1, "only the rotated session exists");
    let old = SequentialIds::id(1);
    assert!(
        world
            .store
            .load(&old, world.clock.now())
            .await
            .unwrap()
            .is_none()
    );
    let rotated = world
        .store
        .load(&SequentialIds::id(2), world.clock.now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        rotated.data.get("cart"),
        None,
        "the late write did not reach the new session"
    );
}

#[tokio::test]
async fn serialized_requests_wait_for_each_other() {
    let world = World::with(|config| config.with_serialized_requests(true));
    let cookie = logged_in(&world).await;
    let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie.as_bytes())];
    let first = world.manager.start(headers.as_slice());
    let session = first.session().await.unwrap();

    let manager = world.manager.clone();
    let cookie_for_second = cookie.clone();
    let second = tokio::spawn(async move {
        let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie_for_second.as_bytes())];
        let request = manager.start(headers.as_slice());
        let session = request.session().await.unwrap();
        let seen: Option<u32> = session.get("cart").unwrap();
        let _ = request.finish(200).await;
        seen
    });
    tokio::task::yield_now().await;
    assert!(
        !second.is_finished(),
        "the second request waits while the first holds the session"
    );
    session.insert("cart", &7).unwrap();
    let _ = first.finish(200).await;
    assert_eq!(
        second.await.unwrap(),
        Some(7),
        "the second request sees the first one's write"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_writers_of_different_keys_lose_nothing() {
    for serialize in [true, false] {
        let world = World::with(|config| config.with_serialized_requests(serialize));
        let cookie = Arc::new(logged_in(&world).await);
        let barrier = Arc::new(Barrier::new(50));
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..50 {
            let (manager, cookie, barrier) =
                (world.manager.clone(), cookie.clone(), barrier.clone());
            tasks.spawn(async move {
                let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie.as_bytes())];
                let request = manager.start(headers.as_slice());
                barrier.wait().await;
                let session = request.session().await.unwrap();
                session.insert(&format!("key{n}"), &n).unwrap();
                Outcome(request.finish(200).await).error_status()
            });
        }
        while let Some(result) = tasks.join_next().await {
            assert_eq!(result.unwrap(), None);
        }
        let mut keys = Vec::new();
        send(
            &world.manager,
            Some(&cookie),
            Some(|session: &Session| {
                keys = session.keys();
                200
            }),
        )
        .await;
        assert_eq!(keys.len(), 51, "serialize={serialize}: user plus 50 keys");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serialized_read_yield_write_loses_no_increment() {
    let world = World::with(|config| config.with_serialized_requests(true));
    let mut browser = Browser::new();
    browser.request(&world.manager, count).await;
    let cookie = Arc::new(browser.cookie.clone().unwrap());
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (manager, cookie) = (world.manager.clone(), cookie.clone());
        tasks.spawn(async move {
            let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie.as_bytes())];
            let request = manager.start(headers.as_slice());
            let session = request.session().await.unwrap();
            let n = counter(&session);
            tokio::task::yield_now().await;
            session.insert("test_counter", &(n + 1)).unwrap();
            Outcome(request.finish(200).await).error_status()
        });
    }
    while let Some(result) = tasks.join_next().await {
        assert_eq!(result.unwrap(), None);
    }
    let n = browser.read_counter(&world.manager).await;
    assert_eq!(n, 21);
}

#[tokio::test]
async fn a_repeating_id_generator_never_shares_a_session() {
    let world = World::new();
    let ids = SequentialIds::scripted([7, 7, 7, 8]);
    let manager = world.sibling(|config| config.with_id_generator(ids.clone()));
    let mut first = Browser::new();
    first
        .request(&manager, |session| {
            session.insert("owner", "first").unwrap();
            200
        })
        .await;
    let mut second = Browser::new();
    second
        .request(&manager, |session| {
            session.insert("owner", "second").unwrap();
            200
        })
        .await;
    assert_ne!(first.cookie, second.cookie);
    let mut owners = Vec::new();
    for browser in [&mut first, &mut second] {
        browser
            .request(&manager, |session| {
                owners.push(session.get::<String>("owner").unwrap().unwrap());
                200
            })
            .await;
    }
    assert_eq!(owners, ["first", "second"]);
}

#[tokio::test]
async fn too_many_collisions_fail_the_request_without_a_cookie() {
    let world = World::new();
    let ids = SequentialIds::scripted([7, 7, 7, 7, 9]);
    let manager = world.sibling(|config| config.with_id_generator(ids));
    Browser::new()
        .request(&manager, |session| {
            session.insert("owner", "first").unwrap();
            200
        })
        .await;
    let response = Browser::new()
        .request(&manager, |session| {
            session.insert("owner", "second").unwrap();
            200
        })
        .await;
    assert_eq!(response.status, 500);
    assert!(response.set_cookie().is_none());
    let original = world
        .store
        .load(&SequentialIds::id(7), world.clock.now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        original.data.get("owner").unwrap(),
        "first",
        "the original record is untouched"
    );
}

#[tokio::test]
async fn a_failing_random_source_fails_the_request() {
    let world = World::new();
    world.ids.fail();
    let response = Browser::new().request(&world.manager, count).await;
    assert_eq!(response.status, 500);
    assert!(response.set_cookie().is_none());
    assert!(world.store.is_empty());
}
