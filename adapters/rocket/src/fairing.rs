//! The fairing.

use std::fmt;
use std::io::Cursor;
use std::sync::{Mutex, PoisonError};

use fastsession_core::adapter::{
    Finished as _, RequestHeaders, ResponseHeaders, SessionManager, SessionRegistry, Sessions,
};
use fastsession_core::store::SessionStore;
use fastsession_core::{Config, ConfigError};
use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{ContentType, HeaderMap, Status};
use rocket::{Data, Request, Response};

/// The session fairing: `rocket::build().attach(SessionFairing::new(config, store)?)`.
///
/// # Examples
///
/// ```
/// use fastsession_rocket::{Config, Key, MemoryStore, SessionFairing};
///
/// let config = Config::new(Key::generate().unwrap());
/// let rocket = rocket::build().attach(SessionFairing::new(config, MemoryStore::new()).unwrap());
/// ```
pub struct SessionFairing<S> {
    manager: SessionManager<S>,
}

impl<S: fmt::Debug> fmt::Debug for SessionFairing<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionFairing")
            .field("manager", &self.manager)
            .finish()
    }
}

impl<S: SessionStore> SessionFairing<S> {
    /// The fairing with this configuration over `store`.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] for an impossible or dangerous setting: the message names the value
    /// and says what is allowed.
    pub fn new(config: Config, store: S) -> Result<Self, ConfigError> {
        Ok(Self {
            manager: SessionManager::new(Sessions::new(config)?, store),
        })
    }

    /// The fairing over an existing manager.
    pub fn from_manager(manager: SessionManager<S>) -> Self {
        Self { manager }
    }
}

/// The request-local state this crate keeps: every session of the request, and the status of a
/// guard that failed (so the response gets the generic body rather than a catcher page).
#[derive(Default)]
pub(crate) struct Local {
    pub(crate) sessions: Mutex<SessionRegistry>,
    pub(crate) rejected: Mutex<Option<(u16, &'static str)>>,
}

pub(crate) fn local<'r>(request: &'r Request<'_>) -> &'r Local {
    request.local_cache(Local::default)
}

struct Headers<'a>(&'a HeaderMap<'a>);

impl RequestHeaders for Headers<'_> {
    fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.0.get(name).map(str::as_bytes)
    }
}

#[rocket::async_trait]
impl<S: SessionStore> Fairing for SessionFairing<S> {
    fn info(&self) -> Info {
        Info {
            name: "fastsession",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, request: &mut Request<'_>, _data: &mut Data<'_>) {
        let session = self.manager.start(&Headers(request.headers()));
        local(request)
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(session);
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        let local = local(request);
        let name = self.manager.sessions().config().session_object();
        let session = local
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .cloned();
        let Some(session) = session else { return };
        let finished = session.finish(response.status().code).await;
        let rejected = *local
            .rejected
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let replacement = finished
            .replacement()
            .or_else(|| rejected.filter(|(status, _)| *status == response.status().code));
        if let Some((status, body)) = replacement {
            *response = Response::build()
                .status(Status::new(status))
                .header(ContentType::Plain)
                .sized_body(body.len(), Cursor::new(body))
                .finalize();
        }
        finished.append_to(&mut ResponseFields(response));
    }
}

/// rocket's response, as the core writes headers.
struct ResponseFields<'a, 'r>(&'a mut Response<'r>);

impl ResponseHeaders for ResponseFields<'_, '_> {
    fn remove(&mut self, name: &'static str) {
        self.0.remove_header(name);
    }

    fn append(&mut self, name: &str, value: &str) {
        self.0.adjoin_raw_header(name.to_owned(), value.to_owned());
    }

    fn append_static(&mut self, name: &'static str, value: &'static str) {
        self.0.adjoin_raw_header(name, value);
    }
}
