//! [`UserSessions`]: a handler's view of the sessions of its session's user ("your devices",
//! "log out other devices", "log out everywhere").

use std::fmt;

use crate::driver::RequestSession;
use crate::rejection::ExtractError;
use crate::session::Session;
use crate::users::{SessionLabel, UserSession};

/// The sessions of the user the current session belongs to
/// ([`Session::set_user`](crate::Session::set_user)), from a handler: list them, end one, end
/// all others, end all. Adapters hand it out as an extractor.
///
/// Ending is final, with a logout's guarantees: a request of an ended session that is still in
/// flight cannot bring it back, and its next request starts a new session whose
/// [`Cause`](crate::Cause) is [`NoStore`](crate::Cause::NoStore). The current session is ended
/// as [`Session::destroy`] ends it, when the response is finished (with the removal cookie);
/// the others at once.
///
/// On a session bound to no user, the list is empty and nothing is ended.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// use fastsession_core::adapter::{SessionManager, Sessions};
/// use fastsession_core::{Config, Key, MemoryStore};
///
/// let sessions = Sessions::new(Config::new(Key::generate()?).with_secure(false))?;
/// let manager = SessionManager::new(sessions, MemoryStore::new());
///
/// // Ada logs in on two devices.
/// let mut cookies = Vec::new();
/// for _ in 0..2 {
///     let request = manager.start(&[] as &[(&str, &[u8])]);
///     request.session().await?.set_user("ada")?;
///     let committed = request.finish(200).await?;
///     cookies.push(committed.set_cookie().unwrap().value().to_owned());
/// }
///
/// // On the first, she logs out the other.
/// let cookie = format!("sid={}", cookies[0]);
/// let request = manager.start(&[("cookie", cookie.as_bytes())]);
/// let devices = request.user_sessions().await?;
/// assert_eq!(devices.list().await?.len(), 2);
/// assert_eq!(devices.end_others().await?, 1);
/// assert_eq!(devices.list().await?.len(), 1);
/// # request.finish(200).await?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct UserSessions {
    request: RequestSession,
    session: Session,
}

impl fmt::Debug for UserSessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserSessions")
            .field("user", &self.user())
            .finish_non_exhaustive()
    }
}

impl UserSessions {
    pub(crate) fn new(request: RequestSession, session: Session) -> Self {
        Self { request, session }
    }

    /// The user the current session belongs to.
    pub fn user(&self) -> Option<String> {
        self.session.user()
    }

    /// The user's live sessions, oldest first; the current one is marked
    /// [`current`](UserSession::current).
    ///
    /// # Errors
    ///
    /// [`ExtractError::Unavailable`] when the store failed.
    pub async fn list(&self) -> Result<Vec<UserSession>, ExtractError> {
        let Some(user) = self.user() else {
            return Ok(Vec::new());
        };
        let current = self.session.stored_ref();
        self.request.list_user_sessions(&user, current).await
    }

    /// Ends the user's session with this label (the current one included); returns whether
    /// the user had one with it.
    ///
    /// # Errors
    ///
    /// [`ExtractError::Unavailable`] when the store failed.
    pub async fn end(&self, label: SessionLabel) -> Result<bool, ExtractError> {
        let Some(user) = self.user() else {
            return Ok(false);
        };
        if self.session.stored_ref().map(|current| current.label()) == Some(label) {
            self.destroy_current()?;
            return Ok(true);
        }
        let ended = self.request.end_labelled(&user, label).await?;
        Ok(ended)
    }

    /// Ends every session of the user but the current one ("log out other devices"); returns
    /// how many it ended.
    ///
    /// # Errors
    ///
    /// [`ExtractError::Unavailable`] when the store failed.
    pub async fn end_others(&self) -> Result<usize, ExtractError> {
        let Some(user) = self.user() else {
            return Ok(0);
        };
        let current = self.session.stored_ref();
        self.request.end_all(&user, current).await
    }

    /// Ends every session of the user, the current one included ("log out everywhere"): the
    /// others at once, the current one when the response is finished. Returns how many it
    /// ended.
    ///
    /// # Errors
    ///
    /// [`ExtractError::Unavailable`] when the store failed.
    pub async fn end_all(&self) -> Result<usize, ExtractError> {
        let Some(user) = self.user() else {
            return Ok(0);
        };
        let current = self.session.stored_ref();
        let others = self.request.end_all(&user, current).await?;
        self.destroy_current()?;
        Ok(others + usize::from(current.is_some()))
    }

    fn destroy_current(&self) -> Result<(), ExtractError> {
        self.session
            .destroy()
            .map_err(|_finished| ExtractError::Finished)
    }
}
