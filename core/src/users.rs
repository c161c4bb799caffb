//! A user's sessions: what a store's user index lists ([`ListedSession`]), what an account page
//! shows ([`UserSession`]), and the operations on them that every store shares (listing, ending
//! one, ending all, bounding how many a user keeps), written once over the store contract.

mod label;

use std::time::SystemTime;

use sha2::{Digest as _, Sha256};

pub use self::label::{LabelError, SessionLabel, SessionRef};
use crate::store::{SessionStore, StoreError};

/// The longest user identifier a session can be bound to, in bytes.
pub const MAX_USER_BYTES: usize = 256;

/// The default bound on one user's sessions: past it, binding another session ends the user's
/// least recently active ones.
pub const DEFAULT_MAX_SESSIONS_PER_USER: usize = 100;

/// The largest bound on one user's sessions that a configuration accepts.
pub const MAX_SESSIONS_PER_USER: usize = 10_000;

/// One of a user's live sessions, as a store's index finds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(
    clippy::exhaustive_structs,
    reason = "store authors build and read these fields"
)]
pub struct ListedSession {
    /// The session.
    pub session: SessionRef,
    /// When it was created ([`Record::created_at`](crate::store::Record::created_at)).
    pub created_at: SystemTime,
    /// Its last recorded activity ([`Expiry::refreshed_at`](crate::store::Expiry::refreshed_at)).
    pub refreshed_at: SystemTime,
}

/// One of a user's sessions, as an account page ("your devices") shows it: never its ID or
/// cookie, only a [label](SessionLabel) to end it by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserSession {
    /// The session's label.
    pub label: SessionLabel,
    /// Whether it is the session of the request that asked.
    pub current: bool,
    /// When the session was created (at login, usually; rotations keep it).
    pub created_at: SystemTime,
    /// Its last recorded activity: a request that refreshed it (to the refresh granularity the
    /// idle timeout gives) or wrote to it.
    pub last_seen: SystemTime,
}

/// What a store keys a user's index by: the first 128 bits of SHA-256 over a domain tag
/// (`"fastsession/user\0"`) and the user identifier, so a store's key names no user.
///
/// ```
/// use fastsession_core::store::user_digest;
///
/// assert_eq!(user_digest("ada"), user_digest("ada"));
/// assert_ne!(user_digest("ada"), user_digest("bob"));
/// ```
pub fn user_digest(user: &str) -> [u8; 16] {
    let digest = Sha256::new()
        .chain_update(b"fastsession/user\0")
        .chain_update(user.as_bytes())
        .finalize();
    let mut kept = [0u8; 16];
    kept.copy_from_slice(&digest[..16]);
    kept
}

/// Whether `user` can be bound to a session: 1 to [`MAX_USER_BYTES`] bytes.
pub(crate) fn is_valid_user(user: &str) -> bool {
    (1..=MAX_USER_BYTES).contains(&user.len())
}

/// The live sessions of `user` in `store`, oldest first, `current` (the session of the request
/// that asks, if any) marked: the sans-IO form of
/// [`UserSessions::list`](crate::UserSessions::list), for integrations that drive the core
/// themselves. An invalid user identifier has no sessions.
///
/// # Errors
///
/// [`StoreError`] when the store failed or keeps no user index.
pub async fn list_user_sessions<S: SessionStore + ?Sized>(
    store: &S,
    user: &str,
    current: Option<SessionRef>,
    now: SystemTime,
) -> Result<Vec<UserSession>, StoreError> {
    if !is_valid_user(user) {
        return Ok(Vec::new());
    }
    let mut listed = store.user_sessions(user, now).await?;
    listed.sort_by_key(|listed| (listed.created_at, listed.session));
    Ok(listed
        .into_iter()
        .map(|listed| UserSession {
            label: listed.session.label(),
            current: Some(listed.session) == current,
            created_at: listed.created_at,
            last_seen: listed.refreshed_at,
        })
        .collect())
}

/// Ends the session of `user` with this label in `store` (a logout: its successors too);
/// returns which session it was, if the user has one with it. The sans-IO form of
/// [`UserSessions::end`](crate::UserSessions::end); to end the current session, destroy it
/// instead, so its response carries the removal cookie.
///
/// # Errors
///
/// [`StoreError`] when the store failed or keeps no user index.
pub async fn end_user_session<S: SessionStore + ?Sized>(
    store: &S,
    user: &str,
    label: SessionLabel,
    now: SystemTime,
) -> Result<Option<SessionRef>, StoreError> {
    if !is_valid_user(user) {
        return Ok(None);
    }
    let listed = store.user_sessions(user, now).await?;
    let Some(found) = listed.iter().find(|listed| listed.session.label() == label) else {
        return Ok(None);
    };
    store.end_user_session(user, &found.session, now).await?;
    tracing::info!(session_label = %label, "a user's session ended");
    Ok(Some(found.session))
}

/// Ends every session of `user` in `store` but `except` (the current one, for "log out other
/// devices"); returns how many it ended. The sans-IO form of
/// [`UserSessions::end_others`](crate::UserSessions::end_others).
///
/// # Errors
///
/// [`StoreError`] when the store failed or keeps no user index.
pub async fn end_user_sessions<S: SessionStore + ?Sized>(
    store: &S,
    user: &str,
    except: Option<SessionRef>,
    now: SystemTime,
) -> Result<usize, StoreError> {
    if !is_valid_user(user) {
        return Ok(0);
    }
    let listed = store.user_sessions(user, now).await?;
    let mut ended = 0;
    for listed in listed
        .iter()
        .filter(|listed| Some(listed.session) != except)
    {
        if store.end_user_session(user, &listed.session, now).await? {
            ended += 1;
        }
    }
    tracing::info!(
        ended,
        kept_current = except.is_some(),
        "a user's sessions ended"
    );
    Ok(ended)
}

/// Past `max` sessions, ends the user's least recently active ones (never `keep`, the session
/// just bound). Best effort: the login that bound `keep` stands if this fails.
pub(crate) async fn enforce_bound<S: SessionStore + ?Sized>(
    store: &S,
    user: &str,
    max: usize,
    keep: SessionRef,
    now: SystemTime,
) {
    let listed = match store.user_sessions(user, now).await {
        Ok(listed) if listed.len() > max => listed,
        Ok(_) => return,
        Err(error) => {
            tracing::warn!(%error, "listing a user's sessions to bound them failed");
            return;
        }
    };
    let mut others: Vec<_> = listed
        .iter()
        .filter(|listed| listed.session != keep)
        .collect();
    others.sort_by_key(|listed| (listed.refreshed_at, listed.created_at, listed.session));
    let excess = listed.len() - max;
    for listed in others.into_iter().take(excess) {
        match store.end_user_session(user, &listed.session, now).await {
            Ok(_) => {
                tracing::info!(session_label = %listed.session.label(), max, "a user's least recently active session ended: over the bound on sessions per user");
            }
            Err(error) => {
                tracing::warn!(%error, "ending a user's session over the bound failed");
                return;
            }
        }
    }
}
