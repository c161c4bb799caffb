//! Session data and cookie values never reach `Debug` output or error text: types that hold
//! values print keys at most, and a value of the wrong type is reported by key and type.

mod common;

use common::{Browser, Outcome, World, count};
use fastsession_core::{SessionError, store::Changes, time::Clock};
use serde_json::json;

const SECRET: &str = "hunter2-do-not-print";

/// The error, its `Debug`, and every source's message.
fn everything_said(error: &(dyn std::error::Error + 'static)) -> String {
    let mut said = format!("{error} {error:?}");
    let mut source = error.source();
    while let Some(cause) = source {
        said.push_str(&format!(" {cause} {cause:?}"));
        source = cause.source();
    }
    said
}

#[tokio::test]
async fn a_value_of_the_wrong_type_is_reported_by_key_and_type_only() {
    let world = World::new();
    let mut browser = Browser::new();
    browser
        .request(&world.manager, |session| {
            session.insert("password", SECRET).unwrap();
            200
        })
        .await;
    let mut said = String::new();
    browser
        .request(&world.manager, |session| {
            let error = session.get::<u64>("password").unwrap_err();
            assert!(matches!(error, SessionError::Deserialize { .. }));
            said = everything_said(&error);
            let removed = session.remove::<Vec<u8>>("password").unwrap_err();
            said.push_str(&everything_said(&removed));
            200
        })
        .await;
    assert!(!said.contains("hunter2"), "{said}");
    assert!(
        said.contains("\"password\"") && said.contains("u64"),
        "{said}"
    );
}

#[test]
fn changes_print_their_keys_only() {
    let mut changes = Changes::new();
    changes.insert("token", json!(SECRET));
    changes.remove("old");
    let printed = format!("{changes:?}");
    assert!(!printed.contains("hunter2"), "{printed}");
    assert!(
        printed.contains("token") && printed.contains("old"),
        "{printed}"
    );
}

#[tokio::test]
async fn handles_sessions_finishes_and_outcomes_print_no_value_and_no_cookie() {
    let world = World::new();
    let mut browser = Browser::new();
    browser.request(&world.manager, count).await;
    let cookie = browser.cookie.clone().unwrap();
    let cookie_value = cookie.split_once('=').unwrap().1.to_owned();
    let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie.as_bytes())];
    let request = world.manager.start(headers.as_slice());
    let session = request.session().await.unwrap();
    session.insert("token", SECRET).unwrap();
    session.cycle_id().unwrap();
    let mut printed = format!("{request:?} {session:?}");
    let sessions = world.manager.sessions();
    let handle = sessions.begin(&[("cookie", cookie.as_bytes())]);
    let loaded = handle.load(&world.store, world.clock.now()).await.unwrap();
    loaded.unwrap().insert("token", SECRET).unwrap();
    printed.push_str(&format!("{handle:?}"));
    let finish = sessions.finish(handle, 200, world.clock.now());
    printed.push_str(&format!("{finish:?}"));
    let outcome = Outcome(request.finish(200).await);
    printed.push_str(&format!("{outcome:?}"));
    assert!(
        outcome.set_cookie().is_some(),
        "a rotated cookie was issued"
    );
    assert!(!printed.contains("hunter2"), "{printed}");
    assert!(!printed.contains(&cookie_value[..20]), "{printed}");
    assert!(printed.contains("token"), "keys may show: {printed}");
}
