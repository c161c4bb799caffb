//! A user's sessions on the memory store: binding survives rotation and logout unbinds; a user
//! lists their sessions and ends one, the others or all, from a handler or outside a request;
//! ending is final against requests in flight; a user's sessions are bounded; and sessions
//! bound to no user never touch the index.

mod common;

use common::{Browser, Response, World, cause_of, count, send};
use fastsession_core::adapter::{RequestSession, SessionManager};
use fastsession_core::store::SessionStore;
use fastsession_core::testing::Probe;
use fastsession_core::{Cause, MemoryStore, Session, SessionError, UserSession};

fn log_in_as(user: &'static str) -> impl FnOnce(&Session) -> u16 {
    move |session| {
        session.cycle_id().unwrap();
        session.set_user(user).unwrap();
        200
    }
}

async fn logged_in<S: SessionStore>(manager: &SessionManager<S>, user: &'static str) -> Browser {
    let mut browser = Browser::new();
    let response = browser.request(manager, log_in_as(user)).await;
    assert!(response.set_cookie().is_some(), "{response:?}");
    browser
}

/// A request of `browser` that has loaded its session, not yet finished.
async fn in_flight<S: SessionStore>(
    manager: &SessionManager<S>,
    browser: &Browser,
) -> (RequestSession, Session) {
    let cookie = browser.cookie_header().unwrap();
    let request = manager.start(&[("cookie", cookie.as_bytes())]);
    let session = request.session().await.unwrap();
    (request, session)
}

async fn list<S: SessionStore>(manager: &SessionManager<S>, browser: &Browser) -> Vec<UserSession> {
    let (request, _session) = in_flight(manager, browser).await;
    let listed = request.user_sessions().await.unwrap().list().await.unwrap();
    let _committed = request.finish(200).await.unwrap();
    listed
}

#[tokio::test]
async fn a_login_binds_the_session_and_the_binding_survives_rotation() {
    let world = World::new();
    let mut browser = logged_in(&world.manager, "ada").await;
    let first = list(&world.manager, &browser).await;
    assert_eq!(first.len(), 1);
    assert!(first[0].current);
    browser
        .request(&world.manager, |session| {
            assert_eq!(session.user().as_deref(), Some("ada"));
            session.cycle_id().unwrap();
            200
        })
        .await;
    let rotated = list(&world.manager, &browser).await;
    assert_eq!(
        rotated.len(),
        1,
        "the old ID is no longer one of ada's sessions"
    );
    assert_ne!(rotated[0].label, first[0].label, "a new ID has a new label");
    assert_eq!(
        rotated[0].created_at, first[0].created_at,
        "rotation keeps the creation"
    );
}

#[tokio::test]
async fn a_logout_unbinds() {
    let world = World::new();
    let mut browser = logged_in(&world.manager, "ada").await;
    browser
        .request(&world.manager, |session| {
            session.destroy().unwrap();
            session.insert("flash", "bye").unwrap();
            200
        })
        .await;
    assert!(world.manager.user_sessions("ada").await.unwrap().is_empty());
    browser
        .request(&world.manager, |session| {
            assert_eq!(
                session.user(),
                None,
                "the session after a logout belongs to nobody"
            );
            200
        })
        .await;
}

#[tokio::test]
async fn logging_out_other_devices_ends_them_and_keeps_this_one() {
    let world = World::new();
    let mut laptop = logged_in(&world.manager, "ada").await;
    let phone = logged_in(&world.manager, "ada").await;
    let bob = logged_in(&world.manager, "bob").await;
    let (request, _session) = in_flight(&world.manager, &laptop).await;
    let devices = request.user_sessions().await.unwrap();
    assert_eq!(devices.list().await.unwrap().len(), 2);
    assert_eq!(devices.end_others().await.unwrap(), 1);
    let listed = devices.list().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].current);
    let _committed = request.finish(200).await.unwrap();

    assert_eq!(
        cause_of(&world.manager, phone.cookie_header().as_deref()).await,
        Cause::NoStore
    );
    assert_eq!(laptop.read_counter(&world.manager).await, 0);
    assert_eq!(
        cause_of(&world.manager, laptop.cookie_header().as_deref()).await,
        Cause::Success
    );
    assert_eq!(
        cause_of(&world.manager, bob.cookie_header().as_deref()).await,
        Cause::Success
    );
}

#[tokio::test]
async fn logging_out_everywhere_ends_this_session_too_with_the_removal_cookie() {
    let world = World::new();
    let laptop = logged_in(&world.manager, "ada").await;
    let phone = logged_in(&world.manager, "ada").await;
    let (request, _session) = in_flight(&world.manager, &laptop).await;
    let ended = request
        .user_sessions()
        .await
        .unwrap()
        .end_all()
        .await
        .unwrap();
    assert_eq!(ended, 2);
    let committed = request.finish(200).await.unwrap();
    assert!(committed.set_cookie().unwrap().is_removal());
    for browser in [&laptop, &phone] {
        let cause = cause_of(&world.manager, browser.cookie_header().as_deref()).await;
        assert_eq!(cause, Cause::NoStore);
    }
    assert!(world.store.is_empty());
}

#[tokio::test]
async fn one_session_ends_by_its_label_and_unknown_labels_end_nothing() {
    let world = World::new();
    let laptop = logged_in(&world.manager, "ada").await;
    let phone = logged_in(&world.manager, "ada").await;
    let listed = list(&world.manager, &laptop).await;
    let other = listed
        .iter()
        .find(|session| !session.current)
        .unwrap()
        .label;
    let bob = logged_in(&world.manager, "bob").await;
    let bobs = list(&world.manager, &bob).await[0].label;

    let (request, _session) = in_flight(&world.manager, &laptop).await;
    let devices = request.user_sessions().await.unwrap();
    assert!(
        !devices.end(bobs).await.unwrap(),
        "another user's label ends nothing"
    );
    assert!(devices.end(other).await.unwrap());
    assert!(
        !devices.end(other).await.unwrap(),
        "an ended session is gone"
    );
    let _committed = request.finish(200).await.unwrap();
    assert_eq!(
        cause_of(&world.manager, phone.cookie_header().as_deref()).await,
        Cause::NoStore
    );
    assert_eq!(
        cause_of(&world.manager, bob.cookie_header().as_deref()).await,
        Cause::Success
    );
}

#[tokio::test]
async fn ending_the_current_session_by_its_label_is_a_logout() {
    let world = World::new();
    let laptop = logged_in(&world.manager, "ada").await;
    let current = list(&world.manager, &laptop).await[0].label;
    let (request, _session) = in_flight(&world.manager, &laptop).await;
    assert!(
        request
            .user_sessions()
            .await
            .unwrap()
            .end(current)
            .await
            .unwrap()
    );
    let committed = request.finish(200).await.unwrap();
    assert!(committed.set_cookie().unwrap().is_removal());
    assert!(world.store.is_empty());
}

#[tokio::test]
async fn a_request_in_flight_cannot_bring_back_an_ended_session() {
    let world = World::new();
    let phone = logged_in(&world.manager, "ada").await;
    let (writing, session) = in_flight(&world.manager, &phone).await;
    let (rotating, rotated) = in_flight(&world.manager, &phone).await;
    assert_eq!(world.manager.end_user_sessions("ada").await.unwrap(), 1);
    count(&session);
    rotated.cycle_id().unwrap();
    rotated.insert("after", "rotation").unwrap();
    let written = writing.finish(200).await.unwrap();
    let rotation = rotating.finish(200).await.unwrap();
    assert!(
        written.set_cookie().is_none(),
        "no cookie for an ended session"
    );
    assert!(
        rotation.set_cookie().is_none(),
        "no successor for an ended session"
    );
    assert!(world.store.is_empty(), "nothing brought back");
    assert_eq!(
        cause_of(&world.manager, phone.cookie_header().as_deref()).await,
        Cause::NoStore
    );
}

#[tokio::test]
async fn ending_everywhere_follows_a_rotation_that_got_there_first() {
    let world = World::new();
    let phone = logged_in(&world.manager, "ada").await;
    let (rotating, rotated) = in_flight(&world.manager, &phone).await;
    rotated.cycle_id().unwrap();
    let rotation = rotating.finish(200).await.unwrap();
    assert!(rotation.set_cookie().is_some());
    // The successor is listed; ending everything ends it.
    assert_eq!(world.manager.end_user_sessions("ada").await.unwrap(), 1);
    assert!(world.store.is_empty());
}

#[tokio::test]
async fn past_the_bound_the_least_recently_active_sessions_end() {
    let world = World::with(|config| config.with_max_sessions_per_user(2));
    let first = logged_in(&world.manager, "ada").await;
    world.advance(10);
    let second = logged_in(&world.manager, "ada").await;
    world.advance(10);
    let third = logged_in(&world.manager, "ada").await;
    assert_eq!(world.manager.user_sessions("ada").await.unwrap().len(), 2);
    assert_eq!(
        cause_of(&world.manager, first.cookie_header().as_deref()).await,
        Cause::NoStore
    );
    for browser in [&second, &third] {
        let cause = cause_of(&world.manager, browser.cookie_header().as_deref()).await;
        assert_eq!(cause, Cause::Success);
    }
}

#[tokio::test]
async fn an_administrator_lists_and_ends_by_user() {
    let world = World::new();
    let laptop = logged_in(&world.manager, "ada").await;
    world.advance(5);
    let _phone = logged_in(&world.manager, "ada").await;
    let listed = world.manager.user_sessions("ada").await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|session| !session.current));
    assert!(listed[0].created_at < listed[1].created_at, "oldest first");
    assert!(
        world
            .manager
            .end_user_session("ada", listed[0].label)
            .await
            .unwrap()
    );
    assert_eq!(
        cause_of(&world.manager, laptop.cookie_header().as_deref()).await,
        Cause::NoStore
    );
    assert_eq!(world.manager.user_sessions("ada").await.unwrap().len(), 1);
    assert_eq!(world.manager.user_sessions("").await.unwrap(), Vec::new());
}

#[tokio::test]
async fn user_identifiers_are_checked() {
    let world = World::new();
    let mut browser = Browser::new();
    browser
        .request(&world.manager, |session| {
            assert!(matches!(
                session.set_user(""),
                Err(SessionError::InvalidUser { len: 0 })
            ));
            let long = "u".repeat(257);
            assert!(matches!(
                session.set_user(&long),
                Err(SessionError::InvalidUser { len: 257 })
            ));
            session.set_user(&"u".repeat(256)).unwrap();
            200
        })
        .await;
}

/// A store that keeps sessions but no user index: the trait's defaults.
#[derive(Clone, Default)]
struct NoIndex(MemoryStore);

impl SessionStore for NoIndex {
    async fn create(
        &self,
        id: &fastsession_core::id::SessionId,
        record: &fastsession_core::store::Record,
        now: std::time::SystemTime,
    ) -> Result<bool, fastsession_core::store::StoreError> {
        self.0.create(id, record, now).await
    }
    async fn load(
        &self,
        id: &fastsession_core::id::SessionId,
        now: std::time::SystemTime,
    ) -> Result<Option<fastsession_core::store::Record>, fastsession_core::store::StoreError> {
        self.0.load(id, now).await
    }
    async fn apply(
        &self,
        id: &fastsession_core::id::SessionId,
        changes: &fastsession_core::store::Changes,
        expiry: &fastsession_core::store::Expiry,
        now: std::time::SystemTime,
    ) -> Result<bool, fastsession_core::store::StoreError> {
        self.0.apply(id, changes, expiry, now).await
    }
    async fn touch(
        &self,
        id: &fastsession_core::id::SessionId,
        expiry: &fastsession_core::store::Expiry,
        now: std::time::SystemTime,
    ) -> Result<bool, fastsession_core::store::StoreError> {
        self.0.touch(id, expiry, now).await
    }
    async fn retire(
        &self,
        id: &fastsession_core::id::SessionId,
        successor: &fastsession_core::id::SessionId,
        now: std::time::SystemTime,
    ) -> Result<bool, fastsession_core::store::StoreError> {
        self.0.retire(id, successor, now).await
    }
    async fn delete(
        &self,
        id: &fastsession_core::id::SessionId,
        now: std::time::SystemTime,
    ) -> Result<(), fastsession_core::store::StoreError> {
        self.0.delete(id, now).await
    }
}

#[tokio::test]
async fn binding_on_a_store_without_a_user_index_fails_loudly() {
    let world = World::new();
    let store = NoIndex::default();
    let manager = SessionManager::new(world.manager.sessions().clone(), store.clone());
    let response: Response = send(&manager, None, Some(log_in_as("ada"))).await;
    assert_eq!(response.status, 500, "the login is not saved");
    assert!(store.0.is_empty(), "no unlisted bound session exists");
    let kind = manager.user_sessions("ada").await.unwrap_err().kind();
    assert_eq!(kind, fastsession_core::store::StoreErrorKind::Unsupported);
    // Sessions bound to no user work as ever.
    assert_eq!(send(&manager, None, Some(count)).await.status, 200);
}

#[tokio::test]
async fn sessions_bound_to_nobody_never_touch_the_index() {
    let world = World::new();
    let (manager, store) = world.faulty();
    let mut browser = Browser::new();
    for _ in 0..3 {
        browser.request(&manager, count).await;
        world.advance(24 * 3600 / 3);
    }
    assert_eq!(Probe::count(&store.probe().user_index_calls), 0);
}

#[tokio::test]
async fn a_bound_session_is_listed_again_only_when_its_end_moves() {
    let world = World::new();
    let (manager, store) = world.faulty();
    let mut browser = logged_in(&manager, "ada").await;
    let calls = || Probe::count(&store.probe().user_index_calls);
    // Listing before the creation, and listing to check the bound.
    assert_eq!(calls(), 2);
    browser.request(&manager, count).await;
    assert_eq!(
        calls(),
        2,
        "a write that does not move the end lists nothing"
    );
    world.advance(7 * 3600);
    browser.request(&manager, |_| 200).await;
    assert_eq!(calls(), 3, "a refresh lists the session until its new end");
}

#[tokio::test]
async fn a_refresh_whose_listing_fails_is_not_made() {
    let world = World::new();
    let (manager, store) = world.faulty();
    let mut browser = logged_in(&manager, "ada").await;
    world.advance(7 * 3600);
    Probe::set(&store.probe().fail_user_index, true);
    let response = browser.request(&manager, |_| 200).await;
    assert_eq!(response.status, 200);
    Probe::set(&store.probe().fail_user_index, false);
    // Unrefreshed, the session ends at its first deadline (12 hours after the login).
    world.advance(5 * 3600 + 1);
    assert_eq!(
        cause_of(&manager, browser.cookie_header().as_deref()).await,
        Cause::Expired
    );
}
