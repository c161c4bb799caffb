//! A logout is the user asking to end the session: it applies whatever the response status, and
//! even when the store fails on the way, the browser is told to drop the cookie.

mod common;

use common::{Browser, World, cause_of, count, log_out, read_counter};
use fastsession_core::testing::Probe;
use fastsession_core::{Cause, Session};

fn log_out_then_flash(session: &Session) -> u16 {
    session.destroy().unwrap();
    session.insert("flash", "bye").unwrap();
    200
}

#[tokio::test]
async fn a_logout_applies_on_any_status() {
    for status in [400, 404, 500, 502, 503] {
        let world = World::new();
        let mut browser = Browser::new();
        browser.request(&world.manager, count).await;
        let old = browser.cookie.clone();
        let response = browser
            .request(&world.manager, |session| {
                log_out(session);
                status
            })
            .await;
        assert_eq!(response.status, status, "the handler's status stands");
        assert!(
            response.outcome.set_cookie().unwrap().is_removal(),
            "{status}: the removal cookie"
        );
        assert!(world.store.is_empty(), "{status}: the record is deleted");
        assert_eq!(read_counter(&world.manager, old.as_deref()).await, 0);
    }
}

#[tokio::test]
async fn a_logout_then_write_on_a_server_error_applies_only_the_logout() {
    let world = World::new();
    let mut browser = Browser::new();
    browser.request(&world.manager, count).await;
    let response = browser
        .request(&world.manager, |session| {
            log_out_then_flash(session);
            502
        })
        .await;
    assert_eq!(response.status, 502);
    assert!(response.outcome.set_cookie().unwrap().is_removal());
    assert!(world.store.is_empty(), "no record, old or new");
}

#[tokio::test]
async fn other_writes_are_still_not_saved_on_a_server_error() {
    let world = World::new();
    let mut browser = Browser::new();
    browser.request(&world.manager, count).await;
    let response = browser
        .request(&world.manager, |session| {
            session.cycle_id().unwrap();
            count(session);
            500
        })
        .await;
    assert!(response.set_cookie().is_none());
    assert_eq!(browser.read_counter(&world.manager).await, 1);
}

#[tokio::test]
async fn a_logout_then_write_whose_retirement_fails_still_removes_the_cookie() {
    let world = World::new();
    let (manager, faults) = world.faulty();
    let mut browser = Browser::new();
    browser.request(&manager, count).await;
    let old = browser.cookie.clone();
    Probe::set(&faults.probe().fail_retire, true);
    let response = browser.request(&manager, log_out_then_flash).await;
    assert_eq!(response.status, 500);
    assert!(response.outcome.set_cookie().unwrap().is_removal());
    assert!(browser.cookie.is_none());
    assert!(
        world.store.is_empty(),
        "no successor is left behind, and the old session was deleted"
    );
    assert_eq!(cause_of(&manager, old.as_deref()).await, Cause::NoStore);
}

#[tokio::test]
async fn a_logout_then_write_whose_store_is_down_still_removes_the_cookie() {
    let world = World::new();
    let (manager, faults) = world.faulty();
    let mut browser = Browser::new();
    browser.request(&manager, count).await;
    faults.probe().fail_writes(true);
    Probe::set(&faults.probe().fail_retire, true);
    Probe::set(&faults.probe().fail_delete, true);
    let response = browser.request(&manager, log_out_then_flash).await;
    assert_eq!(response.status, 500);
    assert!(response.outcome.set_cookie().unwrap().is_removal());
    assert_eq!(
        world.store.len(),
        1,
        "only the old session, which the store kept"
    );
}

#[tokio::test]
async fn a_logout_then_write_whose_creation_fails_still_ends_the_session() {
    let world = World::new();
    let (manager, faults) = world.faulty();
    let mut browser = Browser::new();
    browser.request(&manager, count).await;
    Probe::set(&faults.probe().fail_create, true);
    let response = browser.request(&manager, log_out_then_flash).await;
    assert_eq!(response.status, 500);
    assert!(response.outcome.set_cookie().unwrap().is_removal());
    assert!(world.store.is_empty(), "the old session was deleted");
}
