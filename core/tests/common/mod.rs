//! A tiny browser for driving the engine end to end: a cookie jar, a manual clock, sequential
//! IDs, and requests that run a handler between `start` and `finish`.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test file uses a different part"
)]

use std::time::Duration;

use fastsession_core::testing::{FaultyStore, ManualClock, SequentialIds};
use fastsession_core::{
    Cause, Config, Key, KeyRing, MemoryStore, Session,
    adapter::SessionManager,
    adapter::Sessions,
    adapter::{Committed, Finished as _, SaveError, SetCookie},
    store::SessionStore,
};

pub const KEY: [u8; 32] = [0x42; 32];
pub const OLD_KEY: [u8; 32] = [0x17; 32];

pub fn key(bytes: [u8; 32]) -> Key {
    Key::try_from(&bytes[..]).unwrap()
}

/// The test configuration: plain HTTP, manual clock, sequential IDs.
pub fn config(clock: &ManualClock, ids: &SequentialIds) -> Config {
    Config::new(KeyRing::from(key(KEY)))
        .with_secure(false)
        .with_clock(clock.clone())
        .with_id_generator(ids.clone())
}

pub struct World {
    pub clock: ManualClock,
    pub ids: SequentialIds,
    pub store: MemoryStore,
    pub manager: SessionManager<MemoryStore>,
}

impl World {
    pub fn new() -> Self {
        Self::with(|config| config)
    }

    pub fn with(adjust: impl FnOnce(Config) -> Config) -> Self {
        let clock = ManualClock::new();
        let ids = SequentialIds::new();
        let store = MemoryStore::new();
        let sessions = Sessions::new(adjust(config(&clock, &ids))).unwrap();
        let manager = SessionManager::new(sessions, store.clone());
        Self {
            clock,
            ids,
            store,
            manager,
        }
    }

    /// Another app over the same store and clock, with its own configuration.
    pub fn sibling(&self, adjust: impl FnOnce(Config) -> Config) -> SessionManager<MemoryStore> {
        let sessions = Sessions::new(adjust(config(&self.clock, &self.ids))).unwrap();
        SessionManager::new(sessions, self.store.clone())
    }

    /// A manager over a [`FaultyStore`] wrapping this world's store, with this world's engine.
    pub fn faulty(
        &self,
    ) -> (
        SessionManager<FaultyStore<MemoryStore>>,
        FaultyStore<MemoryStore>,
    ) {
        let store = FaultyStore::new(self.store.clone());
        let manager = SessionManager::new(self.manager.sessions().clone(), store.clone());
        (manager, store)
    }

    pub fn advance(&self, seconds: u64) {
        self.clock.advance(Duration::from_secs(seconds));
    }
}

/// What `RequestSession::finish` returned, read the way an adapter reads it: the cookie and
/// headers of either the committed response or the 500 that replaces it.
#[derive(Debug)]
pub struct Outcome(pub Result<Committed, SaveError>);

impl Outcome {
    pub fn set_cookie(&self) -> Option<&SetCookie> {
        match &self.0 {
            Ok(committed) => committed.set_cookie(),
            Err(error) => error.removal_cookie(),
        }
    }

    pub fn headers(&self) -> Vec<(&str, &str)> {
        match &self.0 {
            Ok(committed) => committed.headers().collect(),
            Err(error) => error.headers().collect(),
        }
    }

    /// The status that replaces the handler's, when saving failed.
    pub fn error_status(&self) -> Option<u16> {
        self.0.replacement().map(|(status, _)| status)
    }
}

/// What one request produced.
#[derive(Debug)]
pub struct Response {
    pub outcome: Outcome,
    pub status: u16,
}

impl Response {
    pub fn set_cookie(&self) -> Option<String> {
        self.outcome
            .set_cookie()
            .map(|cookie| cookie.as_str().to_owned())
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.outcome
            .headers()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_owned())
    }
}

/// A cookie jar for one cookie name, replaying `Set-Cookie` like a browser (ignoring
/// attributes other than removal).
#[derive(Clone, Debug, Default)]
pub struct Browser {
    pub cookie: Option<String>,
}

impl Browser {
    pub fn new() -> Self {
        Self::default()
    }

    /// The `name=value` pair the browser would send.
    pub fn cookie_header(&self) -> Option<String> {
        self.cookie.clone()
    }

    pub fn absorb(&mut self, response: &Response) {
        if let Some(cookie) = response.outcome.set_cookie() {
            let pair = cookie.as_str().split(';').next().unwrap().to_owned();
            self.cookie = if cookie.is_removal() {
                None
            } else {
                Some(pair)
            };
        }
    }

    /// Runs `handler` with the session (extracted), finishing with `status`.
    pub async fn request<S: SessionStore, F>(
        &mut self,
        manager: &SessionManager<S>,
        handler: F,
    ) -> Response
    where
        F: FnOnce(&Session) -> u16,
    {
        let response = send(manager, self.cookie_header().as_deref(), Some(handler)).await;
        self.absorb(&response);
        response
    }

    /// A request whose handler reads Python FastSession's counter, and the value it read.
    pub async fn read_counter<S: SessionStore>(&mut self, manager: &SessionManager<S>) -> u64 {
        let mut n = 0;
        self.request(manager, |session| {
            n = counter(session);
            200
        })
        .await;
        n
    }

    /// A request whose handler never touches the session.
    pub async fn visit<S: SessionStore>(&mut self, manager: &SessionManager<S>) -> Response {
        let response =
            send::<S, fn(&Session) -> u16>(manager, self.cookie_header().as_deref(), None).await;
        self.absorb(&response);
        response
    }
}

/// One request with an explicit Cookie header.
pub async fn send<S: SessionStore, F>(
    manager: &SessionManager<S>,
    cookie: Option<&str>,
    handler: Option<F>,
) -> Response
where
    F: FnOnce(&Session) -> u16,
{
    let headers: Vec<(&str, &[u8])> = cookie
        .map(|c| ("cookie", c.as_bytes()))
        .into_iter()
        .collect();
    let request = manager.start(headers.as_slice());
    let status = match handler {
        Some(handler) => match request.session().await {
            Ok(session) => handler(&session),
            Err(error) => error.status(),
        },
        None => 200,
    };
    let outcome = Outcome(request.finish(status).await);
    let status = outcome.error_status().unwrap_or(status);
    Response { outcome, status }
}

/// Python FastSession's counter as one request with this `Cookie` header reads it.
pub async fn read_counter<S: SessionStore>(
    manager: &SessionManager<S>,
    cookie: Option<&str>,
) -> u64 {
    let mut n = 0;
    send(
        manager,
        cookie,
        Some(|session: &Session| {
            n = counter(session);
            200
        }),
    )
    .await;
    n
}

/// Why a request with this `Cookie` header gets the session it gets.
pub async fn cause_of<S: SessionStore>(manager: &SessionManager<S>, cookie: Option<&str>) -> Cause {
    let mut cause = Cause::New;
    send(
        manager,
        cookie,
        Some(|session: &Session| {
            cause = session.cause();
            200
        }),
    )
    .await;
    cause
}

/// Python FastSession's counter: increments `test_counter` and returns 200.
pub fn count(session: &Session) -> u16 {
    session.increment("test_counter", 1).unwrap();
    200
}

/// Logout: destroys the session and returns 200.
pub fn log_out(session: &Session) -> u16 {
    session.destroy().unwrap();
    200
}

pub fn counter(session: &Session) -> u64 {
    session.get("test_counter").unwrap().unwrap_or(0)
}

/// The value of a `Set-Cookie` header (between `=` and the first `;`).
pub fn cookie_value(set_cookie: &str) -> &str {
    set_cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
}

/// The attribute `name` of a `Set-Cookie` header (case-insensitive), with its value if any.
pub fn attribute(set_cookie: &str, name: &str) -> Option<String> {
    set_cookie
        .split(';')
        .skip(1)
        .map(str::trim)
        .find_map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            key.eq_ignore_ascii_case(name).then(|| value.to_owned())
        })
}
