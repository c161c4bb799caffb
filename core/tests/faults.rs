//! A store that fails on demand: the documented statuses, no cookie for unsaved state, recovery.

mod common;

use std::time::Duration;

use common::{Browser, Outcome, World, count, counter, log_out};
use fastsession_core::adapter::ExtractError;
use fastsession_core::testing::Probe;

#[tokio::test]
async fn a_failed_load_answers_503_without_a_cookie_and_recovers() {
    let world = World::new();
    let (manager, faults) = world.faulty();
    let mut browser = Browser::new();
    browser.request(&manager, count).await;
    let cookie = browser.cookie.clone();

    Probe::set(&faults.probe().fail_load, true);
    let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie.as_deref().unwrap().as_bytes())];
    let request = manager.start(headers.as_slice());
    let error = request.session().await.unwrap_err();
    assert!(matches!(error, ExtractError::Unavailable(_)));
    assert_eq!(error.status(), 503);
    assert!(
        !error.to_string().contains("injected"),
        "the message is generic"
    );
    let outcome = Outcome(request.finish(503).await);
    assert!(outcome.set_cookie().is_none());

    // A route that never extracts the session is unaffected.
    let response = browser.visit(&manager).await;
    assert_eq!(response.status, 200);

    Probe::set(&faults.probe().fail_load, false);
    let n = browser.read_counter(&manager).await;
    assert_eq!(n, 1, "the session survived the outage");
    assert_eq!(browser.cookie, cookie);
}

#[tokio::test]
async fn a_failed_save_answers_500_without_a_cookie() {
    let world = World::new();
    let (manager, faults) = world.faulty();

    Probe::set(&faults.probe().fail_create, true);
    let response = Browser::new().request(&manager, count).await;
    assert_eq!(response.status, 500);
    assert!(response.set_cookie().is_none());
    assert!(
        response.outcome.headers().is_empty(),
        "no session headers at all"
    );
    Probe::set(&faults.probe().fail_create, false);

    let mut browser = Browser::new();
    browser.request(&manager, count).await;
    Probe::set(&faults.probe().fail_apply, true);
    let response = browser.request(&manager, count).await;
    assert_eq!(response.status, 500);
    assert!(response.set_cookie().is_none());
    Probe::set(&faults.probe().fail_apply, false);
    let n = browser.read_counter(&manager).await;
    assert_eq!(n, 1, "the failed write left the old state");
}

#[tokio::test]
async fn a_failed_logout_still_removes_the_cookie() {
    let world = World::new();
    let (manager, faults) = world.faulty();
    let mut browser = Browser::new();
    browser.request(&manager, count).await;
    Probe::set(&faults.probe().fail_delete, true);
    let response = browser.request(&manager, log_out).await;
    assert_eq!(response.status, 500);
    assert!(response.outcome.set_cookie().unwrap().is_removal());
    assert!(browser.cookie.is_none());
    assert_eq!(
        Probe::count(&faults.probe().deletes),
        1,
        "the delete was attempted"
    );
}

#[tokio::test]
async fn a_failed_rotation_keeps_the_old_session() {
    let world = World::new();
    let (manager, faults) = world.faulty();
    let mut browser = Browser::new();
    browser.request(&manager, count).await;
    let cookie = browser.cookie.clone();
    Probe::set(&faults.probe().fail_retire, true);
    let response = browser
        .request(&manager, |session| {
            session.cycle_id().unwrap();
            200
        })
        .await;
    assert_eq!(response.status, 500);
    assert!(response.set_cookie().is_none());
    assert_eq!(browser.cookie, cookie);
    assert_eq!(world.store.len(), 1, "the successor was discarded");
    Probe::set(&faults.probe().fail_retire, false);
    assert_eq!(
        browser.read_counter(&manager).await,
        1,
        "the old session goes on"
    );
}

#[tokio::test]
async fn a_failed_touch_costs_only_the_refresh() {
    let world = World::with(|config| config.with_max_age_secs(10).with_rolling(true));
    let (manager, faults) = world.faulty();
    let mut browser = Browser::new();
    browser.request(&manager, count).await;
    world.advance(6);
    Probe::set(&faults.probe().fail_touch, true);
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

/// Checklist 44: every store call is limited by the store timeout, so a store that never
/// answers fails the request (503 on load, 500 on save, 500 plus the removal cookie on logout)
/// instead of hanging it. Tokio's paused clock jumps to the deadline: no real waiting.
#[tokio::test(start_paused = true)]
async fn a_stalled_store_hits_the_timeout_instead_of_hanging() {
    let world = World::with(|config| config.with_store_timeout(Duration::from_millis(300)));
    let (manager, faults) = world.faulty();
    let mut browser = Browser::new();
    browser.request(&manager, count).await;
    let cookie = browser.cookie.clone();
    let started = tokio::time::Instant::now();

    Probe::set(&faults.probe().stall_load, true);
    let response = browser.request(&manager, count).await;
    assert_eq!(response.status, 503);
    assert!(response.set_cookie().is_none());
    Probe::set(&faults.probe().stall_load, false);

    Probe::set(&faults.probe().stall_writes, true);
    let response = browser.request(&manager, count).await;
    assert_eq!(response.status, 500);
    assert!(response.set_cookie().is_none());
    Probe::set(&faults.probe().stall_writes, false);

    Probe::set(&faults.probe().stall_delete, true);
    let response = browser.request(&manager, log_out).await;
    assert_eq!(response.status, 500);
    assert!(response.outcome.set_cookie().unwrap().is_removal());
    Probe::set(&faults.probe().stall_delete, false);

    assert_eq!(
        started.elapsed(),
        Duration::from_millis(900),
        "each stalled call waited exactly its timeout on the paused clock"
    );
    assert_eq!(
        Probe::count(&faults.probe().loads),
        3,
        "one per request with a cookie"
    );

    // The stalls changed nothing: the session is still there for its cookie.
    browser.cookie = cookie;
    let n = browser.read_counter(&manager).await;
    assert_eq!(n, 1);
}
