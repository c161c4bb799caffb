//! Sessions carried in a request header, for API and mobile clients: the same signed value,
//! verified, rotated and expired the same way; returned in the same header, never as a cookie;
//! an empty header when the session ends; `Vary` naming the header; and, with both transports,
//! the cookie first and the response answering in the way the request came.

mod common;

use common::{World, config, count, key};
use fastsession_core::adapter::{Committed, SaveError, SessionManager, Sessions};
use fastsession_core::testing::{ManualClock, Probe, SequentialIds};
use fastsession_core::{Cause, Config, KeyRing, MemoryStore, Session, Transport};

/// One request with these headers; the handler's status, the outcome's headers (name, value).
async fn send(
    manager: &SessionManager<impl fastsession_core::store::SessionStore>,
    headers: &[(&str, &str)],
    handler: impl FnOnce(&Session) -> u16,
) -> Sent {
    let headers: Vec<(&str, &[u8])> = headers
        .iter()
        .map(|(name, value)| (*name, value.as_bytes()))
        .collect();
    let request = manager.start(headers.as_slice());
    let status = match request.session().await {
        Ok(session) => handler(&session),
        Err(error) => error.status(),
    };
    let outcome = request.finish(status).await;
    let fields = match &outcome {
        Ok(committed) => committed.headers().map(owned).collect(),
        Err(error) => error.headers().map(owned).collect(),
    };
    Sent(outcome, fields)
}

/// What one request gave: its outcome, and the headers of its response.
struct Sent(Result<Committed, SaveError>, Vec<(String, String)>);

fn owned((name, value): (&str, &str)) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(field, _)| field == name)
        .map(|(_, value)| value.as_str())
}

fn header_world(adjust: impl FnOnce(Config) -> Config) -> World {
    World::with(|config| adjust(config.with_transport(Transport::Header)))
}

/// Why a request with these headers gets the session it gets.
async fn cause_of(
    manager: &SessionManager<impl fastsession_core::store::SessionStore>,
    headers: &[(&str, &str)],
) -> Cause {
    let mut seen = None;
    send(manager, headers, |session| {
        seen = Some(session.cause());
        200
    })
    .await;
    seen.expect("the handler ran")
}

/// A new session's value, as the header returns it.
async fn new_value(manager: &SessionManager<impl fastsession_core::store::SessionStore>) -> String {
    let Sent(committed, _) = send(manager, &[], count).await;
    committed
        .unwrap()
        .session_token()
        .unwrap()
        .as_str()
        .to_owned()
}

#[tokio::test]
async fn a_header_session_is_returned_in_the_header_and_never_as_a_cookie() {
    let world = header_world(|config| config);
    let Sent(_, fields) = send(&world.manager, &[], count).await;
    assert_eq!(field(&fields, "set-cookie"), None, "no cookie, ever");
    let value = field(&fields, "authorization").expect("the session header");
    assert!(value.starts_with("Session ") && value.len() == "Session ".len() + 87);
    assert_eq!(field(&fields, "vary"), Some("authorization"));
    assert_eq!(field(&fields, "cache-control"), Some("no-store"));

    let header = [("authorization", value)];
    let Sent(_, fields) = send(&world.manager, &header, count).await;
    assert_eq!(
        fields.len(),
        1,
        "a continued session only varies: {fields:?}"
    );
    assert_eq!(field(&fields, "vary"), Some("authorization"));
    let mut n = 0;
    send(&world.manager, &header, |session| {
        n = session.get::<u64>("test_counter").unwrap().unwrap();
        200
    })
    .await;
    assert_eq!(n, 2);
}

#[tokio::test]
async fn a_cookie_is_not_read_when_the_session_travels_in_a_header() {
    let world = World::new();
    let Sent(committed, _) = send(&world.manager, &[], count).await;
    let cookie = committed.unwrap().set_cookie().unwrap().as_str().to_owned();
    let pair = cookie.split(';').next().unwrap().to_owned();
    let headers = world.sibling(|config| config.with_transport(Transport::Header));
    assert_eq!(cause_of(&headers, &[("cookie", &pair)]).await, Cause::New);
}

#[tokio::test]
async fn tampered_values_and_other_schemes_start_a_new_session() {
    let world = header_world(|config| config);
    let Sent(committed, _) = send(&world.manager, &[], count).await;
    let value = committed
        .unwrap()
        .session_token()
        .unwrap()
        .value()
        .to_owned();
    let mut tampered = value.clone().into_bytes();
    tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
    let tampered = format!("Session {}", String::from_utf8(tampered).unwrap());
    assert_eq!(
        cause_of(&world.manager, &[("authorization", &tampered)]).await,
        Cause::InvalidSignature
    );
    let bearer = format!("Bearer {value}");
    assert_eq!(
        cause_of(&world.manager, &[("authorization", &bearer)]).await,
        Cause::New,
        "another scheme is not ours"
    );
    let lower = format!("session {value}");
    assert_eq!(
        cause_of(&world.manager, &[("authorization", &lower)]).await,
        Cause::Success,
        "the scheme is case-insensitive"
    );
}

#[tokio::test]
async fn rotation_returns_a_new_value_and_the_old_one_is_dead() {
    let world = header_world(|config| config);
    let old = new_value(&world.manager).await;
    let Sent(committed, _) = send(&world.manager, &[("authorization", &old)], |session| {
        session.cycle_id().unwrap();
        200
    })
    .await;
    let new = committed
        .unwrap()
        .session_token()
        .unwrap()
        .as_str()
        .to_owned();
    assert_ne!(new, old);
    assert_eq!(
        cause_of(&world.manager, &[("authorization", &old)]).await,
        Cause::NoStore
    );
    assert_eq!(
        cause_of(&world.manager, &[("authorization", &new)]).await,
        Cause::Success
    );
}

#[tokio::test]
async fn a_logout_answers_an_empty_header_and_no_cookie() {
    let world = header_world(|config| config);
    let value = new_value(&world.manager).await;
    let Sent(committed, fields) = send(&world.manager, &[("authorization", &value)], |session| {
        session.destroy().unwrap();
        200
    })
    .await;
    let token = committed
        .unwrap()
        .session_token()
        .cloned()
        .expect("a removal");
    assert!(token.is_removal());
    assert_eq!(field(&fields, "authorization"), Some(""));
    assert_eq!(field(&fields, "set-cookie"), None);
    assert!(world.store.is_empty());
}

#[tokio::test]
async fn a_failed_logout_still_tells_the_client_to_forget_its_session() {
    let world = header_world(|config| config);
    let (manager, store) = world.faulty();
    let value = new_value(&manager).await;
    Probe::set(&store.probe().fail_delete, true);
    let Sent(outcome, fields) = send(&manager, &[("authorization", &value)], |session| {
        session.destroy().unwrap();
        200
    })
    .await;
    let error = outcome.expect_err("the delete failed");
    assert!(
        error
            .removal_token()
            .is_some_and(|token| token.is_removal())
    );
    assert_eq!(error.removal_cookie(), None);
    assert_eq!(field(&fields, "authorization"), Some(""));
}

#[tokio::test]
async fn expiry_applies_to_header_sessions_as_to_cookies() {
    let world = header_world(|config| config);
    let value = new_value(&world.manager).await;
    world.advance(12 * 3600 + 1);
    assert_eq!(
        cause_of(&world.manager, &[("authorization", &value)]).await,
        Cause::Expired
    );
}

#[tokio::test]
async fn another_header_carries_the_bare_value() {
    let world = header_world(|config| config.with_session_header("X-Session"));
    let Sent(_, fields) = send(&world.manager, &[], count).await;
    let value = field(&fields, "x-session")
        .expect("the session header")
        .to_owned();
    assert_eq!(value.len(), 87);
    assert_eq!(field(&fields, "vary"), Some("x-session"));
    assert_eq!(
        cause_of(&world.manager, &[("X-Session", &value)]).await,
        Cause::Success
    );
}

#[tokio::test]
async fn values_under_an_old_key_are_reissued_in_the_header() {
    let clock = ManualClock::new();
    let ids = SequentialIds::new();
    let old = Sessions::new(config(&clock, &ids).with_transport(Transport::Header)).unwrap();
    let store = MemoryStore::new();
    let old = SessionManager::new(old, store.clone());
    let value = new_value(&old).await;
    let ring = KeyRing::new([key([0x77; 32]), key(common::KEY)]).unwrap();
    let rotated = config(&clock, &ids)
        .with_keys(ring)
        .with_transport(Transport::Header);
    let rotated = SessionManager::new(Sessions::new(rotated).unwrap(), store);
    let Sent(committed, fields) = send(&rotated, &[("authorization", &value)], count).await;
    let reissued = committed
        .unwrap()
        .session_token()
        .unwrap()
        .as_str()
        .to_owned();
    assert_ne!(reissued, value, "signed under the new key");
    assert_eq!(field(&fields, "set-cookie"), None);
    let mut n = 0;
    send(&rotated, &[("authorization", &reissued)], |session| {
        n = session.get::<u64>("test_counter").unwrap().unwrap();
        200
    })
    .await;
    assert_eq!(n, 2, "the same session");
}

#[tokio::test]
async fn with_both_the_cookie_comes_first_and_the_response_answers_in_kind() {
    let world = World::with(|config| config.with_transport(Transport::CookieOrHeader));
    let rotate = |session: &Session| {
        session.cycle_id().unwrap();
        200
    };
    let pair = |committed: &Committed| {
        let cookie = committed.set_cookie().unwrap().as_str();
        cookie.split(';').next().unwrap().to_owned()
    };
    // A request that carried nothing is answered both ways.
    let Sent(first, fields) = send(&world.manager, &[], count).await;
    let first = first.unwrap();
    assert!(first.set_cookie().is_some() && first.session_token().is_some());
    assert_eq!(field(&fields, "vary"), Some("Cookie, authorization"));
    // One that came by cookie, by cookie only.
    let Sent(by_cookie, _) = send(&world.manager, &[("cookie", &pair(&first))], rotate).await;
    let by_cookie = by_cookie.unwrap();
    assert!(by_cookie.set_cookie().is_some() && by_cookie.session_token().is_none());
    let cookie = pair(&by_cookie);
    // One that came by header, by header only.
    let Sent(second, _) = send(&world.manager, &[], count).await;
    let header = second.unwrap().session_token().unwrap().as_str().to_owned();
    let Sent(by_header, _) = send(&world.manager, &[("authorization", &header)], rotate).await;
    let by_header = by_header.unwrap();
    assert!(by_header.set_cookie().is_none() && by_header.session_token().is_some());
    let header = by_header.session_token().unwrap().as_str().to_owned();
    send(&world.manager, &[("authorization", &header)], count).await;
    // Both carried, of two live sessions (counters 1 and 2): the cookie's is the one used.
    let mut n = 0;
    send(
        &world.manager,
        &[("cookie", &cookie), ("authorization", &header)],
        |session| {
            n = session.get::<u64>("test_counter").unwrap().unwrap_or(0);
            200
        },
    )
    .await;
    assert_eq!(n, 1, "the cookie's session, not the header's");
}
