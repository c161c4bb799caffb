//! The per-request session state that a [`SessionHandle`](crate::adapter::SessionHandle) and the
//! handler's [`Session`](crate::Session)s share: its phase, its candidates, the live session it
//! continues, its changes, and its [`Cause`].

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::changes::{Changes, UserChange};
use crate::cookie::MAX_CANDIDATES;
use crate::data::SessionData;
use crate::engine::Engine;
use crate::expiry::Policy;
use crate::id::SessionId;
use crate::sign::{VALUE_LEN, Verdict};
use crate::store::Record;
use crate::time::to_millis;
use crate::transport::Via;

/// Why this request's session is what it is, in Python FastSession's words ([`Cause::as_str`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cause {
    /// No session cookie came with the request: `new`.
    New,
    /// The cookie was valid and its session was loaded: `success`.
    Success,
    /// The cookie was validly signed, but no session is stored under it (it was destroyed, or
    /// the store forgot it): `valid_cookie_but_no_store`.
    NoStore,
    /// The cookie was well formed but no key's signature matched: `renew after
    /// InvalidSignature`.
    InvalidSignature,
    /// The cookie's session has expired: `renew after SignatureExpired`.
    Expired,
    /// The cookie was malformed: not a value this library issues (its signature was not even
    /// checked): `renew after BadSignature`.
    Malformed,
}

impl Cause {
    /// Python FastSession's word for this cause.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Success => "success",
            Self::NoStore => "valid_cookie_but_no_store",
            Self::InvalidSignature => "renew after InvalidSignature",
            Self::Expired => "renew after SignatureExpired",
            Self::Malformed => "renew after BadSignature",
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// A skip rule matched: no session at all.
    Skipped,
    /// Verified candidates may still need loading.
    Pending,
    /// The session is resolved: loaded, or new.
    Ready,
    /// Loading failed; the request must not touch the session or its cookie.
    Failed,
    /// `finish` has run; remaining `Session` clones are inert.
    Finished,
}

/// The stored session this request continues.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Live {
    pub(crate) id: SessionId,
    pub(crate) key_index: usize,
    pub(crate) created_ms: u64,
    pub(crate) refreshed_ms: u64,
    pub(crate) expires_ms: u64,
}

/// The whole per-request state, shared by the handle and the handler's `Session`s.
pub(crate) struct State {
    pub(crate) phase: Phase,
    pub(crate) cause: Cause,
    verified: [Option<(SessionId, usize)>; MAX_CANDIDATES],
    next_candidate: usize,
    /// The request's candidate cookie values of the issued length, copied at `begin` and
    /// verified the first time the session is needed: a route that never extracts the session
    /// never pays for the MAC.
    unverified: [[u8; VALUE_LEN]; MAX_CANDIDATES],
    unverified_len: usize,
    /// How the request carried a session value, if at all (a cookie with our name, a value in
    /// our header).
    pub(crate) via: Via,
    /// An expired record met while loading, to delete at finish.
    pub(crate) expired: Option<SessionId>,
    pub(crate) live: Option<Live>,
    pub(crate) base: SessionData,
    /// The user the loaded session belongs to.
    pub(crate) base_user: Option<String>,
    pub(crate) changes: Changes,
    /// A handler obtained the session.
    pub(crate) accessed: bool,
    /// `cycle_id` was called.
    pub(crate) cycled: bool,
    /// `destroy` was called.
    pub(crate) destroyed: bool,
    /// The JSON length of the current data, once computed.
    pub(crate) payload_len: Option<usize>,
}

/// No cookie values and no session values: IDs print as labels, data as keys.
impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("State")
            .field("phase", &self.phase)
            .field("cause", &self.cause)
            .field("candidates", &self.unverified_len)
            .field("live", &self.live.map(|live| live.id))
            .field("base", &self.base)
            .field("changes", &self.changes)
            .field("cycled", &self.cycled)
            .field("destroyed", &self.destroyed)
            .finish_non_exhaustive()
    }
}

impl State {
    /// The user the session belongs to, as the handler sees it: this request's binding, else
    /// the loaded one (none once destroyed).
    pub(crate) fn user(&self) -> Option<&str> {
        match self.changes.user() {
            Some(UserChange::Bind(user)) => Some(user),
            Some(UserChange::Unbind) => None,
            None if self.destroyed => None,
            None => self.base_user.as_deref(),
        }
    }

    pub(crate) fn pending(via: Via) -> Self {
        Self {
            phase: Phase::Pending,
            cause: Cause::New,
            verified: [None; MAX_CANDIDATES],
            next_candidate: 0,
            unverified: [[0; VALUE_LEN]; MAX_CANDIDATES],
            unverified_len: 0,
            via,
            expired: None,
            live: None,
            base: SessionData::new(),
            base_user: None,
            changes: Changes::new(),
            accessed: false,
            cycled: false,
            destroyed: false,
            payload_len: None,
        }
    }

    pub(crate) fn skipped() -> Self {
        Self {
            phase: Phase::Skipped,
            ..Self::pending(Via::default())
        }
    }

    /// Keeps one candidate cookie value for verification; a value of any other length cannot
    /// be one we issued and needs no copy (it still counts as a cookie seen).
    pub(crate) fn add_candidate(&mut self, value: &[u8]) {
        if let (Ok(value), Some(slot)) = (
            <[u8; VALUE_LEN]>::try_from(value),
            self.unverified.get_mut(self.unverified_len),
        ) {
            *slot = value;
            self.unverified_len += 1;
        }
    }

    /// Verifies the candidates, once: the first verified and live one will be the session; a
    /// request whose cookies all fail starts a new session with the rejection as its cause.
    pub(crate) fn verify(&mut self, engine: &Engine) {
        // Done already when a candidate verified (or all were rejected: the phase moved on).
        if !self.via.any() || self.phase != Phase::Pending || self.has_verified() {
            return;
        }
        let mut bad_mac = false;
        for index in 0..self.unverified_len {
            let value = self.unverified[index];
            match engine.signer.verify(&value) {
                Verdict::Valid { id, key_index } => self.add_verified(id, key_index),
                Verdict::BadMac => bad_mac = true,
                Verdict::Malformed => {}
            }
        }
        if !self.has_verified() {
            let reason = if bad_mac {
                "InvalidSignature"
            } else {
                "BadSignature"
            };
            tracing::info!(
                cookie = engine.cookies.name(),
                reason,
                "session cookie rejected"
            );
            self.reject(bad_mac);
        } else if self.distinct_verified() > 1 {
            tracing::warn!(
                cookie = engine.cookies.name(),
                count = self.distinct_verified(),
                "several validly signed session cookies in one request; the first live one is used"
            );
        }
    }

    pub(crate) fn add_verified(&mut self, id: SessionId, key_index: usize) {
        let slot = self
            .verified
            .iter_mut()
            .find(|slot| slot.is_none_or(|(seen, _)| seen == id));
        if let Some(slot @ None) = slot {
            *slot = Some((id, key_index));
        }
    }

    pub(crate) fn has_verified(&self) -> bool {
        self.verified[0].is_some()
    }

    pub(crate) fn distinct_verified(&self) -> usize {
        self.verified.iter().flatten().count()
    }

    /// No candidate verified: the session is new, for this reason.
    pub(crate) fn reject(&mut self, bad_mac: bool) {
        self.cause = if bad_mac {
            Cause::InvalidSignature
        } else {
            Cause::Malformed
        };
        self.phase = Phase::Ready;
    }

    /// The next verified candidate to load, or `None` once resolution is over.
    pub(crate) fn next_load(&mut self) -> Option<SessionId> {
        if self.phase != Phase::Pending {
            return None;
        }
        match self.verified.get(self.next_candidate).copied().flatten() {
            Some((id, _)) => Some(id),
            None => {
                self.phase = Phase::Ready;
                None
            }
        }
    }

    /// Feeds the store's answer for the candidate [`State::next_load`] returned.
    ///
    /// The record's end is the earlier of what it stored and what the current `policy` gives
    /// for its creation and last refresh, so a timeout tightened since it was written (and a
    /// restart) applies to it at once.
    pub(crate) fn complete_load(&mut self, record: Option<Record>, policy: &Policy, now_ms: u64) {
        if self.phase != Phase::Pending {
            return;
        }
        let Some((id, key_index)) = self.verified.get(self.next_candidate).copied().flatten()
        else {
            self.phase = Phase::Ready;
            return;
        };
        let first = self.next_candidate == 0;
        self.next_candidate += 1;
        let live = record.map(|record| {
            let created_ms = to_millis(record.created_at);
            let refreshed_ms = to_millis(record.expiry.refreshed_at);
            let expires_ms = to_millis(record.expiry.expires_at)
                .min(policy.expires_at(created_ms, refreshed_ms));
            let live = Live {
                id,
                key_index,
                created_ms,
                refreshed_ms,
                expires_ms,
            };
            (live, record.data, record.user)
        });
        match live {
            Some((live, data, user)) if live.expires_ms > now_ms => {
                self.live = Some(live);
                self.base = data;
                self.base_user = user;
                self.cause = Cause::Success;
                self.phase = Phase::Ready;
            }
            Some(_) => {
                tracing::info!(session = %id.label(), "session expired; starting a new one");
                self.expired.get_or_insert(id);
                if first {
                    self.cause = Cause::Expired;
                }
            }
            None => {
                tracing::info!(session = %id.label(), "validly signed cookie but no stored session; starting a new one");
                if first {
                    self.cause = Cause::NoStore;
                }
            }
        }
    }
}

/// What a handle and its sessions share: the engine and the state, behind one lock.
pub(crate) struct Shared {
    pub(crate) engine: Arc<Engine>,
    pub(crate) state: Mutex<State>,
}

impl Shared {
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        // Every state update is a plain assignment sequence that a panic cannot leave half done
        // in a way later code relies on, so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
