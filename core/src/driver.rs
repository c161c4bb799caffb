//! [`SessionManager`] and [`RequestSession`]: the async driver that makes adapters thin.
//!
//! An adapter does four things, and nothing about session semantics:
//!
//! 1. before the handler: `let request = manager.start(&headers);` and put `request` into the
//!    request's extensions (several managers with different cookie names can share a request
//!    through [`RequestSessions`]);
//! 2. in its extractor: `request.session().await`, mapping an [`ExtractError`] to
//!    [`ExtractError::status`] with the generic [`ERROR_BODY`];
//! 3. after the handler: `let outcome = request.finish(status).await;`
//! 4. append every `outcome.headers()` to the response, or, when
//!    [`Outcome::error_status`] is set, answer that status with [`ERROR_BODY`] and only those
//!    headers.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

use crate::commit::SaveError;
use crate::cookie::SetCookie;
use crate::engine::{RequestHeaders, Sessions};
use crate::finish::{Finish, plan_finish};
use crate::handle::SessionHandle;
use crate::headers::{Field, ResponseHeaders, append_fields, replaced_fields, session_headers};
use crate::id::SessionId;
use crate::locks::{LockTable, SessionLock};
use crate::rejection::ExtractError;
use crate::session::Session;
use crate::store::time_limited::TimeLimited;
use crate::store::{SessionStore, StoreError};
use crate::time::to_millis;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The engine and its store, shared by every request of one middleware instance.
///
/// Cheap to clone.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// use fastsession_core::{Config, Key, MemoryStore, SessionManager, Sessions};
///
/// let sessions = Sessions::new(Config::new(Key::generate().unwrap().into()).with_secure(false)).unwrap();
/// let manager = SessionManager::new(sessions, MemoryStore::new());
///
/// // A request without a cookie, whose handler writes.
/// let headers: &[(&str, &[u8])] = &[];
/// let request = manager.start(headers);
/// request.session().await.unwrap().insert("user", "ada").unwrap();
/// let outcome = request.finish(200).await;
/// let cookie = outcome.headers().find(|(name, _)| *name == "set-cookie").unwrap().1.to_owned();
///
/// // The next request carries the cookie and finds the data.
/// let value = cookie.split(';').next().unwrap().to_owned();
/// let headers: &[(&str, &[u8])] = &[("cookie", value.as_bytes())];
/// let request = manager.start(headers);
/// let user: String = request.session().await.unwrap().get("user").unwrap().unwrap();
/// assert_eq!(user, "ada");
/// # });
/// ```
pub struct SessionManager<S> {
    inner: Arc<ManagerInner<S>>,
}

impl<S> Clone for SessionManager<S> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<S: fmt::Debug> fmt::Debug for SessionManager<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionManager")
            .field("sessions", &self.inner.sessions)
            .field("store", &self.inner.store.store)
            .finish()
    }
}

struct ManagerInner<S> {
    sessions: Sessions,
    store: TimeLimited<S>,
    locks: LockTable,
}

impl<S: SessionStore> SessionManager<S> {
    /// Pairs the engine with a store. Every store call is limited to the configured
    /// [store timeout](crate::Config::with_store_timeout).
    pub fn new(sessions: Sessions, store: S) -> Self {
        let limit = sessions.config().store_timeout();
        Self {
            inner: Arc::new(ManagerInner {
                sessions,
                store: TimeLimited::new(store, limit),
                locks: LockTable::default(),
            }),
        }
    }

    /// The engine.
    pub fn sessions(&self) -> &Sessions {
        &self.inner.sessions
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.inner.store.store
    }

    /// How many sessions have their per-request lock held or awaited right now (with request
    /// serialization on): every entry belongs to a request in flight, so this returns to zero
    /// when they are all over, cancelled ones included.
    pub fn locked_sessions(&self) -> usize {
        self.inner.locks.len()
    }

    /// Starts a request: applies the skip rules and reads the cookie (no store I/O).
    pub fn start<H: RequestHeaders + ?Sized>(&self, headers: &H) -> RequestSession {
        let sessions = &self.inner.sessions;
        let handle = sessions.begin_request(headers, sessions.now());
        RequestSession {
            inner: Arc::new(RequestInner {
                handle,
                driver: self.inner.clone(),
                loading: tokio::sync::Mutex::new(None),
            }),
        }
    }
}

/// What a [`RequestSession`] needs from its manager, with the store type erased.
trait Driver: Send + Sync {
    fn sessions(&self) -> &Sessions;
    /// Runs the handle's own load loop ([`SessionHandle::load`]) against the store.
    fn load<'a>(
        &'a self,
        handle: &'a SessionHandle,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<Option<Session>, StoreError>>;
    fn commit(
        &self,
        finish: Finish,
        now: SystemTime,
    ) -> BoxFuture<'_, Result<crate::Committed, SaveError>>;
    fn lock(&self, id: SessionId) -> BoxFuture<'_, SessionLock>;
}

impl<S: SessionStore> Driver for ManagerInner<S> {
    fn sessions(&self) -> &Sessions {
        &self.sessions
    }

    fn load<'a>(
        &'a self,
        handle: &'a SessionHandle,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<Option<Session>, StoreError>> {
        Box::pin(handle.load(&self.store, now))
    }

    fn commit(
        &self,
        finish: Finish,
        now: SystemTime,
    ) -> BoxFuture<'_, Result<crate::Committed, SaveError>> {
        Box::pin(finish.commit(&self.store, now))
    }

    fn lock(&self, id: SessionId) -> BoxFuture<'_, SessionLock> {
        Box::pin(self.locks.lock(id))
    }
}

/// One request's session as the driver sees it: put it in the request's extensions, get the
/// handler's [`Session`] from it with [`RequestSession::session`], and end it with
/// [`RequestSession::finish`].
///
/// Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct RequestSession {
    inner: Arc<RequestInner>,
}

struct RequestInner {
    handle: SessionHandle,
    driver: Arc<dyn Driver>,
    /// Serializes loading, and holds this session's lock until `finish`.
    loading: tokio::sync::Mutex<Option<SessionLock>>,
}

impl fmt::Debug for RequestSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestSession")
            .field("name", &self.name())
            .field("handle", &self.inner.handle)
            .finish()
    }
}

impl RequestSession {
    /// The session object name (see [`Config::with_session_object`](crate::Config::with_session_object)).
    pub fn name(&self) -> &str {
        self.inner.driver.sessions().config().session_object()
    }

    /// Whether a skip rule exempted this request.
    pub fn is_skipped(&self) -> bool {
        self.inner.handle.is_skipped()
    }

    /// The handler's session, loaded from the store on the first call. With request
    /// serialization on, this waits for other requests of the same session to finish.
    ///
    /// # Errors
    ///
    /// [`ExtractError::Skipped`] on a skipped request, [`ExtractError::Unavailable`] when the
    /// store failed, [`ExtractError::Finished`] after the request ended.
    pub async fn session(&self) -> Result<Session, ExtractError> {
        let inner = &self.inner;
        if let Some(session) = inner.handle.session() {
            return Ok(session);
        }
        if inner.handle.is_skipped() {
            tracing::error!(
                session_object = self.name(),
                "a handler required the session of a skipped request"
            );
            return Err(ExtractError::Skipped);
        }
        let mut held = inner.loading.lock().await;
        let sessions = inner.driver.sessions();
        // Opt-in session locking: the first candidate's lock, taken before loading and kept
        // until `finish` when that session turns out live.
        let lock = match inner.handle.next_load() {
            Some(id) if sessions.config().serializes_requests() => {
                // Bounded like a store call: a request that waits on itself (a handler calling its
                // own server with the user's cookie) or on a stuck one answers 503, never hangs.
                let limit = sessions.config().store_timeout();
                match tokio::time::timeout(limit, inner.driver.lock(id)).await {
                    Ok(lock) => Some(lock),
                    Err(_elapsed) => {
                        tracing::warn!(session = %id.label(), ?limit, "another request of this session held it past the store timeout; answering 503");
                        inner.handle.fail_load();
                        return Err(ExtractError::Unavailable(StoreError::timeout()));
                    }
                }
            }
            _ => None,
        };
        // The handle's own load loop: the driver only performs the I/O it asks for.
        let session = inner
            .driver
            .load(&inner.handle, sessions.now())
            .await
            .map_err(ExtractError::Unavailable)?;
        if inner.handle.cause() == crate::Cause::Success {
            *held = lock;
        }
        drop(held);
        session.ok_or(ExtractError::Finished)
    }

    /// Ends the request: decides and runs the store writes for a response with this status, and
    /// says which headers to add (or which error to answer instead).
    pub async fn finish(&self, status: u16) -> Outcome {
        let inner = &self.inner;
        let sessions = inner.driver.sessions();
        let now = sessions.now();
        // The same planning step as `Sessions::finish`, on the handle this request owns.
        let finish = plan_finish(&sessions.engine, &inner.handle, status, to_millis(now));
        let outcome = if finish.is_noop() {
            Outcome {
                set_cookie: None,
                accessed: finish.accessed(),
                error_status: None,
            }
        } else {
            let accessed = finish.accessed();
            match inner.driver.commit(finish, now).await {
                Ok(committed) => Outcome {
                    set_cookie: committed.set_cookie().cloned(),
                    accessed,
                    error_status: None,
                },
                Err(error) => Outcome {
                    set_cookie: error.removal_cookie().cloned(),
                    accessed: false,
                    error_status: Some(500),
                },
            }
        };
        // Release this session for the next request.
        inner.loading.lock().await.take();
        outcome
    }
}

/// What the adapter does to the response after [`RequestSession::finish`].
#[derive(Clone, Debug)]
#[must_use]
pub struct Outcome {
    set_cookie: Option<SetCookie>,
    accessed: bool,
    error_status: Option<u16>,
}

impl Outcome {
    /// The headers to append, as `(lowercase name, value)`; append each as a separate field,
    /// never folded into one, after removing the [`Outcome::replaced_headers`].
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        session_headers(self.set_cookie.as_ref(), self.accessed)
    }

    /// The response headers to remove, every field of each, before appending
    /// [`Outcome::headers`] (lowercase names): the application's `cache-control` when a session
    /// cookie is set, so that a `Cache-Control: public` of its own never makes a response that
    /// carries a session cookie cacheable.
    pub fn replaced_headers(&self) -> impl Iterator<Item = &'static str> {
        replaced_fields(self.set_cookie.as_ref()).map(Field::name)
    }

    /// When set, saving failed: replace the response with this status (500), the body
    /// [`ERROR_BODY`](crate::ERROR_BODY) and only [`Outcome::headers`].
    pub fn error_status(&self) -> Option<u16> {
        self.error_status
    }

    /// The `Set-Cookie` value, if any.
    pub fn set_cookie(&self) -> Option<&SetCookie> {
        self.set_cookie.as_ref()
    }

    /// What to answer instead of the handler's response when saving failed: the status (a 500)
    /// and the generic [`ERROR_BODY`](crate::ERROR_BODY); then [`Outcome::append_to`] its
    /// headers. `None` when the handler's response stands.
    pub fn replacement(&self) -> Option<(u16, &'static str)> {
        self.error_status.map(|status| (status, crate::ERROR_BODY))
    }

    /// Removes [`Outcome::replaced_headers`] from a response's headers, then appends
    /// [`Outcome::headers`], each as its own field.
    pub fn append_to<H: ResponseHeaders + ?Sized>(&self, headers: &mut H) {
        append_fields(self.set_cookie.as_ref(), self.accessed, headers);
    }
}

/// Every [`RequestSession`] of one request, by session object name: what adapters keep in the
/// request's extensions so several session middlewares (with different cookies) can coexist.
#[derive(Clone, Debug, Default)]
pub struct RequestSessions {
    /// Nearly every app has one session middleware: it needs no allocation.
    first: Option<RequestSession>,
    more: Vec<RequestSession>,
}

impl RequestSessions {
    /// Adds a middleware's session; one with the same name is replaced.
    pub fn insert(&mut self, session: RequestSession) {
        match &mut self.first {
            Some(first) if first.name() == session.name() => *first = session,
            Some(_) => {
                self.more
                    .retain(|existing| existing.name() != session.name());
                self.more.push(session);
            }
            None => self.first = Some(session),
        }
    }

    /// The session named `name`.
    pub fn get(&self, name: &str) -> Option<&RequestSession> {
        self.first
            .iter()
            .chain(&self.more)
            .find(|session| session.name() == name)
    }

    /// The session named `name`, or `None` when a skip rule exempted the request: what every
    /// adapter's optional extractor returns.
    ///
    /// # Errors
    ///
    /// [`ExtractError::NotInstalled`] when no middleware provides `name`;
    /// [`ExtractError::Unavailable`] when the store failed (a store failure is never hidden as
    /// "no session").
    pub async fn optional(&self, name: &str) -> Result<Option<Session>, ExtractError> {
        let request = self.installed(name)?;
        if request.is_skipped() {
            Ok(None)
        } else {
            request.session().await.map(Some)
        }
    }

    /// The session named `name`, loaded.
    ///
    /// # Errors
    ///
    /// [`ExtractError::NotInstalled`] when there is none; otherwise as
    /// [`RequestSession::session`].
    pub async fn session(&self, name: &str) -> Result<Session, ExtractError> {
        self.installed(name)?.session().await
    }

    fn installed(&self, name: &str) -> Result<&RequestSession, ExtractError> {
        self.get(name).ok_or_else(|| {
            tracing::error!(
                session_object = name,
                "a handler asked for a session that no middleware provides"
            );
            ExtractError::NotInstalled(name.to_owned())
        })
    }
}
