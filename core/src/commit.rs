//! Running what [`Finish`] decided against the store ([`Finish::commit`]), and what comes out
//! of it: [`Committed`] or a [`SaveError`].

use std::time::SystemTime;

use crate::engine::Engine;
use crate::finish::{CookiePlan, Finish, Predecessor, Write};
use crate::headers::Carried;
use crate::id::SessionId;
pub use crate::outcome::{Committed, Finished, SaveError, SaveFailure};
use crate::store::{Record, SessionRef, SessionStore};
use crate::time::from_millis;
use crate::transport::Via;
use crate::users;

/// How many fresh IDs a creation tries before giving up on collisions.
pub const CREATE_ATTEMPTS: usize = 3;

/// What became of a session's successor.
enum Successor {
    /// Created, and its predecessor (if any) retired in its favour: send its cookie.
    Created(SessionId),
    /// A concurrent logout or rotation ended the predecessor first: nothing was created and no
    /// cookie is sent.
    Discarded,
    /// As `Discarded`, but this request had destroyed the session: its logout still applied,
    /// and the browser is told to drop the cookie.
    LoggedOut,
}

impl Finish {
    /// Runs the writes against `store`, in order, and returns the cookie to send.
    ///
    /// - A creation retries with fresh IDs on collision, up to [`CREATE_ATTEMPTS`] in all.
    /// - A rotation (or a logout followed by writes) creates the successor, then retires the
    ///   predecessor in its favour ([`SessionStore::retire`]); if a concurrent logout or rotation
    ///   ended the predecessor first, the successor is deleted again and no cookie is sent, so a
    ///   session is never brought back and never has two live successors. A logout that loses
    ///   that race still ends the session (it deletes the predecessor, which follows to whatever
    ///   replaced it) and sends the removal cookie.
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
            mut cookie,
            user,
            via,
        } = self;
        if let Some(expired) = purge
            && let Err(error) = store.delete(&expired, now).await
        {
            tracing::warn!(session = %expired.label(), %error, "deleting an expired session failed");
        }
        let mut created = None;
        let mut written = None;
        match write {
            Write::None => {}
            Write::Create {
                record,
                predecessor,
            } => match create_successor(&engine, via, store, &record, predecessor, now).await? {
                Successor::Created(id) => {
                    created = Some(id);
                    written = Some(id);
                }
                Successor::Discarded => cookie = CookiePlan::None,
                Successor::LoggedOut => cookie = CookiePlan::Removal,
            },
            Write::Apply {
                id,
                changes,
                expiry,
            } => {
                if let Some(user) = &user.list {
                    list_user_session(store, user, &id, expiry.expires_at, now).await?;
                }
                let applied = store
                    .apply(&id, &changes, &expiry, now)
                    .await
                    .map_err(|error| {
                        tracing::error!(session = %id.label(), %error, "saving the session failed");
                        SaveError::store(error, None)
                    })?;
                if applied {
                    written = Some(id);
                } else {
                    tracing::warn!(session = %id.label(), "session ended by a concurrent request; this request's changes are dropped");
                    cookie = CookiePlan::None;
                }
            }
            Write::Touch { id, expiry } => {
                let listed = match &user.list {
                    Some(user) => list_user_session(store, user, &id, expiry.expires_at, now)
                        .await
                        .is_ok(),
                    None => true,
                };
                // Unlisted, the session must not outlive its entry in the user's index: it is
                // not refreshed this time.
                let touched = if listed {
                    store.touch(&id, &expiry, now).await
                } else {
                    Ok(false)
                };
                match touched {
                    Ok(true) => {}
                    Ok(false) => cookie = CookiePlan::None,
                    Err(error) => {
                        tracing::warn!(session = %id.label(), %error, "refreshing the session failed");
                        cookie = CookiePlan::None;
                    }
                }
            }
            Write::Delete { id } => {
                delete_logged_out(&engine, via, store, &id, now).await?;
                tracing::info!(session = %id.label(), "session destroyed");
            }
        }
        if let (Some(bound), Some(id)) = (&user.bound, written) {
            let max = engine.config.max_sessions_per_user;
            users::enforce_bound(store, bound, max, SessionRef::of(&id), now).await;
        }
        let carried = match cookie {
            CookiePlan::None => Carried::default(),
            CookiePlan::Removal => engine.removal(via).0,
            CookiePlan::Issue { id, expires } => id
                .or(created)
                .map(|id| engine.issue(via, &id, expires.map(from_millis), now))
                .unwrap_or_default(),
        };
        Ok(Committed::new(carried, accessed, engine.vary.clone()))
    }
}

/// Creates the record and retires its predecessor, if any, in its favour.
///
/// The order makes every interleaving safe with single-record operations: the successor exists
/// before the predecessor points at it, so a logout that deletes the predecessor afterwards
/// follows the pointer and deletes the successor too; a logout before the retirement makes the
/// retirement fail, and the successor, whose ID nobody else has seen, is deleted again.
async fn create_successor<S: SessionStore + ?Sized>(
    engine: &Engine,
    via: Via,
    store: &S,
    record: &Record,
    predecessor: Option<Predecessor>,
    now: SystemTime,
) -> Result<Successor, SaveError> {
    let logout = predecessor.filter(|predecessor| predecessor.destroyed);
    let id = match create(engine, store, record, now).await {
        Ok(id) => id,
        Err(error) => {
            // A logout still ends the session when its successor cannot be made.
            if let Some(logout) = logout {
                // The answer is this failure's; the logout's own is already logged.
                let _ = delete_logged_out(engine, via, store, &logout.id, now).await;
            }
            return Err(error.with_removal(logout.map(|_| engine.removal(via))));
        }
    };
    let Some(predecessor) = predecessor else {
        tracing::info!(session = %id.label(), "new session");
        return Ok(Successor::Created(id));
    };
    match store.retire(&predecessor.id, &id, now).await {
        Ok(true) => {
            tracing::info!(session = %id.label(), previous = %predecessor.id.label(), "session moved to a new id");
            Ok(Successor::Created(id))
        }
        Ok(false) => {
            tracing::warn!(session = %predecessor.id.label(), "session ended by a concurrent request; its successor is discarded");
            discard(store, &id, now).await;
            if predecessor.destroyed {
                // Deleting the predecessor follows it to whatever a concurrent rotation made of
                // it: this request's logout still ends the session.
                delete_logged_out(engine, via, store, &predecessor.id, now).await?;
                Ok(Successor::LoggedOut)
            } else {
                Ok(Successor::Discarded)
            }
        }
        Err(error) => {
            tracing::error!(session = %predecessor.id.label(), %error, "retiring the old session failed");
            discard(store, &id, now).await;
            if let Some(logout) = logout {
                // The answer is this failure's; the logout's own is already logged.
                let _ = delete_logged_out(engine, via, store, &logout.id, now).await;
            }
            Err(SaveError::store(error, logout.map(|_| engine.removal(via))))
        }
    }
}

/// Deletes a successor that must not outlive a failed or lost rotation. Best effort: nobody else
/// has seen its ID, so if this fails too it only waits for its expiry.
async fn discard<S: SessionStore + ?Sized>(store: &S, id: &SessionId, now: SystemTime) {
    if let Err(error) = store.delete(id, now).await {
        tracing::warn!(session = %id.label(), %error, "deleting a discarded successor failed; it expires unseen");
    }
}

/// Deletes a logged-out session (following any successor); on failure the browser is still told
/// to drop the cookie.
async fn delete_logged_out<S: SessionStore + ?Sized>(
    engine: &Engine,
    via: Via,
    store: &S,
    id: &SessionId,
    now: SystemTime,
) -> Result<(), SaveError> {
    store.delete(id, now).await.map_err(|error| {
        tracing::error!(session = %id.label(), %error, "destroying the session failed; the browser is still told to drop it");
        SaveError::store(error, Some(engine.removal(via)))
    })
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
            SaveError::new(SaveFailure::Id(error))
        })?;
        if let Some(user) = &record.user {
            list_user_session(store, user, &id, record.expiry.expires_at, now).await?;
        }
        match store.create(&id, record, now).await {
            Ok(true) => return Ok(id),
            Ok(false) => {
                tracing::warn!(session = %id.label(), "session id collision; drawing another")
            }
            Err(error) => {
                tracing::error!(%error, "creating the session failed");
                return Err(SaveError::store(error, None));
            }
        }
    }
    Err(SaveError::new(SaveFailure::IdCollision))
}

/// Lists `id` under `user` before the write that binds or extends it; a failure fails the save,
/// since a session missing from its user's index would escape "log out everywhere".
async fn list_user_session<S: SessionStore + ?Sized>(
    store: &S,
    user: &str,
    id: &SessionId,
    expires_at: SystemTime,
    now: SystemTime,
) -> Result<(), SaveError> {
    store
        .list_user_session(user, id, expires_at, now)
        .await
        .map_err(|error| {
            tracing::error!(session = %id.label(), %error, "listing the session under its user failed; it is not saved");
            SaveError::store(error, None)
        })
}
