//! begin → Session → finish → replay the cookie, end to end with a manual clock and fixed IDs.

mod common;

use common::{Browser, World, attribute, cookie_value, count, counter, log_out};
use fastsession_core::{Cause, store::SessionStore, testing::SequentialIds};
use serde_json::json;

#[tokio::test]
async fn counter_continues_across_requests() {
    let world = World::new();
    let mut browser = Browser::new();
    for expected in 1..=3 {
        let mut seen = (0, Cause::New);
        let response = browser
            .request(&world.manager, |session| {
                let status = count(session);
                seen = (counter(session), session.cause());
                status
            })
            .await;
        assert_eq!(seen.0, expected);
        assert_eq!(
            seen.1,
            if expected == 1 {
                Cause::New
            } else {
                Cause::Success
            }
        );
        assert_eq!(
            response.set_cookie().is_some(),
            expected == 1,
            "a cookie only on the first response"
        );
    }
    assert_eq!(world.store.len(), 1);
}

#[tokio::test]
async fn a_second_browser_gets_its_own_session() {
    let world = World::new();
    let (mut first, mut second) = (Browser::new(), Browser::new());
    first.request(&world.manager, count).await;
    first.request(&world.manager, count).await;
    let mut seen = 0;
    second
        .request(&world.manager, |session| {
            count(session);
            seen = counter(session);
            200
        })
        .await;
    assert_eq!(seen, 1);
    assert_ne!(first.cookie, second.cookie);
    assert_eq!(world.store.len(), 2);
}

#[tokio::test]
async fn the_cookie_has_the_documented_shape() {
    let world = World::new();
    let response = Browser::new().request(&world.manager, count).await;
    let set_cookie = response.set_cookie().unwrap();
    let value = cookie_value(&set_cookie);
    assert_eq!(value.len(), 87);
    let (id, tag) = value.split_once('.').unwrap();
    assert_eq!((id.len(), tag.len()), (43, 43));
    assert!(
        value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    );
    assert!(set_cookie.starts_with("sid="));
    assert_eq!(attribute(&set_cookie, "Path").as_deref(), Some("/"));
    assert_eq!(attribute(&set_cookie, "SameSite").as_deref(), Some("Lax"));
    assert!(attribute(&set_cookie, "HttpOnly").is_some());
    assert!(
        attribute(&set_cookie, "Max-Age").is_none() && attribute(&set_cookie, "Expires").is_none()
    );
    assert_eq!(
        response.header("cache-control").as_deref(),
        Some("no-store")
    );
    assert_eq!(response.header("vary").as_deref(), Some("Cookie"));
}

#[tokio::test]
async fn lazy_sessions_create_nothing_until_written() {
    let world = World::new();
    for _ in 0..100 {
        let response = Browser::new().visit(&world.manager).await;
        assert!(response.set_cookie().is_none());
        let response = Browser::new()
            .request(&world.manager, |session| {
                let _: Option<u64> = session.get("anything").unwrap();
                200
            })
            .await;
        assert!(response.set_cookie().is_none());
        assert_eq!(
            response.header("vary").as_deref(),
            Some("Cookie"),
            "reading the session varies on Cookie"
        );
    }
    assert!(world.store.is_empty());
}

#[tokio::test]
async fn eager_mode_creates_on_the_first_response() {
    let world = World::with(|config| config.with_eager(true));
    let mut browser = Browser::new();
    let response = browser.visit(&world.manager).await;
    assert!(response.set_cookie().is_some());
    assert_eq!(world.store.len(), 1);
    let response = browser.visit(&world.manager).await;
    assert!(
        response.set_cookie().is_none(),
        "an existing session is not re-created"
    );
    assert_eq!(world.store.len(), 1);
}

#[tokio::test]
async fn eager_mode_replaces_a_forged_cookie_the_handler_never_read() {
    let world = World::with(|config| config.with_eager(true));
    let mut browser = Browser {
        cookie: Some(format!("sid={}.{}", "A".repeat(43), "B".repeat(43))),
    };
    let response = browser.visit(&world.manager).await;
    assert!(response.set_cookie().is_some(), "a new session replaces it");
    assert_eq!(world.store.len(), 1);
}

#[tokio::test]
async fn nothing_is_saved_for_a_server_error() {
    let world = World::new();
    let response = Browser::new()
        .request(&world.manager, |session| {
            session.insert("x", &1).unwrap();
            500
        })
        .await;
    assert!(response.set_cookie().is_none());
    assert!(world.store.is_empty());

    let mut browser = Browser::new();
    browser.request(&world.manager, count).await;
    browser
        .request(&world.manager, |session| {
            count(session);
            503
        })
        .await;
    let seen = browser.read_counter(&world.manager).await;
    assert_eq!(seen, 1, "the 5xx request's write was discarded");
}

#[tokio::test]
async fn read_only_requests_write_nothing() {
    let world = World::new();
    let mut browser = Browser::new();
    browser.request(&world.manager, count).await;
    let id = SequentialIds::id(1);
    let before = world
        .store
        .load(&id, world.clock_now())
        .await
        .unwrap()
        .unwrap();
    world.advance(1);
    let response = browser
        .request(&world.manager, |session| {
            counter(session);
            200
        })
        .await;
    assert!(response.set_cookie().is_none());
    let after = world
        .store
        .load(&id, world.clock_now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        before, after,
        "a read-only request must not touch the record"
    );
}

#[tokio::test]
async fn clear_keeps_the_id() {
    let world = World::new();
    let mut browser = Browser::new();
    browser.request(&world.manager, count).await;
    browser.request(&world.manager, count).await;
    let response = browser
        .request(&world.manager, |session| {
            session.clear().unwrap();
            assert!(session.is_empty());
            200
        })
        .await;
    assert!(response.set_cookie().is_none());
    let mut seen = (0, Cause::New, None);
    browser
        .request(&world.manager, |session| {
            count(session);
            seen = (counter(session), session.cause(), session.id());
            200
        })
        .await;
    assert_eq!(seen, (1, Cause::Success, Some(SequentialIds::id(1))));
}

#[tokio::test]
async fn cycle_id_keeps_the_data_and_retires_the_old_id() {
    let world = World::new();
    let mut browser = Browser::new();
    browser
        .request(&world.manager, |session| {
            session.insert("cart", &3).unwrap();
            200
        })
        .await;
    let old_cookie = browser.cookie.clone().unwrap();
    let response = browser
        .request(&world.manager, |session| {
            session.cycle_id().unwrap();
            session.insert("user", "u").unwrap();
            200
        })
        .await;
    let new_cookie = browser.cookie.clone().unwrap();
    assert_ne!(old_cookie, new_cookie);
    assert!(response.set_cookie().is_some());
    let mut keys = Vec::new();
    browser
        .request(&world.manager, |session| {
            keys = session.keys();
            assert_eq!(session.get::<i32>("cart").unwrap(), Some(3));
            200
        })
        .await;
    assert_eq!(keys, ["cart", "user"]);
    assert_eq!(world.store.len(), 1, "the old record is gone");

    let mut replay = Browser {
        cookie: Some(old_cookie),
    };
    let mut cause = Cause::New;
    replay
        .request(&world.manager, |session| {
            cause = session.cause();
            assert!(session.is_empty());
            200
        })
        .await;
    assert_eq!(cause, Cause::NoStore);
}

#[tokio::test]
async fn destroy_deletes_and_removes_the_cookie() {
    let world = World::with(|config| {
        config
            .with_path("/app")
            .with_domain("example.com")
            .with_secure(true)
    });
    let mut browser = Browser::new();
    browser.request(&world.manager, count).await;
    let old_cookie = browser.cookie.clone().unwrap();
    let response = browser.request(&world.manager, log_out).await;
    let removal = response.set_cookie().unwrap();
    assert_eq!(cookie_value(&removal), "");
    assert_eq!(attribute(&removal, "Max-Age").as_deref(), Some("0"));
    assert_eq!(
        attribute(&removal, "Expires").as_deref(),
        Some("Thu, 01 Jan 1970 00:00:00 GMT")
    );
    assert_eq!(attribute(&removal, "Path").as_deref(), Some("/app"));
    assert_eq!(
        attribute(&removal, "Domain").as_deref(),
        Some("example.com")
    );
    assert!(attribute(&removal, "Secure").is_some() && attribute(&removal, "HttpOnly").is_some());
    assert_eq!(attribute(&removal, "SameSite").as_deref(), Some("Lax"));
    assert!(browser.cookie.is_none());
    assert!(world.store.is_empty());

    let mut replay = Browser {
        cookie: Some(old_cookie),
    };
    let mut cause = Cause::New;
    replay
        .request(&world.manager, |session| {
            cause = session.cause();
            200
        })
        .await;
    assert_eq!(cause, Cause::NoStore);
}

#[tokio::test]
async fn destroy_then_write_starts_a_new_session_with_one_cookie() {
    let world = World::new();
    let mut browser = Browser::new();
    browser.request(&world.manager, count).await;
    let old = browser.cookie.clone();
    let response = browser
        .request(&world.manager, |session| {
            session.cycle_id().unwrap();
            session.destroy().unwrap();
            session.insert("fresh", &true).unwrap();
            200
        })
        .await;
    assert_eq!(
        response
            .outcome
            .headers()
            .into_iter()
            .filter(|(name, _)| *name == "set-cookie")
            .count(),
        1
    );
    assert!(!response.set_cookie().unwrap().contains("Max-Age=0"));
    assert_ne!(browser.cookie, old);
    let mut keys = Vec::new();
    browser
        .request(&world.manager, |session| {
            keys = session.keys();
            200
        })
        .await;
    assert_eq!(keys, ["fresh"]);
    assert_eq!(world.store.len(), 1);
}

#[tokio::test]
async fn anonymous_logout_sends_nothing() {
    let world = World::new();
    for _ in 0..100 {
        let response = Browser::new().request(&world.manager, log_out).await;
        assert!(response.set_cookie().is_none());
    }
    assert!(world.store.is_empty());
}

#[tokio::test]
async fn stacked_managers_keep_separate_sessions() {
    let world = World::new();
    let admin = world.sibling(|config| {
        config
            .with_cookie_name("admin_sid")
            .with_session_object("admin")
    });
    let mut user_browser = Browser::new();
    let mut admin_browser = Browser::new();
    user_browser
        .request(&world.manager, |session| {
            session.insert("who", "user").unwrap();
            200
        })
        .await;
    admin_browser
        .request(&admin, |session| {
            session.insert("who", "admin").unwrap();
            200
        })
        .await;
    assert!(
        admin_browser
            .cookie
            .as_deref()
            .unwrap()
            .starts_with("admin_sid=")
    );
    assert_eq!(admin.sessions().config().session_object(), "admin");
    // The user cookie means nothing to the admin manager: the name is bound into the MAC.
    let renamed = user_browser
        .cookie
        .clone()
        .unwrap()
        .replacen("sid=", "admin_sid=", 1);
    let mut cause = Cause::New;
    Browser {
        cookie: Some(renamed),
    }
    .request(&admin, |session| {
        cause = session.cause();
        200
    })
    .await;
    assert_eq!(cause, Cause::InvalidSignature);
}

#[tokio::test]
async fn payload_cap_rejects_oversized_inserts() {
    let world = World::with(|config| config.with_max_payload_bytes(100));
    let mut browser = Browser::new();
    browser
        .request(&world.manager, |session| {
            session.insert("small", &"x".repeat(40)).unwrap();
            let error = session.insert("big", &"x".repeat(80)).unwrap_err();
            assert!(
                error.to_string().contains("over its cap of 100 bytes"),
                "{error}"
            );
            assert_eq!(
                session.keys(),
                ["small"],
                "a refused insert changes nothing"
            );
            200
        })
        .await;
    let mut value = None;
    browser
        .request(&world.manager, |session| {
            value = session.get_value("small");
            200
        })
        .await;
    assert_eq!(value, Some(json!("x".repeat(40))));
}

#[tokio::test]
async fn sessions_kept_after_the_request_are_inert() {
    let world = World::new();
    let mut kept = None;
    Browser::new()
        .request(&world.manager, |session| {
            count(session);
            kept = Some(session.clone());
            200
        })
        .await;
    let kept = kept.unwrap();
    assert!(kept.insert("late", &1).is_err());
    assert_eq!(kept.get::<u64>("test_counter").unwrap(), None);
}

trait ClockNow {
    fn clock_now(&self) -> std::time::SystemTime;
}

impl ClockNow for World {
    fn clock_now(&self) -> std::time::SystemTime {
        fastsession_core::time::Clock::now(&self.clock)
    }
}
