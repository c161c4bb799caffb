//! Races against a real Redis, made deterministic by ordering the steps by hand: a request that
//! loaded a session, then a concurrent logout or rotation, then the first request's write.

use std::sync::atomic::{AtomicU32, Ordering};

use fastsession_core::testing::SequentialIds;
use fastsession_core::{Config, Key, Session, SessionManager, Sessions};
use fastsession_redis::RedisStore;

async fn manager() -> SessionManager<RedisStore> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let url = std::env::var("FASTSESSION_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let prefix = format!(
        "fastsession-races:{}:{}:",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let store = RedisStore::builder(&url)
        .with_prefix(prefix)
        .build()
        .expect("a valid URL");
    store
        .ping()
        .await
        .unwrap_or_else(|error| panic!("Redis does not answer at {url}: {error}"));
    // Serialization off, so the race reaches the store: the store alone must prevent resurrection.
    let config = Config::new(Key::try_from(&[9u8; 32][..]).expect("a key").into())
        .with_secure(false)
        .with_serialized_requests(false)
        .with_id_generator(SequentialIds::new());
    SessionManager::new(Sessions::new(config).expect("a config"), store)
}

async fn request(
    manager: &SessionManager<RedisStore>,
    cookie: Option<&str>,
    handler: impl FnOnce(&Session),
) -> Option<String> {
    let headers: Vec<(&str, &[u8])> = cookie
        .map(|cookie| ("cookie", cookie.as_bytes()))
        .into_iter()
        .collect();
    let request = manager.start(headers.as_slice());
    handler(&request.session().await.expect("the session loads"));
    let outcome = request.finish(200).await;
    assert_eq!(outcome.error_status(), None);
    outcome.set_cookie().map(|cookie| {
        cookie
            .as_str()
            .split(';')
            .next()
            .unwrap_or_default()
            .to_owned()
    })
}

async fn race(interloper: impl FnOnce(&Session)) -> (SessionManager<RedisStore>, Option<String>) {
    let manager = manager().await;
    let cookie = request(&manager, None, |session| {
        session.insert("user", "ada").expect("insert")
    })
    .await
    .expect("a cookie");
    let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie.as_bytes())];
    let slow = manager.start(headers.as_slice());
    let session = slow.session().await.expect("loaded before the interloper");
    request(&manager, Some(&cookie), interloper).await;
    session.insert("cart", &5).expect("insert");
    let outcome = slow.finish(200).await;
    assert_eq!(outcome.error_status(), None);
    assert!(
        outcome.set_cookie().is_none(),
        "the late request sends no cookie"
    );
    (manager, Some(cookie))
}

#[tokio::test]
async fn a_write_after_a_concurrent_logout_does_not_resurrect() {
    let (manager, _) = race(|session| session.destroy().expect("destroy")).await;
    assert!(
        manager.store().keys().await.expect("a scan").is_empty(),
        "nothing under the old ID or a new one"
    );
}

#[tokio::test]
async fn a_write_after_a_concurrent_rotation_does_not_resurrect() {
    let (manager, old_cookie) = race(|session| session.cycle_id().expect("cycle")).await;
    let keys = manager.store().keys().await.expect("a scan");
    assert_eq!(keys.len(), 1, "only the rotated session: {keys:?}");
    let mut seen = Vec::new();
    request(&manager, old_cookie.as_deref(), |session| {
        seen = session.keys()
    })
    .await;
    assert!(seen.is_empty(), "the old ID is dead");
    manager.store().clear().await.expect("cleanup");
}
