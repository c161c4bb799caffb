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

    #[cfg(feature = "http")]
    pub(crate) fn header_name(self) -> http::HeaderName {
        match self {
            Self::SetCookie => http::header::SET_COOKIE,
            Self::CacheControl => http::header::CACHE_CONTROL,
            Self::Vary => http::header::VARY,
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

/// Removes the [`replaced_fields`] from an `http` header map, then appends the
/// [`session_fields`], each as its own field: what every `http`-based integration does with a
/// finished request's headers.
#[cfg(feature = "http")]
pub(crate) fn append_fields(
    set_cookie: Option<&SetCookie>,
    accessed: bool,
    headers: &mut http::HeaderMap,
) {
    for field in replaced_fields(set_cookie) {
        headers.remove(field.header_name());
    }
    for (field, value) in session_fields(set_cookie, accessed) {
        let value = match value {
            FieldValue::Fixed(text) => http::HeaderValue::from_static(text),
            // Every cookie we build is visible ASCII, so the conversion cannot fail.
            FieldValue::Cookie(text) => match http::HeaderValue::from_str(text) {
                Ok(value) => value,
                Err(_) => continue,
            },
        };
        headers.append(field.header_name(), value);
    }
}
