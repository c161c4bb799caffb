//! The response headers the session layer sets: one place decides them for every adapter.

use crate::cookie::SetCookie;

pub(crate) fn session_headers(
    set_cookie: Option<&SetCookie>,
    accessed: bool,
) -> impl Iterator<Item = (&'static str, &str)> {
    session_fields(set_cookie, accessed).map(|(field, value)| (field.name(), value.as_str()))
}

/// A response header the session layer adds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    SetCookie,
    CacheControl,
    Vary,
}

impl Field {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::SetCookie => "set-cookie",
            Self::CacheControl => "cache-control",
            Self::Vary => "vary",
        }
    }
}

/// A header value: fixed text, or the cookie built for this response.
#[derive(Clone, Copy, Debug)]
pub(crate) enum FieldValue<'a> {
    Fixed(&'static str),
    Cookie(&'a str),
}

impl<'a> FieldValue<'a> {
    pub(crate) fn as_str(self) -> &'a str {
        match self {
            Self::Fixed(text) => text,
            Self::Cookie(text) => text,
        }
    }
}

/// The one place that decides which headers a response gets: the cookie with
/// `Cache-Control: no-store` (a response that sets a session cookie must never be cached), and
/// `Vary: Cookie` whenever the response depends on the session. The `Cache-Control` fields the
/// application set are removed first ([`replaced_fields`]).
pub(crate) fn session_fields(
    set_cookie: Option<&SetCookie>,
    accessed: bool,
) -> impl Iterator<Item = (Field, FieldValue<'_>)> {
    let cookie = set_cookie.map(|cookie| (Field::SetCookie, FieldValue::Cookie(cookie.as_str())));
    let no_store = set_cookie.map(|_| (Field::CacheControl, FieldValue::Fixed("no-store")));
    let vary =
        (accessed || set_cookie.is_some()).then_some((Field::Vary, FieldValue::Fixed("Cookie")));
    cookie.into_iter().chain(no_store).chain(vary)
}

/// The fields whose existing values are removed before [`session_fields`] are appended: an
/// application's own `Cache-Control` (say `public, max-age=3600`) on a response that sets a
/// session cookie, so that no shared cache may keep it. Replacing, rather than adding `private`,
/// leaves a single unambiguous directive.
pub(crate) fn replaced_fields(set_cookie: Option<&SetCookie>) -> impl Iterator<Item = Field> {
    set_cookie.map(|_| Field::CacheControl).into_iter()
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
/// struct Pairs(Vec<(&'static str, String)>);
///
/// impl ResponseHeaders for Pairs {
///     fn remove(&mut self, name: &'static str) {
///         self.0.retain(|(field, _)| *field != name);
///     }
///
///     fn append(&mut self, name: &'static str, value: &str) {
///         self.0.push((name, value.to_owned()));
///     }
/// }
///
/// let mut headers = Pairs(vec![("cache-control", "public".to_owned())]);
/// headers.remove("cache-control");
/// headers.append_static("vary", "Cookie");
/// assert_eq!(headers.0, [("vary", "Cookie".to_owned())]);
/// ```
pub trait ResponseHeaders {
    /// Removes every field named `name`.
    fn remove(&mut self, name: &'static str);

    /// Appends a field named `name`, as a field of its own (never folded into another).
    fn append(&mut self, name: &'static str, value: &str);

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

    fn append(&mut self, name: &'static str, value: &str) {
        // Every value the session layer builds is visible ASCII, so this always converts.
        if let Ok(value) = http::HeaderValue::from_str(value) {
            self.append(header_name(name), value);
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
    use http::header::{CACHE_CONTROL, SET_COOKIE, VARY};
    match name {
        "set-cookie" => SET_COOKIE,
        "cache-control" => CACHE_CONTROL,
        "vary" => VARY,
        other => http::HeaderName::from_static(other),
    }
}

/// Removes the [`replaced_fields`], then appends the [`session_fields`], each as its own field:
/// what every integration does with a finished request's headers, in this order.
pub(crate) fn append_fields<H: ResponseHeaders + ?Sized>(
    set_cookie: Option<&SetCookie>,
    accessed: bool,
    headers: &mut H,
) {
    for field in replaced_fields(set_cookie) {
        headers.remove(field.name());
    }
    for (field, value) in session_fields(set_cookie, accessed) {
        match value {
            FieldValue::Fixed(text) => headers.append_static(field.name(), text),
            FieldValue::Cookie(text) => headers.append(field.name(), text),
        }
    }
}
