//! Redis URLs: the schemes the store accepts, and how their secrets are hidden.
//!
//! A password sits in the userinfo (`redis://user:password@host`) or, for a Unix socket, in a
//! query parameter (`redis+unix:///path?pass=password`). A password may contain the characters
//! that delimit a URL (`/`, `?`, `#`, `@`, `&`), whether or not it was percent-encoded, so the
//! redaction never trusts the first delimiter. It hides, and replaces by `***`:
//!
//! - everything between `://` and the last `@` (the userinfo, user name included), where an `@`
//!   inside a hidden query value counts only if what follows it could be a host;
//! - the value of the first `pass=` or `password=` query parameter (the name compared as
//!   redis-rs reads it, form-decoded, and in any case) and everything after it, since an
//!   unencoded `&` or `#` may be part of the password.
//!
//! When the two overlap, everything after the scheme is hidden. Hiding too much only makes a
//! message less useful; hiding too little would leak a password into a log.

use std::ops::Range;

use percent_encoding::percent_decode_str;
use redis::RedisError;

/// The schemes a [`RedisStore`](crate::RedisStore) accepts, in the order its errors list them.
pub(crate) const SCHEMES: [&str; 7] = [
    "redis://",
    "rediss://",
    "redis-cluster://",
    "redis-sentinel://",
    "redis+sentinel://",
    "redis+unix://",
    "unix://",
];

/// What replaces a hidden part.
const MASK: &str = "***";

/// Query parameters whose value is a password: redis-rs reads `pass` (for a Unix socket), and
/// `password` is the name other clients use.
const SECRET_PARAMETERS: [&str; 2] = ["pass", "password"];

/// The scheme of `url` among [`SCHEMES`], in any case (as redis-rs reads it).
pub(crate) fn scheme(url: &str) -> Option<&'static str> {
    SCHEMES.into_iter().find(|scheme| {
        url.get(..scheme.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
    })
}

/// `url` with its userinfo and password parameters replaced by `***`.
pub(crate) fn redact(url: &str) -> String {
    let mut redacted = String::with_capacity(url.len());
    let mut shown_from = 0;
    for range in hidden(url) {
        redacted.push_str(&url[shown_from..range.start]);
        redacted.push_str(MASK);
        shown_from = range.end;
    }
    redacted.push_str(&url[shown_from..]);
    redacted
}

/// Why redis-rs rejected `url`, in words that contain none of its secrets: redis-rs's own
/// description of the error without its detail (which may echo a value from the URL), or a
/// fixed sentence should even that contain a hidden part.
pub(crate) fn reason(error: &RedisError, url: &str) -> String {
    let text = error.to_string();
    let description = match error.detail() {
        Some(detail) => text
            .strip_suffix(detail)
            .map(|rest| rest.trim_end_matches([':', ' '])),
        None => Some(text.as_str()),
    };
    let kind = format!(" - {:?}", error.kind());
    let description = description.map(|text| text.strip_suffix(kind.as_str()).unwrap_or(text));
    let mut reason = match description {
        Some(text) if !text.is_empty() && !secrets(url).iter().any(|s| text.contains(s)) => {
            text.to_owned()
        }
        _ => "redis-rs cannot read it".to_owned(),
    };
    if userinfo(url).is_some_and(|userinfo| userinfo.contains(['/', '?', '#'])) {
        reason.push_str(
            "; percent-encode '/', '?', '#' and '@' in a user name or password (%2F, %3F, %23, %40)",
        );
    }
    reason
}

/// The parts of `url` to hide, in order, merged and non-empty.
fn hidden(url: &str) -> Vec<Range<usize>> {
    let head = url.find("://").map_or(0, |at| at + 3);
    let secret_from = secret_value_start(url, head);
    let userinfo_end = userinfo_end(url, head, secret_from);
    let mut ranges: Vec<Range<usize>> = Vec::with_capacity(2);
    if let Some(at) = userinfo_end {
        ranges.push(head..at);
    }
    if let Some(from) = secret_from {
        match ranges.last_mut() {
            Some(last) if from <= last.end => last.end = url.len(),
            _ => ranges.push(from..url.len()),
        }
    }
    ranges.retain(|range| !range.is_empty());
    ranges
}

/// The userinfo of `url` as [`redact`] reads it, if any.
fn userinfo(url: &str) -> Option<&str> {
    let head = url.find("://").map_or(0, |at| at + 3);
    userinfo_end(url, head, secret_value_start(url, head)).map(|at| &url[head..at])
}

/// The `@` that ends the userinfo: the last `@` after `head`, skipping those inside the hidden
/// query value (from `secret_from`) that are not followed by something that could be a host.
fn userinfo_end(url: &str, head: usize, secret_from: Option<usize>) -> Option<usize> {
    url[head..]
        .match_indices('@')
        .map(|(at, _)| head + at)
        .rev()
        .find(|&at| secret_from.is_none_or(|from| at < from) || is_host_like(&url[at + 1..]))
}

/// Whether `rest` starts with something that could be a host and port (up to `/`, `?`, `#`).
fn is_host_like(rest: &str) -> bool {
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .chars()
        .all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '[' | ']' | ':' | '%' | ',')
        })
}

/// Where the value of the first password parameter after `head` starts.
fn secret_value_start(url: &str, head: usize) -> Option<usize> {
    url[head..]
        .match_indices(['?', '&'])
        .map(|(at, _)| head + at + 1)
        .find_map(|name_start| {
            let rest = &url[name_start..];
            let name_end = rest.find(['=', '&', '?', '#'])?;
            let is_secret = rest[name_end..].starts_with('=')
                && SECRET_PARAMETERS
                    .iter()
                    .any(|name| form_decoded(&rest[..name_end]).eq_ignore_ascii_case(name));
            is_secret.then_some(name_start + name_end + 1)
        })
}

/// Every form in which a hidden part of `url` could be written: as it stands, decoded as redis-rs
/// decodes a password (percent-decoded) or a query value (form-decoded), and as redis-rs would
/// cut it (the password after the user name's `:`, a query value up to `&` or `#`).
fn secrets(url: &str) -> Vec<String> {
    let mut secrets = Vec::new();
    for range in hidden(url) {
        let text = &url[range];
        let mut forms = vec![text];
        forms.extend(text.split_once(':').map(|(_, password)| password));
        forms.extend(text.split(['&', '#']).next());
        for form in forms {
            secrets.push(form.to_owned());
            secrets.push(percent_decoded(form));
            secrets.push(form_decoded(form));
        }
    }
    secrets.retain(|secret| !secret.is_empty());
    secrets
}

/// `text` percent-decoded, as redis-rs reads a user name or password (invalid UTF-8 replaced).
fn percent_decoded(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// `text` read as redis-rs reads a query parameter's name or value (`Url::query_pairs`, which is
/// form-urlencoded): up to the first `&`, with `+` as a space, percent-decoded (invalid UTF-8
/// replaced).
fn form_decoded(text: &str) -> String {
    let parameter = format!("={text}");
    form_urlencoded::parse(parameter.as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_hidden_up_to_the_last_at_before_the_host() {
        let cases = [
            ("redis://user:secret@host:6379/0", "redis://***@host:6379/0"),
            ("redis://user:pa/ss@host:6379/0", "redis://***@host:6379/0"),
            ("redis://:p@ss?w#rd@host:6379/0", "redis://***@host:6379/0"),
            ("rediss://:a%2Fb@[::1]:6379/0", "rediss://***@[::1]:6379/0"),
            ("redis://admin@host", "redis://***@host"),
            ("user:pw@host:6379", "***@host:6379"),
            ("redis://host:6379/0", "redis://host:6379/0"),
            ("not a url", "not a url"),
        ];
        for (url, redacted) in cases {
            assert_eq!(redact(url), redacted, "{url}");
        }
    }

    #[test]
    fn password_parameters_are_hidden_to_the_end() {
        let cases = [
            (
                "redis+unix:///tmp/r.sock?pass=S&db=1",
                "redis+unix:///tmp/r.sock?pass=***",
            ),
            (
                "unix:///tmp/r.sock?db=1&pass=S",
                "unix:///tmp/r.sock?db=1&pass=***",
            ),
            (
                "unix:///tmp/r.sock?PassWord=S",
                "unix:///tmp/r.sock?PassWord=***",
            ),
            (
                "unix:///tmp/r.sock?p%61ss=S",
                "unix:///tmp/r.sock?p%61ss=***",
            ),
            (
                "unix:///tmp/r.sock?pass=a@b&db=1",
                "unix:///tmp/r.sock?pass=***",
            ),
            (
                "unix:///tmp/r.sock?user=u&db=1",
                "unix:///tmp/r.sock?user=u&db=1",
            ),
            ("redis://host/0?passive=1", "redis://host/0?passive=1"),
            // Where the two readings overlap, everything goes.
            ("redis://u:p?pass=x@host/0", "redis://***"),
            ("redis://host/0?pass=a@b", "redis://***"),
        ];
        for (url, redacted) in cases {
            assert_eq!(redact(url), redacted, "{url}");
        }
    }

    #[test]
    fn schemes_are_recognised_in_any_case() {
        assert_eq!(scheme("REDIS://host"), Some("redis://"));
        assert_eq!(scheme("rediss://host"), Some("rediss://"));
        assert_eq!(scheme("redis+unix:///tmp/r.sock"), Some("redis+unix://"));
        assert_eq!(scheme("unix:///tmp/r.sock"), Some("unix://"));
        assert_eq!(scheme("valkey://host"), None);
        assert_eq!(scheme("redis:/host"), None);
    }

    #[test]
    fn reasons_drop_details_and_secrets() {
        let detailed = RedisError::from((
            redis::ErrorKind::InvalidClientConfig,
            "Invalid protocol version",
            "S3CRET".to_owned(),
        ));
        let url = "unix:///tmp/r.sock?protocol=S3CRET";
        assert_eq!(reason(&detailed, url), "Invalid protocol version");

        let plain = RedisError::from((redis::ErrorKind::InvalidClientConfig, "Missing path"));
        assert_eq!(reason(&plain, "unix://?pass=x"), "Missing path");
        // A password that happens to be part of the description.
        assert_eq!(
            reason(&plain, "unix://?pass=Missing"),
            "redis-rs cannot read it"
        );

        let parse = RedisError::from((redis::ErrorKind::InvalidClientConfig, "did not parse"));
        let reason = reason(&parse, "redis://u:a/b@host/0");
        assert!(
            reason.starts_with("did not parse; percent-encode '/'"),
            "{reason}"
        );
    }

    #[test]
    fn decoding_reads_percent_escapes_and_plus() {
        assert_eq!(percent_decoded("a%2Fb+c%zz%4"), "a/b+c%zz%4");
        assert_eq!(form_decoded("a%2Fb+c"), "a/b c");
        assert_eq!(
            form_decoded("a=b%3D+c&d"),
            "a=b= c",
            "a value, up to its '&'"
        );
    }
}
