//! For store authors: the store contract ([`SessionStore`]), the records it keeps
//! ([`Record`], [`Expiry`], [`SessionData`]), the changes it applies ([`Changes`]) and the errors
//! it reports ([`StoreError`]); [`TimeLimited`] bounds any store's calls (feature `timeouts`),
//! [`observed`] reports each call as a `tracing` event, and [`store_enum!`](crate::store_enum)
//! makes one store type of several.
//! The in-memory store is [`MemoryStore`](crate::MemoryStore), at the crate root.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::time::{Duration, SystemTime};

use crate::id::SessionId;

#[cfg(feature = "memory-store")]
pub(crate) mod memory;
mod observed;
mod store_enum;
#[cfg(feature = "timeouts")]
mod time_limited;

pub use crate::changes::{Changes, UserChange};
pub use crate::data::SessionData;
pub use crate::users::{ListedSession, SessionRef, user_digest};
pub use observed::observed;
#[cfg(feature = "timeouts")]
pub use time_limited::TimeLimited;

/// When a session was last refreshed and when it ends.
///
/// `expires_at` is the server-side end of the session: the earliest of its idle deadline, its
/// absolute deadline and (with a positive max age) its cookie's end. Stores use it as the
/// record's time to live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(
    clippy::exhaustive_structs,
    reason = "store authors build and read these fields"
)]
pub struct Expiry {
    /// The last time the session's activity was recorded.
    pub refreshed_at: SystemTime,
    /// When the session ends.
    pub expires_at: SystemTime,
}

/// One stored session.
#[derive(Clone, Debug, PartialEq)]
#[allow(
    clippy::exhaustive_structs,
    reason = "store authors build and read these fields"
)]
pub struct Record {
    /// The data.
    pub data: SessionData,
    /// When the session was created. [`Session::cycle_id`](crate::Session::cycle_id) keeps it.
    pub created_at: SystemTime,
    /// The refresh time and the end of the session.
    pub expiry: Expiry,
    /// The user the session belongs to ([`Session::set_user`](crate::Session::set_user)), if
    /// any: the truth a store's user index is checked against.
    pub user: Option<String>,
}

/// Where sessions live.
///
/// Every method receives `now`, the time the engine used for its decisions, so a store never has
/// to read a clock of its own (a store may still use its own clock or a server-side TTL). The
/// futures are `Send`, so one store serves every framework.
///
/// The contract, which [`store_suite`](crate::testing::store_suite) (feature `test-util`) checks
/// for any implementation:
///
/// - [`create`](SessionStore::create) inserts only if the ID is unused (and returns `false`
///   otherwise), atomically: two concurrent creations never share an ID.
/// - [`load`](SessionStore::load) returns the record, or `None`. It may return a record past its
///   `expires_at`, with or without its data; the engine treats such a record as expired and
///   deletes it.
/// - [`apply`](SessionStore::apply) applies one request's [`Changes`] to the record as it is now,
///   never overwriting keys the request did not change, and only if the record still exists and
///   has not expired (returning `false` otherwise): a write never brings back a session that a
///   concurrent request destroyed or rotated. The expiry never moves backwards.
/// - [`touch`](SessionStore::touch) updates only the expiry, under the same conditions.
/// - [`retire`](SessionStore::retire) ends a live record because a successor replaces it
///   (rotation, or a logout followed by writes), atomically with the check that it is still
///   live and not retired already: of two concurrent retirements, one wins. A retired record is
///   not live: `load` returns `None` for it, `apply` and `touch` return `false`, `create` does
///   not reuse its ID before its `expires_at`.
/// - [`delete`](SessionStore::delete) removes the record; deleting a missing record succeeds.
///   Deleting a retired record also deletes its successor, and the successor's successor, and
///   so on: a logout still in flight for a session ends whatever a concurrent rotation made of
///   it.
///
/// Every operation touches the record of one ID at a time (following a successor is a second
/// operation), so a store may put predecessor and successor on different shards or Redis
/// Cluster nodes.
///
/// A store keeps [`Record::user`] with the record and applies a [`UserChange`] with the data.
/// To find a user's sessions it also keeps a *user index*, through three more methods whose
/// default answers [`StoreErrorKind::Unsupported`] (so a store without one fails loudly when an
/// application binds a session to a user, and never loses a session from "log out
/// everywhere"):
///
/// - [`list_user_session`](SessionStore::list_user_session) lists a session under its user
///   until at least a given time. The engine calls it *before* every write that makes a record
///   bound to a user or extends one, so a live record bound to a user is always listed: the
///   index may list more than the user's sessions, never fewer.
/// - [`user_sessions`](SessionStore::user_sessions) returns the user's live sessions: those
///   listed whose record is live and still bound to the user. It drops the entries whose time
///   has passed, and those whose record is not a live session of the user once
///   [`LISTING_GRACE`] has passed since they were listed (the index is repaired as it is read;
///   it never relies on expiry notifications).
/// - [`end_user_session`](SessionStore::end_user_session) deletes one listed session, with its
///   successors as [`delete`](SessionStore::delete) does, unless it is live and bound to
///   another user.
///
/// # Examples
///
/// A complete store over a mutex-guarded map (the built-in [`MemoryStore`](crate::MemoryStore)
/// is the bounded, sharded version of this):
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Mutex;
/// use std::time::SystemTime;
/// use fastsession_core::{store::Changes, store::Expiry, store::Record, id::SessionId, store::SessionStore, store::StoreError};
///
/// /// A record, or the marker a retired record leaves: the ID of its successor, until it expires.
/// #[derive(Debug)]
/// enum Entry {
///     Live(Record),
///     Retired { successor: SessionId, expires_at: SystemTime },
/// }
///
/// #[derive(Debug, Default)]
/// struct MapStore(Mutex<HashMap<[u8; 32], Entry>>);
///
/// impl MapStore {
///     fn map(&self) -> Result<std::sync::MutexGuard<'_, HashMap<[u8; 32], Entry>>, StoreError> {
///         self.0.lock().map_err(|_| StoreError::backend("the map's lock is poisoned"))
///     }
///
///     fn live(&self, id: &SessionId, now: SystemTime) -> Result<Option<Record>, StoreError> {
///         Ok(match self.map()?.get(id.as_bytes()) {
///             Some(Entry::Live(record)) if record.expiry.expires_at > now => Some(record.clone()),
///             _ => None,
///         })
///     }
/// }
///
/// impl SessionStore for MapStore {
///     async fn create(&self, id: &SessionId, record: &Record, now: SystemTime) -> Result<bool, StoreError> {
///         let mut map = self.map()?;
///         let taken = match map.get(id.as_bytes()) {
///             Some(Entry::Live(existing)) => existing.expiry.expires_at > now,
///             Some(Entry::Retired { expires_at, .. }) => *expires_at > now,
///             None => false,
///         };
///         if !taken {
///             map.insert(*id.as_bytes(), Entry::Live(record.clone()));
///         }
///         Ok(!taken)
///     }
///
///     async fn load(&self, id: &SessionId, _now: SystemTime) -> Result<Option<Record>, StoreError> {
///         Ok(match self.map()?.get(id.as_bytes()) {
///             Some(Entry::Live(record)) => Some(record.clone()),
///             _ => None,
///         })
///     }
///
///     async fn apply(&self, id: &SessionId, changes: &Changes, expiry: &Expiry, now: SystemTime) -> Result<bool, StoreError> {
///         let mut map = self.map()?;
///         match map.get_mut(id.as_bytes()) {
///             Some(Entry::Live(record)) if record.expiry.expires_at > now => {
///                 changes.apply_to(&mut record.data);
///                 changes.apply_user_to(&mut record.user);
///                 record.expiry.refreshed_at = record.expiry.refreshed_at.max(expiry.refreshed_at);
///                 record.expiry.expires_at = record.expiry.expires_at.max(expiry.expires_at);
///                 Ok(true)
///             }
///             _ => Ok(false),
///         }
///     }
///
///     async fn touch(&self, id: &SessionId, expiry: &Expiry, now: SystemTime) -> Result<bool, StoreError> {
///         self.apply(id, &Changes::new(), expiry, now).await
///     }
///
///     async fn retire(&self, id: &SessionId, successor: &SessionId, now: SystemTime) -> Result<bool, StoreError> {
///         let mut map = self.map()?;
///         let Some(Entry::Live(record)) = map.get(id.as_bytes()) else { return Ok(false) };
///         if record.expiry.expires_at <= now {
///             return Ok(false);
///         }
///         let expires_at = record.expiry.expires_at;
///         map.insert(*id.as_bytes(), Entry::Retired { successor: *successor, expires_at });
///         Ok(true)
///     }
///
///     async fn delete(&self, id: &SessionId, _now: SystemTime) -> Result<(), StoreError> {
///         let mut map = self.map()?;
///         let mut next = Some(*id);
///         // Follow the successors, a bounded number of times.
///         for _ in 0..fastsession_core::store::MAX_SUCCESSORS_FOLLOWED {
///             let Some(id) = next.take() else { break };
///             if let Some(Entry::Retired { successor, .. }) = map.remove(id.as_bytes()) {
///                 next = Some(successor);
///             }
///         }
///         Ok(())
///     }
/// }
/// # fn main() {}
/// ```
pub trait SessionStore: Send + Sync + 'static {
    /// Inserts `record` under `id` unless the ID is already in use; returns whether it inserted.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be reached or fails.
    fn create(
        &self,
        id: &SessionId,
        record: &Record,
        now: SystemTime,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The record stored under `id`, if any.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be reached or fails, or the record cannot be read.
    fn load(
        &self,
        id: &SessionId,
        now: SystemTime,
    ) -> impl Future<Output = Result<Option<Record>, StoreError>> + Send;

    /// Applies `changes` and `expiry` to the live record under `id`; returns `false` (and changes
    /// nothing) when there is no live record.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be reached or fails.
    fn apply(
        &self,
        id: &SessionId,
        changes: &Changes,
        expiry: &Expiry,
        now: SystemTime,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Updates only the expiry of the live record under `id`; returns `false` when there is none.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be reached or fails.
    fn touch(
        &self,
        id: &SessionId,
        expiry: &Expiry,
        now: SystemTime,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Ends the live record under `id` in favour of `successor`, atomically: only if it is live
    /// and not retired already. Returns whether it did; `false` means a concurrent logout or
    /// rotation ended it first, and the caller discards its successor.
    ///
    /// The retired record keeps only `successor` until its own `expires_at`, so that a
    /// [`delete`](SessionStore::delete) of `id` by a request still in flight follows it.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be reached or fails.
    fn retire(
        &self,
        id: &SessionId,
        successor: &SessionId,
        now: SystemTime,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Removes the record under `id`, if any; if it was retired, its successor too, following at
    /// most [`MAX_SUCCESSORS_FOLLOWED`] records in all.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be reached or fails.
    fn delete(
        &self,
        id: &SessionId,
        now: SystemTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Lists the session `id` among `user`'s sessions until at least `expires_at` (an entry
    /// listed already keeps the later of its time and this one). Called before the record bound
    /// to `user` is written.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be reached or fails;
    /// [`StoreErrorKind::Unsupported`] (the default) when the store keeps no user index.
    fn list_user_session(
        &self,
        user: &str,
        id: &SessionId,
        expires_at: SystemTime,
        now: SystemTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        let _ = (user, id, expires_at, now);
        std::future::ready(Err(StoreError::from_kind(StoreErrorKind::Unsupported)))
    }

    /// The live sessions bound to `user`, in any order; entries of the user index whose record
    /// is gone, expired, retired or bound to someone else are dropped from it.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be reached or fails;
    /// [`StoreErrorKind::Unsupported`] (the default) when the store keeps no user index.
    fn user_sessions(
        &self,
        user: &str,
        now: SystemTime,
    ) -> impl Future<Output = Result<Vec<ListedSession>, StoreError>> + Send {
        let _ = (user, now);
        std::future::ready(Err(StoreError::from_kind(StoreErrorKind::Unsupported)))
    }

    /// Ends one of `user`'s sessions: deletes the record `session` names (and its successors,
    /// as [`delete`](SessionStore::delete) does) unless it is live and bound to another user,
    /// and drops it from the user's index. Returns whether a record was deleted.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be reached or fails;
    /// [`StoreErrorKind::Unsupported`] (the default) when the store keeps no user index.
    fn end_user_session(
        &self,
        user: &str,
        session: &SessionRef,
        now: SystemTime,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        let _ = (user, session, now);
        std::future::ready(Err(StoreError::from_kind(StoreErrorKind::Unsupported)))
    }
}

/// How long an entry of a user index stays after the session was last listed, even when its
/// record does not say it belongs to the user: the write that binds it may still be on its way
/// (the engine lists a session *before* writing its record). After it, an entry whose record is
/// gone, retired or bound elsewhere is dropped when the index is read.
pub const LISTING_GRACE: Duration = Duration::from_secs(60);

/// How many records one [`SessionStore::delete`] removes at most while following successors: a
/// bound on the work of one logout, far above the rotations a session sees while one request is
/// in flight.
pub const MAX_SUCCESSORS_FOLLOWED: usize = 16;

/// What kind of failure a [`StoreError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// The store could not be reached (connection refused or dropped).
    Unavailable,
    /// The store did not answer in time.
    Timeout,
    /// A stored record could not be decoded.
    Corrupt,
    /// The store answered with an error.
    Backend,
    /// The store does not offer the operation (a store without a user index, asked for a
    /// user's sessions).
    Unsupported,
}

impl fmt::Display for StoreErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unavailable => "the session store is unavailable",
            Self::Timeout => "the session store timed out",
            Self::Corrupt => "a stored session could not be decoded",
            Self::Backend => "the session store failed",
            Self::Unsupported => "the session store does not support this operation",
        })
    }
}

/// A store operation failed.
///
/// Carries a [`StoreErrorKind`] and the underlying error as its `source`. Messages never
/// contain session IDs.
#[derive(Debug, thiserror::Error)]
#[error("{kind}")]
pub struct StoreError {
    kind: StoreErrorKind,
    #[source]
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl StoreError {
    /// An error of `kind` caused by `source`.
    pub fn new(kind: StoreErrorKind, source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self {
            kind,
            source: Some(source.into()),
        }
    }

    /// An error of `kind` with no further cause.
    pub fn from_kind(kind: StoreErrorKind) -> Self {
        Self { kind, source: None }
    }

    /// [`StoreErrorKind::Unavailable`] caused by `source`.
    pub fn unavailable(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self::new(StoreErrorKind::Unavailable, source)
    }

    /// [`StoreErrorKind::Timeout`].
    pub fn timeout() -> Self {
        Self::from_kind(StoreErrorKind::Timeout)
    }

    /// [`StoreErrorKind::Corrupt`] caused by `source`.
    pub fn corrupt(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self::new(StoreErrorKind::Corrupt, source)
    }

    /// [`StoreErrorKind::Backend`] caused by `source`.
    pub fn backend(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self::new(StoreErrorKind::Backend, source)
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> StoreErrorKind {
        self.kind
    }
}
