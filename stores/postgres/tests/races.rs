//! Races against a real PostgreSQL, made deterministic by ordering the steps by hand or
//! releasing them together with a barrier: a request that loaded a session, then a concurrent
//! logout or rotation, then the first request's write; 50 writers of different keys; concurrent
//! creations with an ID generator that repeats; rotations racing a logout.

mod common;

use fastsession_core::testing::SequentialIds;
use fastsession_core::testing::races::{self, logged_in, request};
use fastsession_core::{Config, Session, adapter::SessionManager};
use fastsession_postgres::PostgresStore;

async fn manager() -> SessionManager<PostgresStore> {
    // Serialization off, so the race reaches the store: the store alone must prevent revival.
    manager_with(|config| {
        config
            .with_serialized_requests(false)
            .with_id_generator(SequentialIds::new())
    })
    .await
}

async fn manager_with(adjust: impl FnOnce(Config) -> Config) -> SessionManager<PostgresStore> {
    common::manager("races", adjust).await
}

/// A manager on a store of its own, then [`races::write_after`] on it: a request that loaded a
/// logged-in session writes after `interloper` ran.
async fn race(interloper: impl FnOnce(&Session)) -> (SessionManager<PostgresStore>, String) {
    let manager = manager().await;
    let cookie = races::write_after(&manager, interloper).await;
    (manager, cookie)
}

#[tokio::test]
async fn a_write_after_a_concurrent_logout_does_not_revive() {
    let (manager, _) = race(|session| session.destroy().expect("destroy")).await;
    assert_eq!(
        manager.store().row_count().await.unwrap(),
        0,
        "no row under the old ID or a new one"
    );
}

#[tokio::test]
async fn a_write_after_a_concurrent_rotation_does_not_revive() {
    let (manager, old_cookie) = race(|session| session.cycle_id().expect("cycle")).await;
    assert_eq!(
        manager.store().row_count().await.unwrap(),
        2,
        "the rotated session, and the old one's pointer to it"
    );
    assert_eq!(manager.store().session_count().await.unwrap(), 1);
    let mut seen = Vec::new();
    request(&manager, Some(&old_cookie), |session| seen = session.keys()).await;
    assert!(seen.is_empty(), "the old ID is dead");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_writers_of_different_keys_lose_nothing() {
    for serialize in [true, false] {
        let manager = manager_with(|config| config.with_serialized_requests(serialize)).await;
        races::fifty_writers_of_different_keys(&manager).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creations_with_a_repeating_id_generator_never_share_a_session() {
    let ids = SequentialIds::scripted([7, 7, 7, 8]);
    let manager = manager_with(|config| config.with_id_generator(ids)).await;
    races::concurrent_creations_with_repeating_ids(&manager).await;
    assert_eq!(manager.store().row_count().await.unwrap(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotations_racing_a_logout_leave_no_live_session() {
    for round in 0..10 {
        let manager = manager_with(|config| config.with_serialized_requests(false)).await;
        let cookie = logged_in(&manager).await;
        let issued = races::concurrent_rotations(&manager, &cookie, 3, true).await;
        for cookie in issued.iter().chain([&cookie]) {
            let mut seen = Vec::new();
            request(&manager, Some(cookie), |session| seen = session.keys()).await;
            assert!(
                seen.is_empty(),
                "round {round}: a session outlived the logout"
            );
        }
    }
}

#[tokio::test]
async fn logging_out_everywhere_ends_every_device_even_one_rotating() {
    races::logging_out_everywhere_ends_every_device(&manager().await).await;
}
