//! The sans-IO lifecycle, driven by hand as a framework-less integration does (the hyper example
//! does exactly this): `begin_request`, `load`, `finish`, `commit`, and the headers put on an
//! `http::HeaderMap`, with no `SessionManager`.

use fastsession_core::testing::store_suite::start as now;
use fastsession_core::testing::{FaultyStore, Probe, SequentialIds};
use fastsession_core::{
    Config, Key, MemoryStore, SessionError, adapter::ERROR_BODY, adapter::ExtractError,
    adapter::Rejection, adapter::Sessions, adapter::TOO_LARGE_BODY, store::StoreError,
};
use http::HeaderMap;
use http::header::{CACHE_CONTROL, COOKIE, SET_COOKIE, VARY};

fn sessions() -> Sessions {
    let key = Key::try_from(&[3u8; 32][..]).unwrap();
    let config = Config::new(key)
        .with_secure(false)
        .with_id_generator(SequentialIds::new());
    Sessions::new(config).unwrap()
}

/// The `name=value` pair of a `Set-Cookie` value.
fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

/// Request headers carrying `cookie`.
fn with_cookie(cookie: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(COOKIE, cookie.parse().unwrap());
    headers
}

fn values<'a>(headers: &'a HeaderMap, name: &http::HeaderName) -> Vec<&'a str> {
    headers
        .get_all(name)
        .iter()
        .map(|value| value.to_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_request_by_hand_sets_the_cookie_and_replaces_the_apps_cache_control() {
    let (sessions, store) = (sessions(), MemoryStore::new());
    let handle = sessions.begin(&HeaderMap::new());
    let session = handle.load(&store, now()).await.unwrap().unwrap();
    session.insert("user", "ada").unwrap();
    let committed = sessions
        .finish(handle, 200, now())
        .commit(&store, now())
        .await
        .unwrap();

    let mut response = HeaderMap::new();
    response.insert(CACHE_CONTROL, "public, max-age=3600".parse().unwrap());
    committed.append_to(&mut response);
    assert_eq!(values(&response, &CACHE_CONTROL), ["no-store"]);
    assert_eq!(values(&response, &VARY), ["Cookie"]);
    let cookie = pair(values(&response, &SET_COOKIE)[0]);
    let handle = sessions.begin(&with_cookie(&cookie));
    let session = handle.load(&store, now()).await.unwrap().unwrap();
    assert_eq!(
        session.get::<String>("user").unwrap().as_deref(),
        Some("ada")
    );
}

#[tokio::test]
async fn a_failed_logout_answers_the_removal_cookie_uncached() {
    let (sessions, store) = (sessions(), FaultyStore::new(MemoryStore::new()));
    let handle = sessions.begin(&HeaderMap::new());
    handle
        .load(&store, now())
        .await
        .unwrap()
        .unwrap()
        .insert("user", "ada")
        .unwrap();
    let committed = sessions
        .finish(handle, 200, now())
        .commit(&store, now())
        .await
        .unwrap();
    let cookie = pair(committed.set_cookie().unwrap().as_str());
    let handle = sessions.begin(&with_cookie(&cookie));
    handle
        .load(&store, now())
        .await
        .unwrap()
        .unwrap()
        .destroy()
        .unwrap();
    Probe::set(&store.probe().fail_delete, true);
    let error = sessions
        .finish(handle, 200, now())
        .commit(&store, now())
        .await
        .unwrap_err();
    let mut response = HeaderMap::new();
    error.append_to(&mut response);
    assert!(values(&response, &SET_COOKIE)[0].starts_with("sid=;"));
    assert_eq!(values(&response, &CACHE_CONTROL), ["no-store"]);
    assert_eq!(error.headers().count(), 3);
}

#[test]
fn load_and_session_errors_map_to_a_status_and_a_generic_body() {
    let unavailable = Rejection::from(ExtractError::Unavailable(StoreError::timeout()));
    assert_eq!(
        (unavailable.status(), unavailable.body()),
        (503, ERROR_BODY)
    );
    let too_large = Rejection::from(SessionError::TooLarge {
        size: 70_000,
        max: 65_536,
    });
    assert_eq!(
        (too_large.status(), too_large.body()),
        (413, TOO_LARGE_BODY)
    );
    let skipped = Rejection::from(ExtractError::Skipped);
    assert_eq!((skipped.status(), skipped.body()), (500, ERROR_BODY));
}
