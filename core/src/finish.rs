//! Step 4: deciding what to store and which cookie to send ([`Finish`]), and doing it
//! ([`Finish::commit`]).

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use crate::cookie::SetCookie;
use crate::data::{Changes, SessionData};
use crate::engine::Engine;
use crate::handle::{Phase, SessionHandle, State};
use crate::id::{IdError, SessionId};
use crate::store::{Expiry, Record, SessionStore, StoreError};
use crate::time::{from_millis, to_millis};

/// How many fresh IDs a creation tries before giving up on collisions.
pub const CREATE_ATTEMPTS: usize = 3;

/// What `finish` decided: the store writes to run and the cookie to send once they succeed.
///
/// Run it with [`Finish::commit`]. Inspect it with [`Finish::is_noop`] (nothing to write and no
/// cookie: the driver may skip the commit entirely) and [`Finish::accessed`].
#[must_use = "a Finish does nothing until it is committed"]
pub struct Finish {
    engine: Arc<Engine>,
    accessed: bool,
    purge: Option<SessionId>,
    write: Write,
    cookie: CookiePlan,
}

#[derive(Debug)]
enum Write {
    None,
    /// A new record, under a fresh ID; then `retire` (the old record of a cycled or destroyed
    /// session) is deleted.
    Create {
        record: Record,
        retire: Option<SessionId>,
    },
    Apply {
        id: SessionId,
        changes: Changes,
        expiry: Expiry,
    },
    Touch {
        id: SessionId,
        expiry: Expiry,
    },
    /// Logout: the record goes, and the removal cookie is sent even if the delete fails.
    Delete {
        id: SessionId,
    },
}

#[derive(Debug)]
enum CookiePlan {
    None,
    Removal,
    /// The cookie for the written session (the created ID, or `id`), until `expires`.
    Issue {
        id: Option<SessionId>,
        expires: Option<u64>,
    },
}

impl fmt::Debug for Finish {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Finish")
            .field("accessed", &self.accessed)
            .field("purge", &self.purge)
            .field("write", &self.write)
            .field("cookie", &self.cookie)
            .finish()
    }
}

pub(crate) fn plan_finish(
    engine: &Arc<Engine>,
    handle: &SessionHandle,
    status: u16,
    now_ms: u64,
) -> Finish {
    let mut state = std::mem::replace(&mut *handle.shared.state(), finished_state());
    let mut finish = Finish {
        engine: engine.clone(),
        accessed: state.accessed,
        purge: None,
        write: Write::None,
        cookie: CookiePlan::None,
    };
    if status >= 500 {
        if !state.changes.is_empty() || state.cycled || state.destroyed {
            tracing::debug!(
                status,
                "response is a server error: the session is not saved"
            );
        }
        return finish;
    }
    match state.phase {
        Phase::Skipped | Phase::Failed | Phase::Finished => finish,
        Phase::Pending if engine.config.eager => {
            // The handler never asked for the session. Eager mode still creates one when the
            // request had no valid cookie at all, so only it needs the cookies verified here.
            state.verify(engine);
            if state.phase == Phase::Ready {
                // Every cookie was rejected: a new session, as for a handler that asked.
                finish.plan_ready(engine, state, now_ms);
            } else if !state.has_verified() {
                finish.plan_new(engine, SessionData::new(), now_ms, None);
            }
            finish
        }
        Phase::Pending => finish,
        Phase::Ready => {
            finish.purge = state.expired;
            finish.plan_ready(engine, state, now_ms);
            finish
        }
    }
}

fn finished_state() -> State {
    let mut state = State::pending(false);
    state.phase = Phase::Finished;
    state
}

impl Finish {
    fn plan_new(
        &mut self,
        engine: &Engine,
        data: SessionData,
        now_ms: u64,
        created: Option<(u64, SessionId)>,
    ) {
        let created_ms = created.map_or(now_ms, |(created_ms, _)| created_ms);
        let policy = &engine.policy;
        let record = Record {
            data,
            created_at: from_millis(created_ms),
            expiry: Expiry {
                refreshed_at: from_millis(now_ms),
                expires_at: from_millis(policy.expires_at(created_ms, now_ms)),
            },
        };
        self.write = Write::Create {
            record,
            retire: created.map(|(_, id)| id),
        };
        self.cookie = CookiePlan::Issue {
            id: None,
            expires: policy.cookie_deadline(created_ms, now_ms),
        };
    }

    fn plan_ready(&mut self, engine: &Engine, state: State, now_ms: u64) {
        let policy = &engine.policy;
        let Some(live) = state.live else {
            // A new session: stored only once it holds data (or in eager mode).
            let mut data = SessionData::new();
            state.changes.apply_to(&mut data);
            if !data.is_empty() || engine.config.eager {
                self.plan_new(engine, data, now_ms, None);
            } else if state.destroyed && state.had_cookie {
                self.cookie = CookiePlan::Removal;
            }
            return;
        };
        if state.destroyed {
            let mut data = SessionData::new();
            state.changes.apply_to(&mut data);
            if data.is_empty() {
                self.write = Write::Delete { id: live.id };
                self.cookie = CookiePlan::Removal;
            } else {
                self.plan_new(engine, data, now_ms, None);
                if let Write::Create { retire, .. } = &mut self.write {
                    *retire = Some(live.id);
                }
            }
            return;
        }
        if state.cycled {
            let mut data = state.base;
            state.changes.apply_to(&mut data);
            self.plan_new(engine, data, now_ms, Some((live.created_ms, live.id)));
            return;
        }
        let refresh = policy.refresh_due(live.refreshed_ms, now_ms);
        let expiry = if refresh {
            Expiry {
                refreshed_at: from_millis(now_ms),
                expires_at: from_millis(policy.expires_at(live.created_ms, now_ms)),
            }
        } else {
            Expiry {
                refreshed_at: from_millis(live.refreshed_ms),
                expires_at: from_millis(live.expires_ms),
            }
        };
        let reissue = live.key_index > 0 || (refresh && policy.refresh_reissues_cookie());
        if reissue {
            let refreshed_ms = to_millis(expiry.refreshed_at);
            self.cookie = CookiePlan::Issue {
                id: Some(live.id),
                expires: policy.cookie_deadline(live.created_ms, refreshed_ms),
            };
        }
        if !state.changes.is_empty() {
            self.write = Write::Apply {
                id: live.id,
                changes: state.changes,
                expiry,
            };
        } else if refresh {
            self.write = Write::Touch {
                id: live.id,
                expiry,
            };
        }
    }

    /// Whether there is nothing to write and no cookie to send.
    pub fn is_noop(&self) -> bool {
        self.purge.is_none()
            && matches!(self.write, Write::None)
            && matches!(self.cookie, CookiePlan::None)
    }

    /// Whether a handler used the session (the response then varies on `Cookie`).
    pub fn accessed(&self) -> bool {
        self.accessed
    }

    /// Runs the writes against `store`, in order, and returns the cookie to send.
    ///
    /// - A creation retries with fresh IDs on collision, up to [`CREATE_ATTEMPTS`] in all.
    /// - An update or touch that finds its session gone (destroyed or rotated by a concurrent
    ///   request) changes nothing and sends no cookie: the session is not brought back.
    /// - A failed touch is logged and only costs the refresh.
    /// - Deleting an expired record is best effort.
    ///
    /// # Errors
    ///
    /// [`SaveError`] when a write that matters failed: the response must then become a 500 with
    /// no session cookie, except the removal cookie of a logout
    /// ([`SaveError::removal_cookie`]), which is still sent.
    pub async fn commit<S: SessionStore + ?Sized>(
        self,
        store: &S,
        now: SystemTime,
    ) -> Result<Committed, SaveError> {
        let Self {
            engine,
            accessed,
            purge,
            write,
            cookie,
        } = self;
        if let Some(expired) = purge
            && let Err(error) = store.delete(&expired, now).await
        {
            tracing::warn!(session = %expired.label(), %error, "deleting an expired session failed");
        }
        let mut send_cookie = true;
        let mut created = None;
        match write {
            Write::None => {}
            Write::Create { record, retire } => {
                let id = create(&engine, store, &record, now).await?;
                tracing::info!(session = %id.label(), "new session");
                if let Some(old) = retire {
                    store.delete(&old, now).await.map_err(|error| {
                        tracing::error!(session = %old.label(), %error, "retiring the old session failed");
                        SaveError::Store { source: error, removal: None }
                    })?;
                }
                created = Some(id);
            }
            Write::Apply {
                id,
                changes,
                expiry,
            } => {
                let applied = store
                    .apply(&id, &changes, &expiry, now)
                    .await
                    .map_err(|error| {
                        tracing::error!(session = %id.label(), %error, "saving the session failed");
                        SaveError::Store {
                            source: error,
                            removal: None,
                        }
                    })?;
                if !applied {
                    tracing::warn!(session = %id.label(), "session ended by a concurrent request; this request's changes are dropped");
                    send_cookie = false;
                }
            }
            Write::Touch { id, expiry } => match store.touch(&id, &expiry, now).await {
                Ok(true) => {}
                Ok(false) => send_cookie = false,
                Err(error) => {
                    tracing::warn!(session = %id.label(), %error, "refreshing the session failed");
                    send_cookie = false;
                }
            },
            Write::Delete { id } => {
                if let Err(error) = store.delete(&id, now).await {
                    tracing::error!(session = %id.label(), %error, "destroying the session failed; the browser is still told to drop it");
                    return Err(SaveError::Store {
                        source: error,
                        removal: Some(engine.cookies.removal()),
                    });
                }
                tracing::info!(session = %id.label(), "session destroyed");
            }
        }
        let set_cookie = match cookie {
            _ if !send_cookie => None,
            CookiePlan::None => None,
            CookiePlan::Removal => Some(engine.cookies.removal()),
            CookiePlan::Issue { id, expires } => id.or(created).map(|id| {
                engine
                    .cookies
                    .issue(&engine.signer, &id, expires.map(from_millis), now)
            }),
        };
        Ok(Committed {
            set_cookie,
            accessed,
        })
    }
}

async fn create<S: SessionStore + ?Sized>(
    engine: &Engine,
    store: &S,
    record: &Record,
    now: SystemTime,
) -> Result<SessionId, SaveError> {
    for _ in 0..CREATE_ATTEMPTS {
        let id = engine.config.id_generator.generate().map_err(|error| {
            tracing::error!(%error, "generating a session id failed");
            SaveError::Id(error)
        })?;
        match store.create(&id, record, now).await {
            Ok(true) => return Ok(id),
            Ok(false) => {
                tracing::warn!(session = %id.label(), "session id collision; drawing another")
            }
            Err(error) => {
                tracing::error!(%error, "creating the session failed");
                return Err(SaveError::Store {
                    source: error,
                    removal: None,
                });
            }
        }
    }
    Err(SaveError::IdCollision)
}

/// The outcome of a successful [`Finish::commit`]: the headers to add to the response.
#[derive(Clone, Debug)]
#[must_use]
pub struct Committed {
    set_cookie: Option<SetCookie>,
    accessed: bool,
}

impl Committed {
    /// The `Set-Cookie` value to append, if any.
    pub fn set_cookie(&self) -> Option<&SetCookie> {
        self.set_cookie.as_ref()
    }

    /// Every header to append to the response, as `(lowercase name, value)`:
    /// `set-cookie` (with `cache-control: no-store`, so no shared cache keeps a response that
    /// carries a session) and `vary: Cookie` when a handler used the session.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        session_headers(self.set_cookie.as_ref(), self.accessed)
    }
}

pub(crate) fn session_headers(
    set_cookie: Option<&SetCookie>,
    accessed: bool,
) -> impl Iterator<Item = (&'static str, &str)> {
    session_fields(set_cookie, accessed).map(|(field, value)| (field.name(), value.as_str()))
}

/// A response header the session layer adds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    SetCookie,
    CacheControl,
    Vary,
}

impl Field {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::SetCookie => "set-cookie",
            Self::CacheControl => "cache-control",
            Self::Vary => "vary",
        }
    }

    #[cfg(feature = "http")]
    pub(crate) fn header_name(self) -> http::HeaderName {
        match self {
            Self::SetCookie => http::header::SET_COOKIE,
            Self::CacheControl => http::header::CACHE_CONTROL,
            Self::Vary => http::header::VARY,
        }
    }
}

/// A header value: fixed text, or the cookie built for this response.
#[derive(Clone, Copy, Debug)]
pub(crate) enum FieldValue<'a> {
    Fixed(&'static str),
    Cookie(&'a str),
}

impl<'a> FieldValue<'a> {
    pub(crate) fn as_str(self) -> &'a str {
        match self {
            Self::Fixed(text) => text,
            Self::Cookie(text) => text,
        }
    }
}

/// The one place that decides which headers a response gets: the cookie with
/// `Cache-Control: no-store` (a response that sets a session cookie must never be cached), and
/// `Vary: Cookie` whenever the response depends on the session.
pub(crate) fn session_fields(
    set_cookie: Option<&SetCookie>,
    accessed: bool,
) -> impl Iterator<Item = (Field, FieldValue<'_>)> {
    let cookie = set_cookie.map(|cookie| (Field::SetCookie, FieldValue::Cookie(cookie.as_str())));
    let no_store = set_cookie.map(|_| (Field::CacheControl, FieldValue::Fixed("no-store")));
    let vary =
        (accessed || set_cookie.is_some()).then_some((Field::Vary, FieldValue::Fixed("Cookie")));
    cookie.into_iter().chain(no_store).chain(vary)
}

/// Saving the session failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SaveError {
    /// The store failed.
    #[error("the session could not be saved")]
    Store {
        /// The store's error.
        #[source]
        source: StoreError,
        /// The removal cookie of a failed logout, which is still sent.
        removal: Option<SetCookie>,
    },
    /// No ID could be generated.
    #[error("the session could not be saved")]
    Id(#[source] IdError),
    /// Every fresh ID collided with a stored one.
    #[error("the session could not be saved: {CREATE_ATTEMPTS} fresh ids all collided")]
    IdCollision,
}

impl SaveError {
    /// The cookie to send despite the failure: the removal cookie of a logout whose delete
    /// failed (the browser still forgets the session).
    pub fn removal_cookie(&self) -> Option<&SetCookie> {
        match self {
            Self::Store { removal, .. } => removal.as_ref(),
            _ => None,
        }
    }
}
