//! [`SessionHandle`]: one request's session, from `begin` to `finish`.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use crate::engine::Engine;
use crate::id::SessionId;
use crate::session::Session;
use crate::state::{Cause, Phase, Shared, State};
use crate::store::{Record, SessionStore, StoreError};
use crate::time::to_millis;

/// One request's session, from [`Sessions::begin`](crate::adapter::Sessions::begin) to
/// [`Sessions::finish`](crate::adapter::Sessions::finish).
///
/// The driver (an adapter, or [`SessionManager`](crate::adapter::SessionManager)) resolves it lazily:
/// only when a handler asks for the session does it call [`SessionHandle::next_load`] and feed
/// the store's answers to [`SessionHandle::complete_load`] (or let
/// [`SessionHandle::load`] do both), then hand out [`SessionHandle::session`].
///
/// # Examples
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use std::time::SystemTime;
/// use fastsession_core::{Config, Key, MemoryStore, adapter::Sessions};
///
/// let sessions = Sessions::new(Config::new(Key::generate().unwrap())).unwrap();
/// let store = MemoryStore::new();
/// let now = SystemTime::now();
///
/// let handle = sessions.begin(&[("cookie", &b"theme=dark"[..])]);
/// let session = handle.load(&store, now).await.unwrap().unwrap();
/// session.insert("counter", &1).unwrap();
///
/// let committed = sessions.finish(handle, 200, now).commit(&store, now).await.unwrap();
/// assert!(committed.set_cookie().unwrap().as_str().starts_with("sid="));
/// # });
/// ```
pub struct SessionHandle {
    pub(crate) shared: Arc<Shared>,
}

impl fmt::Debug for SessionHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.state();
        f.debug_struct("SessionHandle")
            .field("phase", &state.phase)
            .field("cause", &state.cause)
            .field("session", &state.live.map(|live| live.id))
            .finish()
    }
}

impl SessionHandle {
    pub(crate) fn new(engine: Arc<Engine>, state: State) -> Self {
        Self {
            shared: Arc::new(Shared {
                engine,
                state: Mutex::new(state),
            }),
        }
    }

    /// The state, with the request's cookies verified.
    fn verified_state(&self) -> MutexGuard<'_, State> {
        let mut state = self.shared.state();
        state.verify(&self.shared.engine);
        state
    }

    /// Whether a skip rule exempted this request: it has no session.
    pub fn is_skipped(&self) -> bool {
        self.shared.state().phase == Phase::Skipped
    }

    /// Why the session is what it is (final once loading is done).
    pub fn cause(&self) -> Cause {
        self.verified_state().cause
    }

    /// The ID the driver must load next, or `None` when nothing (more) needs loading. Verified
    /// candidates are tried in the order they came; the first live one wins.
    pub fn next_load(&self) -> Option<SessionId> {
        self.verified_state().next_load()
    }

    /// Gives the store's answer for the ID [`SessionHandle::next_load`] returned. A missing or
    /// expired record moves on to the next candidate, or to a fresh session.
    pub fn complete_load(&self, record: Option<Record>, now: SystemTime) {
        let policy = &self.shared.engine.policy;
        self.shared
            .state()
            .complete_load(record, policy, to_millis(now));
    }

    /// Marks loading as failed (the store errored): `finish` will then neither write nor send a
    /// cookie, so the client keeps its session for when the store is back.
    pub fn fail_load(&self) {
        let mut state = self.shared.state();
        if state.phase == Phase::Pending {
            state.phase = Phase::Failed;
        }
    }

    /// The session for handlers, once resolved; `None` while loading is pending, after a failed
    /// load, or on a skipped request.
    pub fn session(&self) -> Option<Session> {
        let mut state = self.verified_state();
        if state.phase != Phase::Ready {
            return None;
        }
        state.accessed = true;
        drop(state);
        Some(Session::new(self.shared.clone()))
    }

    /// Loads the session from `store` (trying each verified candidate in turn) and returns it;
    /// `Ok(None)` on a skipped request.
    ///
    /// # Errors
    ///
    /// The store's error; the handle is then marked as failed ([`SessionHandle::fail_load`]).
    pub async fn load<S: SessionStore>(
        &self,
        store: &S,
        now: SystemTime,
    ) -> Result<Option<Session>, StoreError> {
        while let Some(id) = self.next_load() {
            match store.load(&id, now).await {
                Ok(record) => self.complete_load(record, now),
                Err(error) => {
                    tracing::error!(session = %id.label(), %error, "loading the session failed");
                    self.fail_load();
                    return Err(error);
                }
            }
        }
        Ok(self.session())
    }
}
