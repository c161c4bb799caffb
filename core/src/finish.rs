//! Step 4: deciding what to store and which cookie to send ([`Finish`]); the `commit` module
//! does it.

use std::fmt;
use std::sync::Arc;

use crate::changes::{Changes, UserChange};
use crate::data::SessionData;
use crate::engine::Engine;
use crate::handle::SessionHandle;
use crate::id::SessionId;
use crate::state::{Phase, State};
use crate::store::{Expiry, Record};
use crate::time::{from_millis, to_millis};
use crate::transport::Via;

/// What `finish` decided: the store writes to run and the cookie to send once they succeed.
///
/// Run it with [`Finish::commit`]. Inspect it with [`Finish::is_noop`] (nothing to write and no
/// cookie: the driver may skip the commit entirely) and [`Finish::accessed`].
#[must_use = "a Finish does nothing until it is committed"]
pub struct Finish {
    pub(crate) engine: Arc<Engine>,
    pub(crate) accessed: bool,
    pub(crate) purge: Option<SessionId>,
    pub(crate) write: Write,
    pub(crate) cookie: CookiePlan,
    pub(crate) user: UserPlan,
    /// How the request carried its session, which decides how the response answers.
    pub(crate) via: Via,
}

/// What the write does for the user index.
#[derive(Debug, Default)]
pub(crate) struct UserPlan {
    /// The user whose index must list the written session before an update or refresh of it
    /// (a creation lists its record's user, under each ID it tries).
    pub(crate) list: Option<String>,
    /// The write binds a session to this user anew: past the bound on a user's sessions, the
    /// least recently active others end.
    pub(crate) bound: Option<String>,
}

#[derive(Debug)]
pub(crate) enum Write {
    None,
    /// A new record, under a fresh ID; then its predecessor (the old record of a cycled or
    /// destroyed session), if any, is retired in its favour.
    Create {
        record: Record,
        predecessor: Option<Predecessor>,
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

/// The session a created record replaces.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Predecessor {
    pub(crate) id: SessionId,
    /// The handler destroyed it (logout, then writes): its end stands whatever happens to the
    /// successor.
    pub(crate) destroyed: bool,
}

#[derive(Debug)]
pub(crate) enum CookiePlan {
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
            .field("user", &self.user)
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
        user: UserPlan::default(),
        via: state.via,
    };
    if status >= 500 {
        if state.phase == Phase::Ready && state.destroyed {
            // A logout is the user asking to end the session: it applies whatever the status.
            // Only the writes that followed it are dropped.
            tracing::debug!(
                status,
                "response is a server error: the logout applies, nothing else is saved"
            );
            finish.plan_logout(&state);
        } else if !state.changes.is_empty() || state.cycled {
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
                finish.plan_new(engine, SessionData::new(), None, now_ms, None, None);
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
    let mut state = State::pending(Via::default());
    state.phase = Phase::Finished;
    state
}

impl Finish {
    /// Deletes the loaded session, if any, and removes the cookie the request carried.
    fn plan_logout(&mut self, state: &State) {
        if let Some(live) = &state.live {
            self.write = Write::Delete { id: live.id };
            self.cookie = CookiePlan::Removal;
        } else if state.via.any() {
            self.cookie = CookiePlan::Removal;
        }
    }

    fn plan_new(
        &mut self,
        engine: &Engine,
        data: SessionData,
        user: Option<String>,
        now_ms: u64,
        created_ms: Option<u64>,
        predecessor: Option<Predecessor>,
    ) {
        let created_ms = created_ms.unwrap_or(now_ms);
        let policy = &engine.policy;
        let record = Record {
            data,
            created_at: from_millis(created_ms),
            expiry: Expiry {
                refreshed_at: from_millis(now_ms),
                expires_at: from_millis(policy.expires_at(created_ms, now_ms)),
            },
            user,
        };
        self.write = Write::Create {
            record,
            predecessor,
        };
        self.cookie = CookiePlan::Issue {
            id: None,
            expires: policy.cookie_deadline(created_ms, now_ms),
        };
    }

    fn plan_ready(&mut self, engine: &Engine, state: State, now_ms: u64) {
        let policy = &engine.policy;
        // The user an owned record holds; only a branch that writes one allocates it.
        let user_of = |state: &State| state.user().map(str::to_owned);
        // A binding this request made (not one a rotation carries over).
        self.user.bound = match state.changes.user() {
            Some(UserChange::Bind(bound)) => Some(bound.to_owned()),
            _ => None,
        };
        let Some(live) = state.live else {
            // A new session: stored only once it holds data or a user (or in eager mode).
            let user = user_of(&state);
            let mut data = SessionData::new();
            state.changes.apply_to(&mut data);
            if !data.is_empty() || user.is_some() || engine.config.eager {
                self.plan_new(engine, data, user, now_ms, None, None);
            } else if state.destroyed && state.via.any() {
                self.cookie = CookiePlan::Removal;
            }
            return;
        };
        if state.destroyed {
            let user = user_of(&state);
            let mut data = SessionData::new();
            state.changes.apply_to(&mut data);
            if data.is_empty() && user.is_none() {
                self.write = Write::Delete { id: live.id };
                self.cookie = CookiePlan::Removal;
            } else {
                let predecessor = Predecessor {
                    id: live.id,
                    destroyed: true,
                };
                self.plan_new(engine, data, user, now_ms, None, Some(predecessor));
            }
            return;
        }
        if state.cycled {
            let user = user_of(&state);
            let mut data = state.base;
            state.changes.apply_to(&mut data);
            let predecessor = Predecessor {
                id: live.id,
                destroyed: false,
            };
            self.plan_new(
                engine,
                data,
                user,
                now_ms,
                Some(live.created_ms),
                Some(predecessor),
            );
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
        // The user's index lists the session before a binding or a later end is written.
        if self.user.bound.is_some() || (refresh && state.user().is_some()) {
            self.user.list = user_of(&state);
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

    /// What committing a no-op gives, without a store call.
    #[cfg(feature = "driver")]
    pub(crate) fn unchanged(&self) -> crate::outcome::Committed {
        let carried = crate::headers::Carried::default();
        crate::outcome::Committed::new(carried, self.accessed, self.engine.vary.clone())
    }

    /// Whether a handler used the session (the response then varies on `Cookie`).
    pub fn accessed(&self) -> bool {
        self.accessed
    }
}
