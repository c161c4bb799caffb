//! [`SessionManager`] and [`RequestSession`]: the async driver that makes adapters thin.
//!
//! An adapter does four things, and nothing about session semantics:
//!
//! 1. before the handler: `let request = manager.start(&headers);` and put `request` into the
//!    request's extensions (several managers with different cookie names can share a request
//!    through [`SessionRegistry`]);
//! 2. in its extractor: `request.session().await`, mapping an [`ExtractError`] to
//!    [`ExtractError::status`] with the generic [`ERROR_BODY`];
//! 3. after the handler: `request.finish(status).await`, the same [`Committed`] or
//!    [`SaveError`] as the sans-IO [`Finish::commit`];
//! 4. answers the [`Finished::replacement`](crate::adapter::Finished::replacement), if any, and
//!    calls [`Finished::append_to`](crate::adapter::Finished::append_to) on the response's
//!    headers.
//!
//! The driver performs only the I/O the sans-IO core asks for: it runs the handle's own load loop
//! ([`SessionHandle::load`]) and the same planning step as [`Sessions::finish`], with store calls
//! bounded by the store timeout, and the opt-in per-session lock.
//!
//! [`ERROR_BODY`]: crate::adapter::ERROR_BODY

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

use crate::commit::{Committed, SaveError};
use crate::finish::{Finish, plan_finish};
use crate::handle::SessionHandle;
use crate::id::SessionId;
use crate::locks::{LockTable, SessionLock};
use crate::rejection::ExtractError;
use crate::session::Session;
use crate::sessions::{RequestHeaders, Sessions};
use crate::state::Cause;
use crate::store::{SessionStore, StoreError, TimeLimited};
use crate::time::to_millis;
use crate::user_sessions::UserSessions;
use crate::users::{self, SessionLabel, SessionRef, UserSession};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The engine and its store, shared by every request of one middleware instance.
///
/// Cheap to clone.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// use fastsession_core::adapter::{SessionManager, Sessions};
/// use fastsession_core::{Config, Key, MemoryStore};
///
/// let sessions = Sessions::new(Config::new(Key::generate().unwrap()).with_secure(false)).unwrap();
/// let manager = SessionManager::new(sessions, MemoryStore::new());
///
/// // A request without a cookie, whose handler writes.
/// let headers: &[(&str, &[u8])] = &[];
/// let request = manager.start(headers);
/// request.session().await.unwrap().insert("user", "ada").unwrap();
/// let committed = request.finish(200).await.unwrap();
/// let cookie = committed.headers().find(|(name, _)| *name == "set-cookie").unwrap().1.to_owned();
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

    /// The live sessions of `user`, oldest first (none is [`current`](UserSession::current)),
    /// for an account page or an administrator, outside any request.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store failed or keeps no user index.
    pub async fn user_sessions(&self, user: &str) -> Result<Vec<UserSession>, StoreError> {
        let now = self.inner.sessions.now();
        users::list_user_sessions(&self.inner.store, user, None, now).await
    }

    /// Ends the session of `user` with this label, outside any request; returns whether the
    /// user had one with it.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store failed or keeps no user index.
    pub async fn end_user_session(
        &self,
        user: &str,
        label: SessionLabel,
    ) -> Result<bool, StoreError> {
        let now = self.inner.sessions.now();
        let ended = users::end_user_session(&self.inner.store, user, label, now).await?;
        Ok(ended.is_some())
    }

    /// Ends every session of `user`, outside any request (a password reset, an administrator
    /// locking an account); returns how many it ended. Final, with a logout's guarantees: a
    /// request of one of them still in flight cannot bring it back.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
    /// use fastsession_core::adapter::{SessionManager, Sessions};
    /// use fastsession_core::{Config, Key, MemoryStore};
    ///
    /// let sessions = Sessions::new(Config::new(Key::generate()?).with_secure(false))?;
    /// let manager = SessionManager::new(sessions, MemoryStore::new());
    /// let request = manager.start(&[] as &[(&str, &[u8])]);
    /// request.session().await?.set_user("ada")?;
    /// request.finish(200).await?;
    ///
    /// assert_eq!(manager.user_sessions("ada").await?.len(), 1);
    /// assert_eq!(manager.end_user_sessions("ada").await?, 1);
    /// assert!(manager.user_sessions("ada").await?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store failed or keeps no user index.
    pub async fn end_user_sessions(&self, user: &str) -> Result<usize, StoreError> {
        let now = self.inner.sessions.now();
        users::end_user_sessions(&self.inner.store, user, None, now).await
    }

    /// Starts a request: applies the skip rules and reads the cookie (no store I/O).
    pub fn start<H: RequestHeaders + ?Sized>(&self, headers: &H) -> RequestSession {
        let sessions = &self.inner.sessions;
        let handle = sessions.begin(headers);
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
    ) -> BoxFuture<'_, Result<Committed, SaveError>>;
    fn lock(&self, id: SessionId) -> BoxFuture<'_, SessionLock>;
    fn list_user_sessions<'a>(
        &'a self,
        user: &'a str,
        current: Option<SessionRef>,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<Vec<UserSession>, StoreError>>;
    fn end_labelled<'a>(
        &'a self,
        user: &'a str,
        label: SessionLabel,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<Option<SessionRef>, StoreError>>;
    fn end_all<'a>(
        &'a self,
        user: &'a str,
        except: Option<SessionRef>,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<usize, StoreError>>;
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
    ) -> BoxFuture<'_, Result<Committed, SaveError>> {
        Box::pin(finish.commit(&self.store, now))
    }

    fn lock(&self, id: SessionId) -> BoxFuture<'_, SessionLock> {
        Box::pin(self.locks.lock(id))
    }

    fn list_user_sessions<'a>(
        &'a self,
        user: &'a str,
        current: Option<SessionRef>,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<Vec<UserSession>, StoreError>> {
        Box::pin(users::list_user_sessions(&self.store, user, current, now))
    }

    fn end_labelled<'a>(
        &'a self,
        user: &'a str,
        label: SessionLabel,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<Option<SessionRef>, StoreError>> {
        Box::pin(users::end_user_session(&self.store, user, label, now))
    }

    fn end_all<'a>(
        &'a self,
        user: &'a str,
        except: Option<SessionRef>,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<usize, StoreError>> {
        Box::pin(users::end_user_sessions(&self.store, user, except, now))
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
        if inner.handle.cause() == Cause::Success {
            *held = lock;
        }
        drop(held);
        session.ok_or(ExtractError::Finished)
    }

    /// The sessions of the user this request's session belongs to (loading the session first,
    /// as [`RequestSession::session`] does).
    ///
    /// # Errors
    ///
    /// As [`RequestSession::session`].
    pub async fn user_sessions(&self) -> Result<UserSessions, ExtractError> {
        let session = self.session().await?;
        Ok(UserSessions::new(self.clone(), session))
    }

    pub(crate) async fn list_user_sessions(
        &self,
        user: &str,
        current: Option<SessionRef>,
    ) -> Result<Vec<UserSession>, ExtractError> {
        let driver = &self.inner.driver;
        let now = driver.sessions().now();
        let listed = driver.list_user_sessions(user, current, now).await;
        listed.map_err(ExtractError::Unavailable)
    }

    pub(crate) async fn end_labelled(
        &self,
        user: &str,
        label: SessionLabel,
    ) -> Result<bool, ExtractError> {
        let driver = &self.inner.driver;
        let now = driver.sessions().now();
        let ended = driver.end_labelled(user, label, now).await;
        ended
            .map(|ended| ended.is_some())
            .map_err(ExtractError::Unavailable)
    }

    pub(crate) async fn end_all(
        &self,
        user: &str,
        except: Option<SessionRef>,
    ) -> Result<usize, ExtractError> {
        let driver = &self.inner.driver;
        let now = driver.sessions().now();
        let ended = driver.end_all(user, except, now).await;
        ended.map_err(ExtractError::Unavailable)
    }

    /// Ends the request: decides and runs the store writes for a response with this status,
    /// the same steps as [`Sessions::finish`] and [`Finish::commit`] on the handle this request
    /// owns, and releases the session for the next request (with request serialization on).
    ///
    /// # Errors
    ///
    /// A [`SaveError`] when a write that matters failed. Either way, apply the result with
    /// [`Finished`](crate::adapter::Finished): its `replacement` (the 500 that replaces the
    /// handler's response), then its `append_to`.
    pub async fn finish(self, status: u16) -> Result<Committed, SaveError> {
        let inner = &self.inner;
        let sessions = inner.driver.sessions();
        let now = sessions.now();
        let finish = plan_finish(&sessions.engine, &inner.handle, status, to_millis(now));
        let committed = if finish.is_noop() {
            // Nothing to write: no store call, and no future to box.
            Ok(finish.unchanged())
        } else {
            inner.driver.commit(finish, now).await
        };
        if sessions.config().serializes_requests() {
            // Release this session for the next request (only a serializing request holds it).
            inner.loading.lock().await.take();
        }
        committed
    }
}
