//! Idle and absolute timeouts, max age, rolling expiry, and cleanup of expired records.

mod common;

use std::time::Duration;

use common::{Browser, World, attribute, cause_of, count, counter, send};
use fastsession_core::{Cause, Session, store::SessionStore, testing::SequentialIds, time::Clock};

async fn visit(world: &World, browser: &mut Browser) -> (u64, Cause, Option<String>) {
    let mut seen = (0, Cause::New);
    let response = browser
        .request(&world.manager, |session| {
            let status = count(session);
            seen = (counter(session), session.cause());
            status
        })
        .await;
    (seen.0, seen.1, response.set_cookie())
}

#[tokio::test]
async fn max_age_sets_max_age_and_expires() {
    let world = World::with(|config| config.with_max_age(Duration::from_secs(3600)));
    let (_, _, cookie) = visit(&world, &mut Browser::new()).await;
    let cookie = cookie.unwrap();
    assert_eq!(attribute(&cookie, "Max-Age").as_deref(), Some("3600"));
    let expires = httpdate::parse_http_date(&attribute(&cookie, "Expires").unwrap()).unwrap();
    assert_eq!(expires, world.clock.now() + Duration::from_secs(3600));
}

#[tokio::test]
async fn a_replayed_cookie_past_its_max_age_is_expired_on_the_server() {
    let world = World::with(|config| config.with_max_age_secs(1));
    let mut browser = Browser::new();
    visit(&world, &mut browser).await;
    world.clock.advance(Duration::from_millis(500));
    assert_eq!(visit(&world, &mut browser).await.1, Cause::Success);
    world.clock.advance(Duration::from_millis(2500));
    let (n, cause, cookie) = visit(&world, &mut browser).await;
    assert_eq!((n, cause), (1, Cause::Expired));
    assert!(cookie.is_some());
    assert_eq!(
        world.store.len(),
        1,
        "the expired record was deleted when it was met"
    );
}

#[tokio::test]
async fn without_rolling_max_age_is_absolute() {
    let world = World::with(|config| config.with_max_age_secs(2));
    let mut browser = Browser::new();
    assert_eq!(visit(&world, &mut browser).await.0, 1);
    world.advance(1);
    let (n, _, cookie) = visit(&world, &mut browser).await;
    assert_eq!(n, 2);
    assert!(cookie.is_none(), "continuations carry no cookie");
    world.advance(1);
    assert_eq!(
        visit(&world, &mut browser).await.1,
        Cause::Expired,
        "constant use does not extend it"
    );
}

#[tokio::test]
async fn rolling_expiry_keeps_an_active_session_and_reissues_sparingly() {
    let world = World::with(|config| config.with_max_age_secs(2).with_rolling(true));
    let mut browser = Browser::new();
    visit(&world, &mut browser).await;
    let mut reissued = 0;
    for second in 1..=10 {
        world.advance(1);
        let (n, cause, cookie) = visit(&world, &mut browser).await;
        assert_eq!((n, cause), (second + 1, Cause::Success), "second {second}");
        if let Some(cookie) = cookie {
            reissued += 1;
            assert_eq!(attribute(&cookie, "Max-Age").as_deref(), Some("2"));
        }
    }
    assert!(
        reissued >= 5,
        "the cookie must be refreshed before it lapses"
    );

    let world = World::with(|config| config.with_max_age_secs(100).with_rolling(true));
    let mut browser = Browser::new();
    visit(&world, &mut browser).await;
    let mut reissued = 0;
    for _ in 0..10 {
        world.advance(1);
        reissued += usize::from(visit(&world, &mut browser).await.2.is_some());
    }
    assert_eq!(
        reissued, 0,
        "no refresh before half the lifetime has passed"
    );
}

#[tokio::test]
async fn the_idle_timeout_ends_unused_sessions() {
    let world = World::with(|config| config.with_idle_timeout(Duration::from_secs(30 * 60)));
    let mut browser = Browser::new();
    visit(&world, &mut browser).await;
    world.advance(29 * 60);
    assert_eq!(visit(&world, &mut browser).await.1, Cause::Success);
    // That visit refreshed the activity time; the session now ends 30 minutes after it.
    world.advance(29 * 60);
    assert_eq!(visit(&world, &mut browser).await.1, Cause::Success);
    world.advance(30 * 60 + 1);
    assert_eq!(visit(&world, &mut browser).await.1, Cause::Expired);
}

#[tokio::test]
async fn activity_is_recorded_sparingly() {
    let world = World::with(|config| config.with_idle_timeout(Duration::from_secs(1000)));
    let mut browser = Browser::new();
    visit(&world, &mut browser).await;
    let id = SequentialIds::id(1);
    let first = world
        .store
        .load(&id, world.clock.now())
        .await
        .unwrap()
        .unwrap()
        .expiry;
    world.advance(50);
    send(
        &world.manager,
        browser.cookie.as_deref(),
        Some(|session: &Session| {
            counter(session);
            200
        }),
    )
    .await;
    let unchanged = world
        .store
        .load(&id, world.clock.now())
        .await
        .unwrap()
        .unwrap()
        .expiry;
    assert_eq!(
        unchanged, first,
        "no touch within a tenth of the idle timeout"
    );
    world.advance(60);
    send(
        &world.manager,
        browser.cookie.as_deref(),
        Some(|session: &Session| {
            counter(session);
            200
        }),
    )
    .await;
    let touched = world
        .store
        .load(&id, world.clock.now())
        .await
        .unwrap()
        .unwrap()
        .expiry;
    assert_eq!(touched.refreshed_at, world.clock.now());
    assert_eq!(
        touched.expires_at,
        world.clock.now() + Duration::from_secs(1000)
    );
}

#[tokio::test]
async fn active_sessions_outlive_idle_ones() {
    let world = World::new();
    let mut idle = Vec::new();
    for _ in 0..150 {
        let mut browser = Browser::new();
        visit(&world, &mut browser).await;
        idle.push(browser);
    }
    let mut active = Browser::new();
    visit(&world, &mut active).await;
    for _ in 0..(13 * 6) {
        world.advance(600);
        assert_eq!(visit(&world, &mut active).await.1, Cause::Success);
    }
    let (n, cause, _) = visit(&world, &mut active).await;
    assert_eq!((n, cause), (13 * 6 + 2, Cause::Success));
    world.store.purge_expired(world.clock.now());
    assert_eq!(
        world.store.len(),
        1,
        "idle sessions are gone after the 12 h idle timeout"
    );
    let (_, cause, _) = visit(&world, &mut idle[0]).await;
    assert_ne!(cause, Cause::Success);
}

#[tokio::test]
async fn the_absolute_timeout_cannot_be_extended() {
    let world = World::with(|config| config.with_absolute_timeout(Duration::from_secs(8 * 3600)));
    let mut browser = Browser::new();
    visit(&world, &mut browser).await;
    let id = SequentialIds::id(1);
    for _ in 0..(8 * 12 - 1) {
        world.advance(300);
        assert_eq!(visit(&world, &mut browser).await.1, Cause::Success);
        let record = world
            .store
            .load(&id, world.clock.now())
            .await
            .unwrap()
            .unwrap();
        assert!(record.expiry.expires_at <= record.created_at + Duration::from_secs(8 * 3600));
    }
    world.advance(301);
    assert_eq!(visit(&world, &mut browser).await.1, Cause::Expired);
}

#[tokio::test]
async fn an_expired_record_is_never_revived_by_a_replay() {
    let world = World::with(|config| config.with_max_age_secs(60));
    let mut browser = Browser::new();
    visit(&world, &mut browser).await;
    let stolen = browser.clone();
    world.advance(61);
    for mut replay in [stolen.clone(), stolen] {
        let (n, cause, _) = visit(&world, &mut replay).await;
        assert_eq!(n, 1);
        assert_ne!(cause, Cause::Success);
    }
    assert!(
        world
            .store
            .load(&SequentialIds::id(1), world.clock.now())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_lowered_idle_timeout_reaches_existing_sessions() {
    let world = World::with(|config| config.with_idle_timeout(Duration::from_secs(3600)));
    let mut browser = Browser::new();
    visit(&world, &mut browser).await;
    world.advance(6 * 60);
    let restarted = world.sibling(|config| config.with_idle_timeout(Duration::from_secs(300)));
    assert_eq!(
        cause_of(&restarted, browser.cookie.as_deref()).await,
        Cause::Expired
    );
}

#[tokio::test]
async fn an_added_absolute_timeout_reaches_existing_sessions() {
    let world = World::new();
    let mut browser = Browser::new();
    for _ in 0..4 {
        visit(&world, &mut browser).await;
        world.advance(30 * 60);
    }
    let restarted = world.sibling(|config| config.with_absolute_timeout(Duration::from_secs(3600)));
    assert_eq!(
        cause_of(&restarted, browser.cookie.as_deref()).await,
        Cause::Expired
    );
    assert_eq!(
        cause_of(&world.manager, browser.cookie.as_deref()).await,
        Cause::NoStore,
        "and it was deleted"
    );
}

#[tokio::test]
async fn a_lowered_max_age_reaches_existing_sessions() {
    let world = World::with(|config| config.with_max_age_secs(3600));
    let mut browser = Browser::new();
    visit(&world, &mut browser).await;
    world.advance(61);
    let unchanged = world.sibling(|config| config.with_max_age_secs(3600));
    assert_eq!(
        cause_of(&unchanged, browser.cookie.as_deref()).await,
        Cause::Success
    );
    let restarted = world.sibling(|config| config.with_max_age_secs(60));
    assert_eq!(
        cause_of(&restarted, browser.cookie.as_deref()).await,
        Cause::Expired
    );
}

#[tokio::test]
async fn no_clock_however_far_ahead_panics_the_cookie_formatter() {
    let world = World::with(|config| config.with_max_age_secs(34_560_000));
    let last_http_second = std::time::UNIX_EPOCH + Duration::from_secs(253_402_300_799);
    for now in [
        last_http_second - Duration::from_secs(86_400),
        last_http_second + Duration::from_secs(86_400 * 365 * 10_000),
    ] {
        world.clock.set(now);
        let mut browser = Browser::new();
        let (n, cause, set_cookie) = visit(&world, &mut browser).await;
        assert_eq!((n, cause), (1, Cause::New));
        let set_cookie = set_cookie.unwrap();
        assert_eq!(
            attribute(&set_cookie, "Expires").as_deref(),
            Some("Fri, 31 Dec 9999 23:59:59 GMT"),
            "{set_cookie}"
        );
        assert_eq!(
            visit(&world, &mut browser).await.0,
            2,
            "the session goes on"
        );
    }
}
