//! Races against a real Redis, made deterministic by ordering the steps by hand or releasing
//! them together with a barrier: a request that loaded a session, then a concurrent logout or
//! rotation, then the first request's write; 50 writers of different keys; concurrent creations
//! with an ID generator that repeats.

mod common;

use common::request;
use fastsession_core::testing::{SequentialIds, races};
use fastsession_core::{Config, Session, adapter::SessionManager};
use fastsession_redis::RedisStore;

async fn manager() -> SessionManager<RedisStore> {
    // Serialization off, so the race reaches the store: the store alone must prevent resurrection.
    manager_with(|config| {
        config
            .with_serialized_requests(false)
            .with_id_generator(SequentialIds::new())
    })
    .await
}

async fn manager_with(adjust: impl FnOnce(Config) -> Config) -> SessionManager<RedisStore> {
    common::manager("races", adjust).await
}

/// A manager on a store of its own, then [`races::write_after`] on it: a request that loaded a
/// logged-in session writes after `interloper` ran.
async fn race(interloper: impl FnOnce(&Session)) -> (SessionManager<RedisStore>, String) {
    let manager = manager().await;
    let cookie = races::write_after(&manager, interloper).await;
    (manager, cookie)
}

#[tokio::test]
async fn a_write_after_a_concurrent_logout_does_not_resurrect() {
    let (manager, _) = race(|session| session.destroy().expect("destroy")).await;
    assert!(
        manager
            .store()
            .admin()
            .keys()
            .await
            .expect("a scan")
            .is_empty(),
        "nothing under the old ID or a new one"
    );
}

#[tokio::test]
async fn a_write_after_a_concurrent_rotation_does_not_resurrect() {
    let (manager, old_cookie) = race(|session| session.cycle_id().expect("cycle")).await;
    let keys = manager.store().admin().keys().await.expect("a scan");
    assert_eq!(
        keys.len(),
        2,
        "the rotated session, and the old one's pointer to it: {keys:?}"
    );
    let mut seen = Vec::new();
    request(&manager, Some(&old_cookie), |session| seen = session.keys()).await;
    assert!(seen.is_empty(), "the old ID is dead");
    manager.store().admin().clear().await.expect("cleanup");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_writers_of_different_keys_lose_nothing() {
    for serialize in [true, false] {
        let manager = manager_with(|config| config.with_serialized_requests(serialize)).await;
        races::fifty_writers_of_different_keys(&manager).await;
        manager.store().admin().clear().await.expect("cleanup");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creations_with_a_repeating_id_generator_never_share_a_session() {
    let ids = SequentialIds::scripted([7, 7, 7, 8]);
    let manager = manager_with(|config| config.with_id_generator(ids)).await;
    races::concurrent_creations_with_repeating_ids(&manager).await;
    assert_eq!(
        manager.store().admin().keys().await.expect("a scan").len(),
        2
    );
    manager.store().admin().clear().await.expect("cleanup");
}

#[tokio::test]
async fn logging_out_everywhere_ends_every_device_even_one_rotating() {
    races::logging_out_everywhere_ends_every_device(&manager().await).await;
}
