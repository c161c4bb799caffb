//! Ending a session is final on a real Redis: rotations and destroy-then-write racing logouts and
//! each other, staged by hand or released together by a barrier, never revive a session or leave
//! two live successors.

mod common;

use common::{logged_in, request, staged_race};
use fastsession_core::testing::races;
use fastsession_core::{Session, adapter::SessionManager};
use fastsession_redis::RedisStore;

async fn manager() -> SessionManager<RedisStore> {
    // Serialization off, so the races reach the store.
    common::manager("successors", |config| {
        config.with_serialized_requests(false)
    })
    .await
}

fn rotate(session: &Session) {
    session.cycle_id().expect("cycle");
}

fn log_out(session: &Session) {
    session.destroy().expect("destroy");
}

fn log_out_then_flash(session: &Session) {
    session.destroy().expect("destroy");
    session.insert("flash", "bye").expect("insert");
}

/// Request A loads; `interloper` runs a whole request; A runs `late` and finishes. Returns A's
/// cookie and the keys left under the store's prefix.
async fn race(interloper: fn(&Session), late: fn(&Session)) -> (Option<String>, Vec<String>) {
    let manager = manager().await;
    let cookie = logged_in(&manager).await;
    let late_cookie = staged_race(&manager, &cookie, interloper, late).await;
    let keys = manager.store().admin().keys().await.expect("a scan");
    (late_cookie, keys)
}

#[tokio::test]
async fn a_login_racing_a_logout_does_not_revive_the_session() {
    let (late, keys) = race(log_out, rotate).await;
    assert_eq!(late, None, "no successor's cookie");
    assert!(keys.is_empty(), "nothing was created: {keys:?}");
}

#[tokio::test]
async fn destroy_then_write_racing_a_logout_creates_nothing() {
    let (late, keys) = race(log_out, log_out_then_flash).await;
    assert!(
        late.as_deref().is_none_or(|cookie| cookie == "sid="),
        "{late:?}"
    );
    assert!(keys.is_empty(), "nothing was created: {keys:?}");
}

#[tokio::test]
async fn a_logout_in_flight_ends_what_a_concurrent_rotation_made() {
    let (late, keys) = race(rotate, log_out).await;
    assert_eq!(late.as_deref(), Some("sid="), "the removal cookie");
    assert!(
        keys.is_empty(),
        "the successor went with the logout: {keys:?}"
    );
}

#[tokio::test]
async fn destroy_then_write_racing_a_rotation_still_logs_out() {
    let (late, keys) = race(rotate, log_out_then_flash).await;
    assert_eq!(late.as_deref(), Some("sid="), "the removal cookie");
    assert!(keys.is_empty(), "no session is left: {keys:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_rotations_and_a_logout_leave_nothing_or_one_successor() {
    for with_logout in [false, true] {
        let manager = manager().await;
        let cookie = logged_in(&manager).await;
        let issued = races::concurrent_rotations(&manager, &cookie, 20, with_logout).await;
        let mut live = Vec::new();
        for cookie in &issued {
            request(&manager, Some(cookie), |session| {
                if session.get::<String>("user").expect("a string").is_some() {
                    live.push(cookie.clone());
                }
            })
            .await;
        }
        if with_logout {
            assert!(
                live.is_empty(),
                "the logout ended every successor: {live:?}"
            );
            let keys = manager.store().admin().keys().await.expect("a scan");
            assert!(
                keys.is_empty(),
                "no record and no pointer is left: {keys:?}"
            );
        } else {
            assert_eq!(issued.len(), 1, "exactly one rotation sends a cookie");
            assert_eq!(live.len(), 1, "and its session is the one live successor");
        }
        manager.store().admin().clear().await.expect("cleanup");
    }
}
