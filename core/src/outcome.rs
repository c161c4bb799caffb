//! What finishing a request gives an integration: [`Committed`] (the headers to add) or a
//! [`SaveError`] (the 500 to answer, with a logout's removal still carried), and
//! [`Finished`], which applies either.

use crate::commit::CREATE_ATTEMPTS;
use crate::cookie::SetCookie;
use crate::headers::{
    Carried, ResponseHeaders, Vary, append_fields, replaced_fields, session_headers,
};
use crate::id::IdError;
use crate::rejection::ERROR_BODY;
use crate::store::StoreError;
use crate::transport::SessionToken;

/// The outcome of a successful [`Finish::commit`](crate::adapter::Finish::commit): the headers
/// to add to the response.
#[derive(Clone, Debug)]
#[must_use]
pub struct Committed {
    carried: Carried,
    accessed: bool,
    vary: Vary,
}

impl Committed {
    pub(crate) fn new(carried: Carried, accessed: bool, vary: Vary) -> Self {
        Self {
            carried,
            accessed,
            vary,
        }
    }

    /// The `Set-Cookie` value to append, if any.
    pub fn set_cookie(&self) -> Option<&SetCookie> {
        self.carried.set_cookie.as_ref()
    }

    /// The session header to append, if any ([`Transport::Header`](crate::Transport::Header)
    /// or [`Transport::CookieOrHeader`](crate::Transport::CookieOrHeader)): a new or rotated
    /// session's value, or the empty value of an ended session.
    pub fn session_token(&self) -> Option<&SessionToken> {
        self.carried.token.as_ref()
    }

    /// Every header to append to the response, as `(lowercase name, value)`: `set-cookie` or
    /// the session header (with `cache-control: no-store`, so no shared cache keeps a response
    /// that carries a session), and `vary` naming the fields the session came in (`Cookie`, the
    /// session header) when a handler used the session. Remove the
    /// [`Committed::replaced_headers`] first.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        session_headers(&self.carried, self.accessed, &self.vary)
    }

    /// The response headers to remove before appending [`Committed::headers`] (lowercase
    /// names): the application's `cache-control` when a session is carried.
    pub fn replaced_headers(&self) -> impl Iterator<Item = &'static str> {
        replaced_fields(&self.carried)
    }

    /// Removes [`Committed::replaced_headers`] from a response's headers, then appends
    /// [`Committed::headers`], each as its own field.
    pub fn append_to<H: ResponseHeaders + ?Sized>(&self, headers: &mut H) {
        append_fields(&self.carried, self.accessed, &self.vary, headers);
    }
}

/// Saving the session failed: the response becomes a 500, carrying only
/// [`SaveError::removal_cookie`] if there is one.
#[derive(Debug, thiserror::Error)]
#[error("the session could not be saved")]
pub struct SaveError {
    #[source]
    failure: SaveFailure,
    removal: Carried,
    vary: Vary,
}

/// Why saving the session failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SaveFailure {
    /// The store failed.
    #[error("the session store failed")]
    Store(#[source] StoreError),
    /// No ID could be generated.
    #[error("no session id could be generated")]
    Id(#[source] IdError),
    /// Every fresh ID collided with a stored one.
    #[error("{CREATE_ATTEMPTS} fresh session ids all collided")]
    IdCollision,
}

impl SaveError {
    pub(crate) fn new(failure: SaveFailure) -> Self {
        Self {
            failure,
            removal: Carried::default(),
            vary: Vary::Cookie,
        }
    }

    pub(crate) fn store(error: StoreError, removal: Option<(Carried, Vary)>) -> Self {
        Self::new(SaveFailure::Store(error)).with_removal(removal)
    }

    /// The error, carrying `removal` (a logout's removal and the `Vary` to send with it).
    pub(crate) fn with_removal(mut self, removal: Option<(Carried, Vary)>) -> Self {
        if let Some((carried, vary)) = removal {
            self.removal = carried;
            self.vary = vary;
        }
        self
    }

    /// The status that replaces the handler's: always 500.
    pub fn status(&self) -> u16 {
        500
    }

    /// The body that replaces the handler's: the generic [`ERROR_BODY`], never the failure's
    /// details.
    pub fn body(&self) -> &'static str {
        ERROR_BODY
    }

    /// Why saving failed.
    pub fn failure(&self) -> &SaveFailure {
        &self.failure
    }

    /// The cookie to send despite the failure: the removal cookie of a logout (the browser
    /// forgets the session even when the store could not be told).
    pub fn removal_cookie(&self) -> Option<&SetCookie> {
        self.removal.set_cookie.as_ref()
    }

    /// The session header to send despite the failure: the empty value of a logout, with a
    /// header transport.
    pub fn removal_token(&self) -> Option<&SessionToken> {
        self.removal.token.as_ref()
    }

    /// The headers of the 500 that answers the failure, as `(lowercase name, value)`: the
    /// removal cookie or header of a logout, if any, with `cache-control: no-store` and `vary`;
    /// nothing otherwise. Answer [`SaveError::body`] with them.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        session_headers(&self.removal, false, &self.vary)
    }

    /// Appends [`SaveError::headers`] to the headers of the 500 that replaces the response, each
    /// as its own field.
    pub fn append_to<H: ResponseHeaders + ?Sized>(&self, headers: &mut H) {
        append_fields(&self.removal, false, &self.vary, headers);
    }
}

/// What an integration does with the result of finishing a request
/// ([`Finish::commit`](crate::adapter::Finish::commit), or the driver's
/// `RequestSession::finish`), in two calls: answer the [`replacement`](Finished::replacement) if
/// there is one, then [`append_to`](Finished::append_to) the response's headers.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use fastsession_core::adapter::{Finished as _, Sessions};
/// use fastsession_core::{Config, Key, MemoryStore};
///
/// let sessions = Sessions::new(Config::new(Key::generate().unwrap())).unwrap();
/// let store = MemoryStore::new();
/// let handle = sessions.begin(&[]);
/// let session = handle.load(&store, sessions.now()).await.unwrap().unwrap();
/// session.insert("user", "ada").unwrap();
/// let finished = sessions.finish(handle, 200, sessions.now()).commit(&store, sessions.now()).await;
///
/// let mut headers = http::HeaderMap::new();
/// assert_eq!(finished.replacement(), None, "the handler's response stands");
/// finished.append_to(&mut headers);
/// assert!(headers.contains_key("set-cookie"));
/// # });
/// ```
pub trait Finished {
    /// What to answer instead of the handler's response, as `(status, body)`: a 500 with the
    /// generic body when saving failed ([`SaveError::status`], [`SaveError::body`]); `None` when
    /// the handler's response stands.
    fn replacement(&self) -> Option<(u16, &'static str)>;

    /// Removes the replaced headers, then appends the session's headers, each as its own field:
    /// [`Committed::append_to`], or [`SaveError::append_to`] on the replacement.
    fn append_to<H: ResponseHeaders + ?Sized>(&self, headers: &mut H);
}

impl Finished for Result<Committed, SaveError> {
    fn replacement(&self) -> Option<(u16, &'static str)> {
        self.as_ref()
            .err()
            .map(|error| (error.status(), error.body()))
    }

    fn append_to<H: ResponseHeaders + ?Sized>(&self, headers: &mut H) {
        match self {
            Ok(committed) => committed.append_to(headers),
            Err(error) => error.append_to(headers),
        }
    }
}
