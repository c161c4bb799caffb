//! A store that fails on demand: the documented statuses, no cookie for unsaved state, recovery.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use common::{Browser, World, count, counter};
use fastsession_core::{
    Changes, ERROR_BODY, Expiry, ExtractError, MemoryStore, Record, SessionId, SessionManager,
    SessionStore, Sessions, StoreError,
};

#[derive(Clone, Debug, Default)]
struct Faults {
    load: Arc<AtomicBool>,
    create: Arc<AtomicBool>,
    apply: Arc<AtomicBool>,
    touch: Arc<AtomicBool>,
    delete: Arc<AtomicBool>,
}

#[derive(Clone, Debug)]
struct FaultyStore {
    inner: MemoryStore,
    faults: Faults,
}

fn check(flag: &AtomicBool) -> Result<(), StoreError> {
    if flag.load(Ordering::SeqCst) {
        Err(StoreError::unavailable("injected fault"))
    } else {
        Ok(())
    }
}

impl SessionStore for FaultyStore {
    async fn create(
        &self,
        id: &SessionId,
        record: &Record,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        check(&self.faults.create)?;
        self.inner.create(id, record, now).await
    }
    async fn load(&self, id: &SessionId, now: SystemTime) -> Result<Option<Record>, StoreError> {
        check(&self.faults.load)?;
        self.inner.load(id, now).await
    }
    async fn apply(
        &self,
        id: &SessionId,
        changes: &Changes,
        expiry: &Expiry,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        check(&self.faults.apply)?;
        self.inner.apply(id, changes, expiry, now).await
    }
    async fn touch(
        &self,
        id: &SessionId,
        expiry: &Expiry,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        check(&self.faults.touch)?;
        self.inner.touch(id, expiry, now).await
    }
    async fn delete(&self, id: &SessionId, now: SystemTime) -> Result<(), StoreError> {
        check(&self.faults.delete)?;
        self.inner.delete(id, now).await
    }
}

fn faulty(world: &World) -> (SessionManager<FaultyStore>, Faults) {
    let faults = Faults::default();
    let store = FaultyStore {
        inner: world.store.clone(),
        faults: faults.clone(),
    };
    let sessions: Sessions = world.manager.sessions().clone();
    (SessionManager::new(sessions, store), faults)
}

#[tokio::test]
async fn a_failed_load_answers_503_without_a_cookie_and_recovers() {
    let world = World::new();
    let (manager, faults) = faulty(&world);
    let mut browser = Browser::new();
    browser.request(&manager, count).await;
    let cookie = browser.cookie.clone();

    faults.load.store(true, Ordering::SeqCst);
    let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie.as_deref().unwrap().as_bytes())];
    let request = manager.start(headers.as_slice());
    let error = request.session().await.unwrap_err();
    assert!(matches!(error, ExtractError::Unavailable(_)));
    assert_eq!(error.status(), 503);
    assert!(
        !error.to_string().contains("injected"),
        "the message is generic"
    );
    let outcome = request.finish(503).await;
    assert!(outcome.set_cookie().is_none());

    // A route that never extracts the session is unaffected.
    let response = browser.visit(&manager).await;
    assert_eq!(response.status, 200);

    faults.load.store(false, Ordering::SeqCst);
    let mut n = 0;
    browser
        .request(&manager, |session| {
            n = counter(session);
            200
        })
        .await;
    assert_eq!(n, 1, "the session survived the outage");
    assert_eq!(browser.cookie, cookie);
}

#[tokio::test]
async fn a_failed_save_answers_500_without_a_cookie() {
    let world = World::new();
    let (manager, faults) = faulty(&world);

    faults.create.store(true, Ordering::SeqCst);
    let response = Browser::new().request(&manager, count).await;
    assert_eq!(response.status, 500);
    assert!(response.set_cookie().is_none());
    assert!(
        response.outcome.headers().next().is_none(),
        "no session headers at all"
    );
    faults.create.store(false, Ordering::SeqCst);

    let mut browser = Browser::new();
    browser.request(&manager, count).await;
    faults.apply.store(true, Ordering::SeqCst);
    let response = browser.request(&manager, count).await;
    assert_eq!(response.status, 500);
    assert!(response.set_cookie().is_none());
    faults.apply.store(false, Ordering::SeqCst);
    let mut n = 0;
    browser
        .request(&manager, |session| {
            n = counter(session);
            200
        })
        .await;
    assert_eq!(n, 1, "the failed write left the old state");
    assert!(!ERROR_BODY.is_empty());
}

#[tokio::test]
async fn a_failed_logout_still_removes_the_cookie() {
    let world = World::new();
    let (manager, faults) = faulty(&world);
    let mut browser = Browser::new();
    browser.request(&manager, count).await;
    faults.delete.store(true, Ordering::SeqCst);
    let response = browser
        .request(&manager, |session| {
            session.destroy().unwrap();
            200
        })
        .await;
    assert_eq!(response.status, 500);
    assert!(response.outcome.set_cookie().unwrap().is_removal());
    assert!(browser.cookie.is_none());
}

#[tokio::test]
async fn a_failed_rotation_keeps_the_old_session() {
    let world = World::new();
    let (manager, faults) = faulty(&world);
    let mut browser = Browser::new();
    browser.request(&manager, count).await;
    let cookie = browser.cookie.clone();
    faults.delete.store(true, Ordering::SeqCst);
    let response = browser
        .request(&manager, |session| {
            session.cycle_id().unwrap();
            200
        })
        .await;
    assert_eq!(response.status, 500);
    assert!(response.set_cookie().is_none());
    assert_eq!(browser.cookie, cookie);
}

#[tokio::test]
async fn a_failed_touch_costs_only_the_refresh() {
    let world = World::with(|config| config.with_max_age_secs(10).with_rolling(true));
    let (manager, faults) = faulty(&world);
    let mut browser = Browser::new();
    browser.request(&manager, count).await;
    world.advance(6);
    faults.touch.store(true, Ordering::SeqCst);
    let response = browser
        .request(&manager, |session| {
            counter(session);
            200
        })
        .await;
    assert_eq!(response.status, 200);
    assert!(
        response.set_cookie().is_none(),
        "no refreshed cookie for an unrefreshed session"
    );
}
