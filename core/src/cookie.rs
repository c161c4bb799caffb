//! Reading our cookie out of `Cookie` headers, and writing `Set-Cookie` values.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::config::Config;
use crate::id::SessionId;
use crate::sign::{Signer, VALUE_LEN};

/// At most this many same-name cookies are verified per request; further ones are ignored, which
/// bounds the HMAC work of a request at this many times the number of keys.
pub const MAX_CANDIDATES: usize = 4;

/// The well-formed values of our cookie found in a request, in order, at most
/// [`MAX_CANDIDATES`].
#[derive(Debug, Default)]
pub(crate) struct Candidates<'a> {
    values: [&'a [u8]; MAX_CANDIDATES],
    len: usize,
    /// Same-name cookies seen in all, including those past the bound.
    pub(crate) seen: usize,
}

impl<'a> Candidates<'a> {
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.values[..self.len].iter().copied()
    }
}

/// Scans every `Cookie` header value, byte by byte, for pairs named exactly `name`.
///
/// Every such pair counts as seen; only values of the issued shape
/// ([`is_well_formed`](crate::sign::is_well_formed)) are kept as candidates, so that junk cookies
/// with our name cannot use up the [`MAX_CANDIDATES`] slots before the real one. Pairs are separated by `;`; spaces and tabs around names and values are ignored; a pair
/// without `=` is skipped; names are compared byte for byte, never decoded or case-folded. Bytes
/// that are not UTF-8 only spoil the pair they are in.
pub(crate) fn find_candidates<'a>(
    headers: impl IntoIterator<Item = &'a [u8]>,
    name: &[u8],
) -> Candidates<'a> {
    let mut found = Candidates::default();
    for header in headers {
        for pair in pairs(header) {
            let pair = trim(pair);
            let Some(eq) = memchr::memchr(b'=', pair) else {
                continue;
            };
            if trim(&pair[..eq]) != name {
                continue;
            }
            found.seen += 1;
            let value = trim(&pair[eq + 1..]);
            if found.len < MAX_CANDIDATES && crate::sign::is_well_formed(value) {
                found.values[found.len] = value;
                found.len += 1;
            }
        }
    }
    found
}

/// The `;`-separated pieces of one header value (as `split` would give them, found with
/// `memchr`'s vectorized search rather than byte by byte).
fn pairs(header: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(header);
    std::iter::from_fn(move || {
        let current = rest?;
        match memchr::memchr(b';', current) {
            Some(end) => {
                rest = Some(&current[end + 1..]);
                Some(&current[..end])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

fn trim(bytes: &[u8]) -> &[u8] {
    let is_space = |byte: &u8| *byte == b' ' || *byte == b'\t';
    let start = bytes
        .iter()
        .position(|b| !is_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |last| last + 1);
    &bytes[start..end]
}

/// The last second an HTTP date can name: 9999-12-31T23:59:59Z.
const LAST_HTTP_DATE: Duration = Duration::from_secs(253_402_300_799);

/// `time` as an HTTP date; a time past what the format can hold (or one that overflowed) is
/// written as its last second, so no clock, however wrong, can make formatting panic.
fn http_date(time: Option<SystemTime>) -> String {
    let last = UNIX_EPOCH + LAST_HTTP_DATE;
    httpdate::fmt_http_date(time.map_or(last, |time| time.clamp(UNIX_EPOCH, last)))
}

/// A rendered `Set-Cookie` header value.
///
/// `Display` and [`SetCookie::as_str`] give the full value for the response header; `Debug`
/// redacts the cookie value.
#[derive(Clone, PartialEq, Eq)]
pub struct SetCookie {
    header: String,
    name_len: usize,
    removal: bool,
}

impl SetCookie {
    /// The header value.
    pub fn as_str(&self) -> &str {
        &self.header
    }

    /// Whether this cookie removes the session cookie from the browser.
    pub fn is_removal(&self) -> bool {
        self.removal
    }

    /// The cookie's value (the signed session ID; empty for a removal).
    pub fn value(&self) -> &str {
        let rest = &self.header[self.name_len + 1..];
        rest.split(';').next().unwrap_or_default()
    }
}

impl fmt::Display for SetCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header)
    }
}

impl fmt::Debug for SetCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let attributes = self.header.find(';').map_or("", |at| &self.header[at..]);
        let value = if self.removal { "" } else { "<redacted>" };
        write!(
            f,
            "SetCookie({}={value}{attributes})",
            &self.header[..self.name_len]
        )
    }
}

/// The parts of `Set-Cookie` fixed by the configuration, rendered once.
#[derive(Debug)]
pub(crate) struct CookieFormat {
    name: String,
    /// `; Path=/; Domain=..; HttpOnly; Secure; SameSite=Lax; Partitioned`, minus what is off.
    attributes: String,
    removal: SetCookie,
}

impl CookieFormat {
    pub(crate) fn new(config: &Config) -> Self {
        let mut attributes = format!("; Path={}", config.path);
        if let Some(domain) = &config.domain {
            attributes.push_str("; Domain=");
            attributes.push_str(domain);
        }
        if config.http_only {
            attributes.push_str("; HttpOnly");
        }
        if config.secure {
            attributes.push_str("; Secure");
        }
        attributes.push_str("; SameSite=");
        attributes.push_str(config.same_site.as_str());
        if config.partitioned {
            attributes.push_str("; Partitioned");
        }
        let name = config.cookie_name.clone();
        let removal = SetCookie {
            header: format!(
                "{name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT{attributes}"
            ),
            name_len: name.len(),
            removal: true,
        };
        Self {
            name,
            attributes,
            removal,
        }
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The cookie carrying `id`, lasting until `expires` (`None`: a browser-session cookie).
    pub(crate) fn issue(
        &self,
        signer: &Signer,
        id: &SessionId,
        expires: Option<SystemTime>,
        now: SystemTime,
    ) -> SetCookie {
        let mut value = [0u8; VALUE_LEN];
        signer.sign_into(id, &mut value);
        let mut header =
            String::with_capacity(self.name.len() + VALUE_LEN + 80 + self.attributes.len());
        header.push_str(&self.name);
        header.push('=');
        header.extend(value.iter().map(|&byte| char::from(byte)));
        if let Some(expires) = expires {
            let remaining = expires.duration_since(now).unwrap_or(Duration::ZERO);
            // Round up, so the cookie never ends before the server-side session.
            let seconds = remaining.as_secs() + u64::from(remaining.subsec_nanos() > 0);
            header.push_str("; Max-Age=");
            header.push_str(&seconds.to_string());
            header.push_str("; Expires=");
            header.push_str(&http_date(now.checked_add(Duration::from_secs(seconds))));
        }
        header.push_str(&self.attributes);
        SetCookie {
            header,
            name_len: self.name.len(),
            removal: false,
        }
    }

    /// The cookie that removes ours: empty, `Max-Age=0`, an `Expires` in the past, and the same
    /// Path, Domain, Secure, HttpOnly, SameSite and Partitioned as when issued.
    pub(crate) fn removal(&self) -> SetCookie {
        self.removal.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<'a>(headers: &[&'a [u8]], name: &str) -> Vec<&'a [u8]> {
        find_candidates(headers.iter().copied(), name.as_bytes())
            .iter()
            .collect()
    }

    #[test]
    fn pairs_split_at_every_semicolon_like_split() {
        for header in [
            &b""[..],
            b";",
            b"a=1",
            b"a=1;b=2",
            b";;a=1;",
            b"a=1; b=2 ;c",
        ] {
            let expected: Vec<&[u8]> = header.split(|&byte| byte == b';').collect();
            assert_eq!(pairs(header).collect::<Vec<_>>(), expected, "{header:?}");
        }
    }

    /// A value of the issued shape (its MAC is not checked here).
    fn shaped(fill: char) -> String {
        format!("{0}.{0}", fill.to_string().repeat(43))
    }

    #[test]
    fn finds_our_cookie_in_any_header_and_position() {
        let (x, y, z) = (shaped('x'), shaped('y'), shaped('z'));
        let first = format!("a=1; sid={x}; b=2");
        assert_eq!(values(&[first.as_bytes()], "sid"), [x.as_bytes()]);
        let last = format!("sid={y}");
        assert_eq!(
            values(&[b"a=1", b"b=2", last.as_bytes()], "sid"),
            [y.as_bytes()]
        );
        let spaced = format!(" sid = {z} ;");
        assert_eq!(values(&[spaced.as_bytes()], "sid"), [z.as_bytes()]);
    }

    #[test]
    fn names_are_compared_byte_exactly() {
        let x = shaped('x');
        for name in ["SID", "%73id", "sidx", "xsid"] {
            let header = format!("{name}={x}");
            assert!(values(&[header.as_bytes()], "sid").is_empty(), "{header:?}");
        }
        let host = format!("__host-id={x}; __%48ost-id={x}");
        assert!(values(&[host.as_bytes()], "__Host-id").is_empty());
    }

    #[test]
    fn malformed_pairs_and_bytes_spoil_only_themselves() {
        let ok = shaped('o');
        let header = [&b";;;=;\xff\xfe=1; \"q\"; sid="[..], ok.as_bytes(), b"; =x"].concat();
        assert_eq!(values(&[&header], "sid"), [ok.as_bytes()]);
    }

    #[test]
    fn candidates_are_bounded() {
        let header = format!("sid={}; ", shaped('1')).repeat(50);
        let found = find_candidates([header.as_bytes()], b"sid");
        assert_eq!(found.iter().count(), MAX_CANDIDATES);
        assert_eq!(found.seen, 50);
    }

    #[test]
    fn dates_past_year_9999_are_written_as_its_last_second() {
        let last = "Fri, 31 Dec 9999 23:59:59 GMT";
        let far = UNIX_EPOCH + LAST_HTTP_DATE + Duration::from_secs(400 * 86_400);
        assert_eq!(http_date(Some(far)), last);
        assert_eq!(http_date(None), last, "an overflowed time");
        assert_eq!(http_date(Some(UNIX_EPOCH)), "Thu, 01 Jan 1970 00:00:00 GMT");
    }

    #[test]
    fn values_of_another_shape_are_seen_but_take_no_candidate_slot() {
        let real = shaped('r');
        let bang = format!("{}!{}", "a".repeat(43), "b".repeat(43));
        let long = format!("{}=", shaped('l'));
        let mut junk: Vec<String> = ["x", "", "a.b", "\"quoted\""].map(str::to_owned).into();
        junk.extend([bang, long, shaped('é').chars().take(87).collect()]);
        let pairs: Vec<String> = junk.iter().map(|value| format!("sid={value}")).collect();
        let header = format!("{}; sid={real}", pairs.join("; "));
        let found = find_candidates([header.as_bytes()], b"sid");
        assert_eq!(found.iter().collect::<Vec<_>>(), [real.as_bytes()]);
        assert_eq!(found.seen, junk.len() + 1);
    }
}
