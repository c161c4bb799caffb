//! actix-session ships no server-side memory store; this is the minimal one a user would write:
//! one map behind a lock, random 64-character keys, TTLs not enforced.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use rand::TryRng as _;

type State = HashMap<String, String>;

#[derive(Clone, Default)]
pub(super) struct MinimalMemoryStore {
    sessions: Arc<RwLock<HashMap<String, State>>>,
}

fn lock_error() -> anyhow::Error {
    anyhow::anyhow!("the session map's lock is poisoned")
}

impl SessionStore for MinimalMemoryStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        let sessions = self
            .sessions
            .read()
            .map_err(|_| LoadError::Other(lock_error()))?;
        Ok(sessions.get(key.as_ref()).cloned())
    }

    async fn save(&self, state: State, _ttl: &Duration) -> Result<SessionKey, SaveError> {
        let mut bytes = [0_u8; 32];
        rand::rngs::SysRng
            .try_fill_bytes(&mut bytes)
            .map_err(|error| SaveError::Other(anyhow::Error::new(error)))?;
        let key = hex::encode(bytes);
        self.sessions
            .write()
            .map_err(|_| SaveError::Other(lock_error()))?
            .insert(key.clone(), state);
        SessionKey::try_from(key).map_err(|error| SaveError::Other(error.into()))
    }

    async fn update(
        &self,
        key: SessionKey,
        state: State,
        _ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        self.sessions
            .write()
            .map_err(|_| UpdateError::Other(lock_error()))?
            .insert(key.as_ref().to_owned(), state);
        Ok(key)
    }

    async fn update_ttl(&self, _key: &SessionKey, _ttl: &Duration) -> Result<(), anyhow::Error> {
        Ok(())
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        self.sessions
            .write()
            .map_err(|_| lock_error())?
            .remove(key.as_ref());
        Ok(())
    }
}
