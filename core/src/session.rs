//! [`Session`]: what handlers read and write.

use std::fmt;
use std::sync::{Arc, MutexGuard};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::changes::{Changes, Edit, as_integer};
use crate::data::entry_len;
use crate::id::SessionId;
use crate::state::{Cause, Phase, Shared, State};

/// A handler's view of this request's session: synchronous, `Clone + Send + Sync`.
///
/// Values are stored as JSON through serde. Reads see this request's own writes. Nothing reaches
/// the store until the response is finished, and then only what changed.
///
/// After the request is finished, clones a handler kept are inert: reads find nothing and writes
/// fail with [`SessionError::Finished`].
///
/// # Examples
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # use std::time::SystemTime;
/// # use fastsession_core::{Config, Key, MemoryStore, adapter::Sessions};
/// # let sessions = Sessions::new(Config::new(Key::generate().unwrap())).unwrap();
/// # let store = MemoryStore::new();
/// # let now = SystemTime::now();
/// # let handle = sessions.begin(&[]);
/// let session = handle.load(&store, now).await.unwrap().unwrap();
/// let visits: u32 = session.get("visits").unwrap().unwrap_or(0);
/// session.insert("visits", &(visits + 1)).unwrap();
/// assert_eq!(session.get::<u32>("visits").unwrap(), Some(1));
/// assert_eq!(session.cause().as_str(), "new");
/// # });
/// ```
#[derive(Clone)]
pub struct Session {
    shared: Arc<Shared>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.state();
        f.debug_struct("Session")
            .field("id", &state.live.map(|live| live.id))
            .field("cause", &state.cause)
            .field("keys", &keys_of(&state))
            .finish()
    }
}

fn current<'a>(state: &'a State, key: &str) -> Option<&'a Value> {
    match state.changes.edit(key) {
        Edit::Set(value) => Some(value),
        Edit::Removed => None,
        Edit::Untouched if state.changes.is_cleared() => None,
        Edit::Untouched => state.base.get(key),
    }
}

/// The session's entries as the handler sees them: the stored ones the changes leave alone
/// (none once cleared), then the changed ones. No key appears twice.
fn entries(state: &State) -> impl Iterator<Item = (&str, &Value)> {
    let cleared = state.changes.is_cleared();
    state
        .base
        .iter()
        .filter(move |(key, _)| !cleared && state.changes.edit(key) == Edit::Untouched)
        .chain(state.changes.seen())
}

fn keys_of(state: &State) -> Vec<String> {
    let mut keys: Vec<String> = entries(state).map(|(key, _)| key.to_owned()).collect();
    keys.sort_unstable();
    keys
}

impl Session {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.state()
    }

    /// The payload length once `key` holds `value`.
    ///
    /// # Errors
    ///
    /// [`SessionError::TooLarge`] past the payload cap.
    fn len_with(&self, state: &mut State, key: &str, value: &Value) -> Result<usize, SessionError> {
        let max = self.shared.engine.config.max_payload_bytes;
        let now_len = payload_len(state);
        let old_len = current(state, key).map_or(0, |old| entry_len(key, old));
        let new_total = now_len - old_len + entry_len(key, value);
        if new_total > max {
            return Err(SessionError::TooLarge {
                size: new_total,
                max,
            });
        }
        Ok(new_total)
    }

    fn writable(&self) -> Result<MutexGuard<'_, State>, SessionError> {
        let state = self.state();
        if state.phase == Phase::Ready {
            Ok(state)
        } else {
            Err(SessionError::Finished)
        }
    }

    /// The value under `key`, deserialized.
    ///
    /// # Errors
    ///
    /// [`SessionError::Deserialize`] when the stored value does not fit `T`.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, SessionError> {
        let state = self.state();
        match current(&state, key) {
            Some(value) => deserialize(key, value).map(Some),
            None => Ok(None),
        }
    }

    /// The raw JSON value under `key`.
    pub fn get_value(&self, key: &str) -> Option<Value> {
        current(&self.state(), key).cloned()
    }

    /// Stores `value` under `key`.
    ///
    /// # Errors
    ///
    /// [`SessionError::Serialize`] when `value` cannot become JSON, [`SessionError::TooLarge`]
    /// when the session would pass the payload cap (nothing is changed then), and
    /// [`SessionError::Finished`] after the request ended.
    pub fn insert<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<(), SessionError> {
        let value = serde_json::to_value(value).map_err(SessionError::Serialize)?;
        self.insert_value(key, value)
    }

    /// Stores a raw JSON value under `key`; see [`Session::insert`].
    ///
    /// # Errors
    ///
    /// As [`Session::insert`].
    pub fn insert_value(&self, key: &str, value: Value) -> Result<(), SessionError> {
        let mut state = self.writable()?;
        let new_total = self.len_with(&mut state, key, &value)?;
        state.changes.insert(key, value);
        state.payload_len = Some(new_total);
        Ok(())
    }

    /// Adds `by` to the integer under `key` (a missing value, or one that is not an integer,
    /// counts as 0; the sum saturates) and returns the new value as this request sees it.
    ///
    /// This is the read-modify-write that concurrent requests cannot lose: the store adds `by`
    /// to the value it holds when it saves this request, so a hundred concurrent increments,
    /// on any number of app instances sharing the store, add a hundred. The value returned is
    /// this request's view: a concurrent request's increment may land in between, so two
    /// responses can show the same number while the stored total is exact. Read-modify-writes
    /// of any other shape (`get`, then `insert`) are last-writer-wins across concurrent
    /// requests, unless [request serialization](crate::Config::with_serialized_requests) is on.
    ///
    /// # Errors
    ///
    /// [`SessionError::TooLarge`] when the session would pass the payload cap (nothing is
    /// changed then), and [`SessionError::Finished`] after the request ended.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # use std::time::SystemTime;
    /// # use fastsession_core::{Config, Key, MemoryStore, adapter::Sessions};
    /// # let sessions = Sessions::new(Config::new(Key::generate().unwrap())).unwrap();
    /// # let store = MemoryStore::new();
    /// # let now = SystemTime::now();
    /// # let handle = sessions.begin(&[]);
    /// let session = handle.load(&store, now).await.unwrap().unwrap();
    /// assert_eq!(session.increment("visits", 1).unwrap(), 1);
    /// assert_eq!(session.increment("visits", 1).unwrap(), 2);
    /// assert_eq!(session.get::<u64>("visits").unwrap(), Some(2));
    /// # });
    /// ```
    pub fn increment(&self, key: &str, by: i64) -> Result<i64, SessionError> {
        let mut state = self.writable()?;
        let value = as_integer(current(&state, key))
            .unwrap_or(0)
            .saturating_add(by);
        let new_total = self.len_with(&mut state, key, &Value::from(value))?;
        state.changes.increment_seen(key, by, value);
        state.payload_len = Some(new_total);
        Ok(value)
    }

    /// Removes `key` and returns its value, deserialized.
    ///
    /// # Errors
    ///
    /// [`SessionError::Deserialize`] when the removed value does not fit `T` (it is removed all
    /// the same), and [`SessionError::Finished`] after the request ended.
    pub fn remove<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, SessionError> {
        match self.remove_value(key)? {
            Some(value) => deserialize(key, &value).map(Some),
            None => Ok(None),
        }
    }

    /// Removes `key` and returns its raw JSON value.
    ///
    /// # Errors
    ///
    /// [`SessionError::Finished`] after the request ended.
    pub fn remove_value(&self, key: &str) -> Result<Option<Value>, SessionError> {
        let mut state = self.writable()?;
        let old = current(&state, key).cloned();
        if let Some(old) = &old {
            let removed = entry_len(key, old);
            let total = payload_len(&mut state);
            state.payload_len = Some(total - removed);
            state.changes.remove(key);
        }
        Ok(old)
    }

    /// Removes every key; the session keeps its ID.
    ///
    /// # Errors
    ///
    /// [`SessionError::Finished`] after the request ended.
    pub fn clear(&self) -> Result<(), SessionError> {
        let mut state = self.writable()?;
        state.changes.clear();
        state.payload_len = Some(2);
        Ok(())
    }

    /// The keys, sorted.
    pub fn keys(&self) -> Vec<String> {
        keys_of(&self.state())
    }

    /// Whether the session holds no data.
    pub fn is_empty(&self) -> bool {
        self.keys().is_empty()
    }

    /// The ID of the stored session this request continues, or `None` for a new session (which
    /// gets its ID when it is first saved). After [`Session::cycle_id`] or [`Session::destroy`]
    /// this is `None` too, until the next request.
    ///
    /// The ID is secret material: never log it (its `Debug` shows only a label).
    pub fn id(&self) -> Option<SessionId> {
        let state = self.state();
        if state.cycled || state.destroyed {
            None
        } else {
            state.live.map(|live| live.id)
        }
    }

    /// Why this request's session is what it is: Python FastSession's `new`, `success`,
    /// `valid_cookie_but_no_store`, `renew after …`.
    pub fn cause(&self) -> Cause {
        self.state().cause
    }

    /// Whether the session did not exist before this request.
    pub fn is_new(&self) -> bool {
        self.state().live.is_none()
    }

    /// Moves the session to a new ID, keeping its data; the old ID stops working. Call it on
    /// every privilege change, such as login, to defeat session fixation.
    ///
    /// # Errors
    ///
    /// [`SessionError::Finished`] after the request ended.
    pub fn cycle_id(&self) -> Result<(), SessionError> {
        let mut state = self.writable()?;
        state.cycled = true;
        Ok(())
    }

    /// Ends the session (logout): the stored session is deleted and the browser is told to drop
    /// the cookie. Data written after this starts a brand-new session.
    ///
    /// # Errors
    ///
    /// [`SessionError::Finished`] after the request ended.
    pub fn destroy(&self) -> Result<(), SessionError> {
        let mut state = self.writable()?;
        state.destroyed = true;
        state.cycled = false;
        state.changes = Changes::new();
        state.changes.clear();
        state.payload_len = Some(2);
        Ok(())
    }

    /// Binds the session to `user` (an application's user identifier, 1 to
    /// [`MAX_USER_BYTES`](crate::limits::MAX_USER_BYTES) bytes), typically right after
    /// [`Session::cycle_id`] at login, so the user's sessions can be listed and ended: "your
    /// devices", "log out everywhere". The binding is saved with the session, survives
    /// rotation, and [`Session::destroy`] removes it. Binding a session counts against the
    /// [bound on a user's sessions](crate::Config::with_max_sessions_per_user).
    ///
    /// The store must keep a user index (the memory, Redis and PostgreSQL stores do); with one
    /// that does not, saving the session fails.
    ///
    /// # Errors
    ///
    /// [`SessionError::InvalidUser`] for an empty or oversized identifier,
    /// [`SessionError::Finished`] after the request ended.
    pub fn set_user(&self, user: &str) -> Result<(), SessionError> {
        if !crate::users::is_valid_user(user) {
            return Err(SessionError::InvalidUser { len: user.len() });
        }
        let mut state = self.writable()?;
        if state.user() != Some(user) {
            state.changes.bind_user(user);
        }
        Ok(())
    }

    /// The user the session belongs to, if any ([`Session::set_user`]).
    pub fn user(&self) -> Option<String> {
        self.state().user().map(str::to_owned)
    }

    /// The stored session this request loaded, as its user's index names it (kept through
    /// `cycle_id` and `destroy` until the response is finished).
    #[cfg(feature = "driver")]
    pub(crate) fn stored_ref(&self) -> Option<crate::users::SessionRef> {
        self.state()
            .live
            .map(|live| crate::users::SessionRef::of(&live.id))
    }

    /// Whether this request changed the session's data.
    pub fn is_modified(&self) -> bool {
        !self.state().changes.is_empty()
    }
}

/// `value` as a `T`; on failure an error that names `key` and `T`, never the value.
fn deserialize<T: DeserializeOwned>(key: &str, value: &Value) -> Result<T, SessionError> {
    T::deserialize(value).map_err(|_| SessionError::Deserialize {
        key: key.to_owned(),
        expected: std::any::type_name::<T>(),
    })
}

fn payload_len(state: &mut State) -> usize {
    if let Some(len) = state.payload_len {
        return len;
    }
    let len = 2 + entries(state)
        .map(|(key, value)| entry_len(key, value))
        .sum::<usize>();
    state.payload_len = Some(len);
    len
}

/// A handler's session operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The value could not be serialized to JSON.
    #[error("the value could not be serialized for the session")]
    Serialize(#[source] serde_json::Error),
    /// The stored value does not have the requested type. The error names the key and the type
    /// asked for, never the value (which may be a secret): serde's own message would quote it.
    #[error("the session value under {key:?} cannot be read as {expected}")]
    Deserialize {
        /// The key read.
        key: String,
        /// The type asked for, as [`std::any::type_name`] gives it.
        expected: &'static str,
    },
    /// The session would pass its payload cap.
    #[error("the session would hold {size} bytes of JSON, over its cap of {max} bytes")]
    TooLarge {
        /// The size it would have.
        size: usize,
        /// The configured cap.
        max: usize,
    },
    /// The request is over; the session can no longer change.
    #[error("the request has finished: its session can no longer change")]
    Finished,
    /// A user identifier must be 1 to [`MAX_USER_BYTES`](crate::limits::MAX_USER_BYTES) bytes.
    #[error("a user identifier must be 1 to 256 bytes long, not {len}")]
    InvalidUser {
        /// The length given, in bytes.
        len: usize,
    },
}
