//! Ending a session is final: rotations and destroy-then-write racing logouts and each other,
//! staged deterministically, never revive a session or leave two live successors.

mod common;

use std::sync::Arc;
use std::time::SystemTime;

use common::{Browser, Outcome, World, cause_of, count, log_out, read_counter, send};
use fastsession_core::testing::races;
use fastsession_core::{
    Cause, MemoryStore, Session, adapter::SessionManager, id::SessionId, store::Changes,
    store::Expiry, store::Record, store::SessionStore, store::StoreError,
};
use tokio::sync::Semaphore;

async fn logged_in(world: &World) -> String {
    let mut browser = Browser::new();
    browser
        .request(&world.manager, |session| {
            session.insert("user", "ada").unwrap();
            count(session)
        })
        .await;
    browser.cookie.unwrap()
}

fn rotate(session: &Session) -> u16 {
    session.cycle_id().unwrap();
    200
}

fn log_out_then_flash(session: &Session) -> u16 {
    session.destroy().unwrap();
    session.insert("flash", "bye").unwrap();
    200
}

/// Request A loads the session; `interloper` runs a whole request on the same cookie; then A
/// runs `late` and finishes. Returns A's `Set-Cookie`.
async fn race(
    manager: &SessionManager<impl SessionStore>,
    cookie: &str,
    interloper: impl FnOnce(&Session) -> u16,
    late: impl FnOnce(&Session) -> u16,
) -> Option<String> {
    let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie.as_bytes())];
    let slow = manager.start(headers.as_slice());
    let session = slow.session().await.unwrap();
    assert_eq!(session.cause(), Cause::Success);
    send(manager, Some(cookie), Some(interloper)).await;
    let status = late(&session);
    let outcome = Outcome(slow.finish(status).await);
    assert_eq!(
        outcome.error_status(),
        None,
        "the late request still succeeds"
    );
    outcome
        .set_cookie()
        .map(|cookie| cookie.as_str().split(';').next().unwrap().to_owned())
}

fn unserialized() -> World {
    World::with(|config| config.with_serialized_requests(false))
}

#[tokio::test]
async fn a_login_racing_a_logout_does_not_revive_the_session() {
    let world = unserialized();
    let cookie = logged_in(&world).await;
    let late = race(&world.manager, &cookie, log_out, rotate).await;
    assert_eq!(late, None, "no cookie for a successor");
    assert!(world.store.is_empty(), "nothing was created");
}

#[tokio::test]
async fn destroy_then_write_racing_a_logout_creates_nothing() {
    let world = unserialized();
    let cookie = logged_in(&world).await;
    let late = race(&world.manager, &cookie, log_out, log_out_then_flash).await;
    assert!(
        late.as_deref().is_none_or(|cookie| cookie == "sid="),
        "at most the removal cookie: {late:?}"
    );
    assert!(world.store.is_empty(), "nothing was created");
}

#[tokio::test]
async fn two_concurrent_rotations_leave_exactly_one_successor() {
    let world = unserialized();
    let cookie = logged_in(&world).await;
    let mut winner = Browser {
        cookie: Some(cookie.clone()),
    };
    let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie.as_bytes())];
    let slow = world.manager.start(headers.as_slice());
    let slow_session = slow.session().await.unwrap();
    winner.request(&world.manager, rotate).await;
    rotate(&slow_session);
    let late = Outcome(slow.finish(200).await);
    assert!(late.set_cookie().is_none(), "the loser sends no cookie");
    assert_eq!(world.store.len(), 1, "one live successor");
    assert_eq!(
        read_counter(&world.manager, winner.cookie.as_deref()).await,
        1
    );
    assert_eq!(read_counter(&world.manager, Some(&cookie)).await, 0);
}

#[tokio::test]
async fn a_logout_in_flight_ends_what_a_concurrent_rotation_made() {
    let world = unserialized();
    let cookie = logged_in(&world).await;
    let mut rotated = None;
    let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie.as_bytes())];
    let logout = world.manager.start(headers.as_slice());
    let logout_session = logout.session().await.unwrap();
    let response = send(&world.manager, Some(&cookie), Some(rotate)).await;
    if let Some(set_cookie) = response.set_cookie() {
        rotated = Some(set_cookie.split(';').next().unwrap().to_owned());
    }
    log_out(&logout_session);
    let outcome = Outcome(logout.finish(200).await);
    assert!(outcome.set_cookie().unwrap().is_removal());
    assert!(world.store.is_empty(), "the successor went with the logout");
    assert_eq!(
        cause_of(&world.manager, rotated.as_deref()).await,
        Cause::NoStore,
        "the rotated cookie starts a new session"
    );
}

#[tokio::test]
async fn destroy_then_write_racing_a_rotation_still_logs_out() {
    let world = unserialized();
    let cookie = logged_in(&world).await;
    let late = race(&world.manager, &cookie, rotate, log_out_then_flash).await;
    assert_eq!(late.as_deref(), Some("sid="), "the removal cookie");
    assert!(
        world.store.is_empty(),
        "neither the rotation's nor the flash's session is left"
    );
}

#[tokio::test]
async fn a_write_racing_a_rotation_does_not_reach_either_session() {
    let world = unserialized();
    let cookie = logged_in(&world).await;
    let late = race(&world.manager, &cookie, rotate, |session| {
        session.insert("cart", &5).unwrap();
        200
    })
    .await;
    assert_eq!(late, None);
    assert_eq!(world.store.len(), 1);
}

/// A store that holds every `retire` until the test lets it through, to stage a logout between
/// the creation of a successor and the retirement of its predecessor.
#[derive(Clone)]
struct HeldRetire {
    inner: MemoryStore,
    gate: Arc<Semaphore>,
    entered: Arc<Semaphore>,
}

impl SessionStore for HeldRetire {
    async fn create(
        &self,
        id: &SessionId,
        record: &Record,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        self.inner.create(id, record, now).await
    }
    async fn load(&self, id: &SessionId, now: SystemTime) -> Result<Option<Record>, StoreError> {
        self.inner.load(id, now).await
    }
    async fn apply(
        &self,
        id: &SessionId,
        changes: &Changes,
        expiry: &Expiry,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        self.inner.apply(id, changes, expiry, now).await
    }
    async fn touch(
        &self,
        id: &SessionId,
        expiry: &Expiry,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        self.inner.touch(id, expiry, now).await
    }
    async fn retire(
        &self,
        id: &SessionId,
        successor: &SessionId,
        now: SystemTime,
    ) -> Result<bool, StoreError> {
        self.entered.add_permits(1);
        self.gate.acquire().await.unwrap().forget();
        self.inner.retire(id, successor, now).await
    }
    async fn delete(&self, id: &SessionId, now: SystemTime) -> Result<(), StoreError> {
        self.inner.delete(id, now).await
    }
}

#[tokio::test]
async fn a_logout_between_successor_creation_and_retirement_wins() {
    for late in [rotate, log_out_then_flash] {
        let world = unserialized();
        let cookie = logged_in(&world).await;
        let store = HeldRetire {
            inner: world.store.clone(),
            gate: Arc::new(Semaphore::new(0)),
            entered: Arc::new(Semaphore::new(0)),
        };
        let manager = SessionManager::new(world.manager.sessions().clone(), store.clone());
        let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie.as_bytes())];
        let slow = manager.start(headers.as_slice());
        late(&slow.session().await.unwrap());
        let finishing = tokio::spawn(async move { Outcome(slow.finish(200).await) });
        // The successor exists; its predecessor is not retired yet.
        store.entered.acquire().await.unwrap().forget();
        assert_eq!(world.store.len(), 2);
        let logout = send(&world.manager, Some(&cookie), Some(log_out)).await;
        assert!(logout.outcome.set_cookie().unwrap().is_removal());
        store.gate.add_permits(1);
        let outcome = finishing.await.unwrap();
        assert_eq!(outcome.error_status(), None);
        assert!(
            outcome
                .set_cookie()
                .is_none_or(|cookie| cookie.is_removal()),
            "no successor's cookie"
        );
        assert!(world.store.is_empty(), "the successor was discarded");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_rotations_and_a_logout_leave_nothing_or_one_successor() {
    for with_logout in [false, true] {
        let world = unserialized();
        let cookie = logged_in(&world).await;
        let issued = races::concurrent_rotations(&world.manager, &cookie, 20, with_logout).await;
        let live = world.store.len();
        if with_logout {
            assert_eq!(live, 0, "the logout ended the session and every successor");
        } else {
            assert_eq!(
                (issued.len(), live),
                (1, 1),
                "exactly one successor, one cookie"
            );
            assert_eq!(read_counter(&world.manager, Some(&issued[0])).await, 1);
        }
    }
}
