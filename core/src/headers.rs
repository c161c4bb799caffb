//! The response headers the session layer sets: one place decides them for every adapter.

use std::sync::Arc;

use crate::cookie::SetCookie;
use crate::transport::SessionToken;

/// What a response carries of its session: the cookie, the session header, or both (with
/// [`Transport::CookieOrHeader`](crate::Transport::CookieOrHeader)).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Carried {
    pub(crate) set_cookie: Option<SetCookie>,
    pub(crate) token: Option<SessionToken>,
}

impl Carried {
    fn any(&self) -> bool {
        self.set_cookie.is_some() || self.token.is_some()
    }
}

/// The `Vary` value of a response that depends on the session: the fields the session came in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Vary {
    /// `Cookie`, fixed text.
    Cookie,
    /// The session header, or `Cookie` and it.
    Fields(Arc<str>),
}

/// One header field the session layer adds: fixed text, or text built for this response.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Field<'a> {
    Fixed(&'static str, &'static str),
    Built(&'a str, &'a str),
}

impl<'a> Field<'a> {
    pub(crate) fn pair(self) -> (&'a str, &'a str) {
        match self {
            Self::Fixed(name, value) => (name, value),
            Self::Built(name, value) => (name, value),
        }
    }
}

pub(crate) fn session_headers<'a>(
    carried: &'a Carried,
    accessed: bool,
    vary: &'a Vary,
) -> impl Iterator<Item = (&'a str, &'a str)> {
    session_fields(carried, accessed, vary).map(Field::pair)
}

/// The one place that decides which headers a response gets: the cookie or the session header
/// with `Cache-Control: no-store` (a response that carries a session must never be cached), and
/// `Vary` naming the fields the session came in (`Cookie`, the session header) whenever the
/// response depends on the session. The `Cache-Control` fields the application set are removed
/// first ([`replaced_fields`]).
pub(crate) fn session_fields<'a>(
    carried: &'a Carried,
    accessed: bool,
    vary: &'a Vary,
) -> impl Iterator<Item = Field<'a>> {
    let cookie = carried
        .set_cookie
        .as_ref()
        .map(|cookie| Field::Built("set-cookie", cookie.as_str()));
    let token = carried
        .token
        .as_ref()
        .map(|token| Field::Built(token.name(), token.as_str()));
    let no_store = carried
        .any()
        .then_some(Field::Fixed("cache-control", "no-store"));
    let vary = (accessed || carried.any()).then(|| match vary {
        Vary::Cookie => Field::Fixed("vary", "Cookie"),
        Vary::Fields(fields) => Field::Built("vary", fields),
    });
    cookie.into_iter().chain(token).chain(no_store).chain(vary)
}

/// The fields whose existing values are removed before [`session_fields`] are appended: an
/// application's own `Cache-Control` (say `public, max-age=3600`) on a response that carries a
/// session, so that no shared cache may keep it. Replacing, rather than adding `private`,
/// leaves a single unambiguous directive.
pub(crate) fn replaced_fields(carried: &Carried) -> impl Iterator<Item = &'static str> {
    carried.any().then_some("cache-control").into_iter()
}

/// A response's header fields as a framework holds them: what the session layer removes and
/// adds once the handler has answered (the response side of
/// [`RequestHeaders`](crate::adapter::RequestHeaders)). Implemented for `http::HeaderMap` (feature
/// `http`); an adapter for a framework with its own header type implements it on a small
/// wrapper. Names are lowercase.
///
/// # Examples
///
/// ```
/// use fastsession_core::adapter::ResponseHeaders;
///
/// /// Headers as a list of pairs.
/// struct Pairs(Vec<(String, String)>);
///
/// impl ResponseHeaders for Pairs {
///     fn remove(&mut self, name: &'static str) {
///         self.0.retain(|(field, _)| field != name);
///     }
///
///     fn append(&mut self, name: &str, value: &str) {
///         self.0.push((name.to_owned(), value.to_owned()));
///     }
/// }
///
/// let mut headers = Pairs(vec![("cache-control".to_owned(), "public".to_owned())]);
/// headers.remove("cache-control");
/// headers.append_static("vary", "Cookie");
/// assert_eq!(headers.0, [("vary".to_owned(), "Cookie".to_owned())]);
/// ```
pub trait ResponseHeaders {
    /// Removes every field named `name`.
    fn remove(&mut self, name: &'static str);

    /// Appends a field named `name` (a name the session layer sets, or the configured session
    /// header's), as a field of its own (never folded into another).
    fn append(&mut self, name: &str, value: &str);

    /// Appends a field whose value is fixed text; by default, [`ResponseHeaders::append`].
    fn append_static(&mut self, name: &'static str, value: &'static str) {
        self.append(name, value);
    }
}

#[cfg(feature = "http")]
impl ResponseHeaders for http::HeaderMap {
    fn remove(&mut self, name: &'static str) {
        self.remove(header_name(name));
    }

    fn append(&mut self, name: &str, value: &str) {
        // Every value the session layer builds is visible ASCII and every name a validated
        // token, so these always convert.
        if let (Some(name), Ok(value)) = (built_name(name), http::HeaderValue::from_str(value)) {
            self.append(name, value);
        }
    }

    fn append_static(&mut self, name: &'static str, value: &'static str) {
        self.append(header_name(name), http::HeaderValue::from_static(value));
    }
}

/// The `http` constant for the names the session layer sets (no parsing per response), else
/// the parsed name.
#[cfg(feature = "http")]
fn header_name(name: &'static str) -> http::HeaderName {
    built_name(name).unwrap_or_else(|| http::HeaderName::from_static(name))
}

/// The `http` constant for the names the session layer sets, else the name parsed (the
/// configured session header's, a validated token).
#[cfg(feature = "http")]
fn built_name(name: &str) -> Option<http::HeaderName> {
    use http::header::{AUTHORIZATION, CACHE_CONTROL, SET_COOKIE, VARY};
    Some(match name {
        "set-cookie" => SET_COOKIE,
        "cache-control" => CACHE_CONTROL,
        "vary" => VARY,
        "authorization" => AUTHORIZATION,
        other => return http::HeaderName::from_bytes(other.as_bytes()).ok(),
    })
}

/// Removes the [`replaced_fields`], then appends the [`session_fields`], each as its own field:
/// what every integration does with a finished request's headers, in this order.
pub(crate) fn append_fields<H: ResponseHeaders + ?Sized>(
    carried: &Carried,
    accessed: bool,
    vary: &Vary,
    headers: &mut H,
) {
    for name in replaced_fields(carried) {
        headers.remove(name);
    }
    for field in session_fields(carried, accessed, vary) {
        match field {
            Field::Fixed(name, value) => headers.append_static(name, value),
            Field::Built(name, value) => headers.append(name, value),
        }
    }
}
