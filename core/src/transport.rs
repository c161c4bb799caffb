//! Where the session value travels: the cookie (the default), a request header for API and
//! mobile clients that keep no cookies, or both. The value is the same signed format either
//! way, with the same verification, key rotation and expiry.

use std::fmt;
use std::sync::Arc;

use crate::config::Config;
use crate::id::SessionId;
use crate::sign::{Signer, VALUE_LEN, is_well_formed};

/// The default session header: `Authorization`, whose value is `Session <value>`.
pub const DEFAULT_SESSION_HEADER: &str = "authorization";

/// The authentication scheme of the session value in an `Authorization` header:
/// `Authorization: Session <value>`.
pub const SESSION_SCHEME: &str = "Session";

/// The longest session header name a configuration accepts, in bytes.
pub const MAX_HEADER_NAME_LEN: usize = 128;

/// Where a request's session value travels, and where the response puts a new, rotated or
/// removed one ([`Config::with_transport`](crate::Config::with_transport)).
///
/// # Examples
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// use fastsession_core::adapter::{SessionManager, Sessions};
/// use fastsession_core::{Config, Key, MemoryStore, Transport};
///
/// let config = Config::new(Key::generate()?).with_transport(Transport::Header);
/// let manager = SessionManager::new(Sessions::new(config)?, MemoryStore::new());
///
/// // An API client's first request: the value comes back in the header, with no cookie.
/// let request = manager.start(&[] as &[(&str, &[u8])]);
/// request.session().await?.insert("user", "ada")?;
/// let committed = request.finish(200).await?;
/// assert!(committed.set_cookie().is_none());
/// let token = committed.session_token().unwrap().as_str().to_owned();
/// assert!(token.starts_with("Session "));
///
/// // It sends the value back in Authorization.
/// let request = manager.start(&[("authorization", token.as_bytes())]);
/// let user: String = request.session().await?.get("user")?.unwrap();
/// assert_eq!(user, "ada");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Transport {
    /// The session cookie (the default): `Set-Cookie` in responses.
    #[default]
    Cookie,
    /// The session header ([`Config::with_session_header`](crate::Config::with_session_header)),
    /// for clients that keep no cookies: the response returns a new or rotated value in the same
    /// header, an empty one when the session ended, and never sets a cookie.
    Header,
    /// Either: the cookie is read first, then the header. The response answers in the way the
    /// request carried its session, and in both ways when it carried none.
    CookieOrHeader,
}

impl Transport {
    pub(crate) fn reads_cookie(self) -> bool {
        matches!(self, Self::Cookie | Self::CookieOrHeader)
    }

    pub(crate) fn reads_header(self) -> bool {
        matches!(self, Self::Header | Self::CookieOrHeader)
    }

    /// Whether the response answers with the cookie and with the header, for a request that
    /// carried its session in `via`.
    pub(crate) fn answers(self, via: Via) -> (bool, bool) {
        match self {
            Self::Cookie => (true, false),
            Self::Header => (false, true),
            Self::CookieOrHeader => {
                let neither = !via.cookie && !via.header;
                (via.cookie || neither, via.header || neither)
            }
        }
    }
}

/// How the request carried a session value (of our name, in our header).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Via {
    pub(crate) cookie: bool,
    pub(crate) header: bool,
}

impl Via {
    pub(crate) fn any(self) -> bool {
        self.cookie || self.header
    }
}

/// A session header value for a response: a new or rotated session's value, or the empty value
/// that tells the client to forget its session.
///
/// `Debug` redacts the value.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken {
    name: Arc<str>,
    header: String,
    value_at: usize,
}

impl SessionToken {
    /// The header's name, lowercase.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The header's value: `Session <value>` in `Authorization`, the bare value in another
    /// header, empty for a removal.
    pub fn as_str(&self) -> &str {
        &self.header
    }

    /// The signed session value alone (empty for a removal).
    pub fn value(&self) -> &str {
        &self.header[self.value_at..]
    }

    /// Whether this tells the client to forget its session.
    pub fn is_removal(&self) -> bool {
        self.header.is_empty()
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = if self.is_removal() { "" } else { "<redacted>" };
        write!(f, "SessionToken({}: {value})", self.name)
    }
}

/// The session header of a configuration: its name, and whether its values carry the
/// `Session` scheme.
#[derive(Debug)]
pub(crate) struct HeaderFormat {
    name: Arc<str>,
    scheme: bool,
}

/// The session values found in the session header's fields: at most `MAX` kept, every one of
/// ours counted.
#[derive(Default)]
pub(crate) struct HeaderValues<'a> {
    pub(crate) values: Vec<&'a [u8]>,
    pub(crate) seen: usize,
}

impl HeaderFormat {
    pub(crate) fn new(config: &Config) -> Self {
        let name = config.session_header.to_ascii_lowercase();
        let scheme = name == DEFAULT_SESSION_HEADER;
        Self {
            name: name.into(),
            scheme,
        }
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The session values in `fields` (each a value of the session header): with the scheme,
    /// `Session` (any case) then spaces then the value; without, the value (spaces and tabs
    /// around it ignored). Values of another shape, or of another scheme, are not ours.
    pub(crate) fn values<'a>(
        &self,
        fields: impl IntoIterator<Item = &'a [u8]>,
        max: usize,
    ) -> HeaderValues<'a> {
        let mut found = HeaderValues {
            values: Vec::new(),
            seen: 0,
        };
        for field in fields {
            let Some(value) = self.session_value(field) else {
                continue;
            };
            found.seen += 1;
            if found.values.len() < max && is_well_formed(value) {
                found.values.push(value);
            }
        }
        found
    }

    fn session_value<'a>(&self, field: &'a [u8]) -> Option<&'a [u8]> {
        let field = field.trim_ascii();
        if !self.scheme {
            return (!field.is_empty()).then_some(field);
        }
        let scheme = SESSION_SCHEME.as_bytes();
        let (head, rest) = field.split_at_checked(scheme.len())?;
        let separated = rest
            .first()
            .is_some_and(|byte| *byte == b' ' || *byte == b'\t');
        (head.eq_ignore_ascii_case(scheme) && separated).then(|| rest.trim_ascii())
    }

    /// The header carrying `id`.
    pub(crate) fn issue(&self, signer: &Signer, id: &SessionId) -> SessionToken {
        let mut value = [0u8; VALUE_LEN];
        signer.sign_into(id, &mut value);
        let prefix = if self.scheme { "Session " } else { "" };
        let mut header = String::with_capacity(prefix.len() + VALUE_LEN);
        header.push_str(prefix);
        header.extend(value.iter().map(|&byte| char::from(byte)));
        SessionToken {
            name: self.name.clone(),
            header,
            value_at: prefix.len(),
        }
    }

    /// The empty header that tells the client to forget its session.
    pub(crate) fn removal(&self) -> SessionToken {
        SessionToken {
            name: self.name.clone(),
            header: String::new(),
            value_at: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::Key;

    fn format(name: &str) -> HeaderFormat {
        let config = Config::new(Key::try_from(&[1u8; 32][..]).unwrap()).with_session_header(name);
        HeaderFormat::new(&config)
    }

    fn value() -> Vec<u8> {
        let config = Config::new(Key::try_from(&[1u8; 32][..]).unwrap());
        let signer = Signer::new(&config.keys, &config.cookie_name);
        let mut value = [0u8; VALUE_LEN];
        signer.sign_into(&SessionId::from_bytes([2; 32]), &mut value);
        value.to_vec()
    }

    #[test]
    fn authorization_values_need_the_session_scheme_in_any_case() {
        let format = format("Authorization");
        let value = value();
        let text = String::from_utf8(value.clone()).unwrap();
        for field in [
            format!("Session {text}"),
            format!("session  {text} "),
            format!("SESSION\t{text}"),
        ] {
            let found = format.values([field.as_bytes()], 4);
            assert_eq!(found.values, [value.as_slice()], "{field:?}");
        }
        for field in [
            format!("Bearer {text}"),
            text.clone(),
            format!("Session{text}"),
        ] {
            let found = format.values([field.as_bytes()], 4);
            assert_eq!(found.seen, 0, "not ours: {field:?}");
        }
    }

    #[test]
    fn other_headers_carry_the_bare_value_and_junk_is_seen_but_not_kept() {
        let format = format("x-session");
        let value = value();
        let found = format.values([&b" junk "[..], value.as_slice()], 4);
        assert_eq!((found.seen, found.values), (2, vec![value.as_slice()]));
    }

    #[test]
    fn tokens_render_in_the_header_format_and_hide_their_value() {
        let config = Config::new(Key::try_from(&[1u8; 32][..]).unwrap());
        let signer = Signer::new(&config.keys, &config.cookie_name);
        let id = SessionId::from_bytes([2; 32]);
        let token = format("Authorization").issue(&signer, &id);
        assert_eq!(token.name(), "authorization");
        assert_eq!(token.as_str(), format!("Session {}", token.value()));
        assert_eq!(token.value().len(), VALUE_LEN);
        assert!(!format!("{token:?}").contains(&token.value()[..8]));
        let bare = format("X-Session").issue(&signer, &id);
        assert_eq!(bare.as_str(), bare.value());
        assert!(format("x-session").removal().is_removal());
    }

    #[test]
    fn a_request_answers_in_the_way_it_came() {
        let both = Transport::CookieOrHeader;
        let via = |cookie, header| Via { cookie, header };
        assert_eq!(both.answers(via(true, false)), (true, false));
        assert_eq!(both.answers(via(false, true)), (false, true));
        assert_eq!(both.answers(via(false, false)), (true, true));
        assert_eq!(Transport::Header.answers(via(true, false)), (false, true));
        assert_eq!(Transport::Cookie.answers(via(false, true)), (true, false));
    }
}
