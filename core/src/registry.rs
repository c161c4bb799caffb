//! [`SessionRegistry`]: a request's sessions by session object name, what every adapter keeps
//! in the request and its extractors read.

use crate::driver::RequestSession;
use crate::rejection::ExtractError;
use crate::session::Session;
use crate::user_sessions::UserSessions;

/// Every [`RequestSession`] of one request, by session object name: what adapters keep in the
/// request's extensions so several session middlewares (with different cookies) can coexist.
#[derive(Clone, Debug, Default)]
pub struct SessionRegistry {
    /// Nearly every app has one session middleware: it needs no allocation.
    first: Option<RequestSession>,
    more: Vec<RequestSession>,
}

impl SessionRegistry {
    /// Adds a middleware's session; one with the same name is replaced.
    pub fn insert(&mut self, session: RequestSession) {
        match &mut self.first {
            Some(first) if first.name() == session.name() => *first = session,
            Some(_) => {
                self.more
                    .retain(|existing| existing.name() != session.name());
                self.more.push(session);
            }
            None => self.first = Some(session),
        }
    }

    /// The session named `name`.
    pub fn get(&self, name: &str) -> Option<&RequestSession> {
        self.first
            .iter()
            .chain(&self.more)
            .find(|session| session.name() == name)
    }

    /// The session named `name`, or `None` when a skip rule exempted the request: what every
    /// adapter's optional extractor returns.
    ///
    /// # Errors
    ///
    /// [`ExtractError::NotInstalled`] when no middleware provides `name`;
    /// [`ExtractError::Unavailable`] when the store failed (a store failure is never hidden as
    /// "no session").
    pub async fn optional(&self, name: &str) -> Result<Option<Session>, ExtractError> {
        let request = self.installed(name)?;
        if request.is_skipped() {
            Ok(None)
        } else {
            request.session().await.map(Some)
        }
    }

    /// The session named `name`, loaded.
    ///
    /// # Errors
    ///
    /// [`ExtractError::NotInstalled`] when there is none; otherwise as
    /// [`RequestSession::session`].
    pub async fn session(&self, name: &str) -> Result<Session, ExtractError> {
        self.installed(name)?.session().await
    }

    /// The sessions of the user that the session named `name` belongs to.
    ///
    /// # Errors
    ///
    /// As [`SessionRegistry::session`].
    pub async fn user_sessions(&self, name: &str) -> Result<UserSessions, ExtractError> {
        self.installed(name)?.user_sessions().await
    }

    fn installed(&self, name: &str) -> Result<&RequestSession, ExtractError> {
        self.get(name).ok_or_else(|| {
            tracing::error!(
                session_object = name,
                "a handler asked for a session that no middleware provides"
            );
            ExtractError::NotInstalled(name.to_owned())
        })
    }
}
