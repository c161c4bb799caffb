//! [`Config::validate`] and [`ConfigError`]: every rule a configuration must satisfy, checked once
//! at construction.

use super::{Config, MAX_ATTRIBUTE_LEN, MAX_COOKIE_AGE, MAX_TIMEOUT, SameSite};
use crate::sign::VALUE_LEN;
use crate::transport::MAX_HEADER_NAME_LEN;
use crate::users::MAX_SESSIONS_PER_USER;

impl Config {
    /// Checks every rule, as every constructor that takes a `Config` does; the first violation
    /// is the error. Call it to refuse a bad configuration early, for example while reading
    /// settings.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the value and saying what is allowed.
    pub fn validate(&self) -> Result<(), ConfigError> {
        validate_cookie_name(&self.cookie_name)?;
        if self.session_object.is_empty() {
            return Err(ConfigError::EmptySessionObject);
        }
        validate_path(&self.path)?;
        if let Some(domain) = &self.domain {
            validate_domain(domain)?;
        }
        if self.same_site == SameSite::None && !self.secure {
            return Err(ConfigError::SameSiteNoneWithoutSecure);
        }
        if self.partitioned && !self.secure {
            return Err(ConfigError::PartitionedWithoutSecure);
        }
        let lowercase = self.cookie_name.to_ascii_lowercase();
        let host_prefix = lowercase.starts_with("__host-");
        if (host_prefix || lowercase.starts_with("__secure-")) && !self.secure {
            return Err(ConfigError::PrefixWithoutSecure {
                name: self.cookie_name.clone(),
            });
        }
        if host_prefix {
            if let Some(domain) = &self.domain {
                return Err(ConfigError::HostPrefixWithDomain {
                    name: self.cookie_name.clone(),
                    domain: domain.clone(),
                });
            }
            if self.path != "/" {
                return Err(ConfigError::HostPrefixWithPath {
                    name: self.cookie_name.clone(),
                    path: self.path.clone(),
                });
            }
        }
        if self.max_age_secs < 0 {
            return Err(ConfigError::NegativeMaxAge {
                seconds: self.max_age_secs,
            });
        }
        if self.max_age_secs.unsigned_abs() > MAX_COOKIE_AGE.as_secs() {
            return Err(ConfigError::MaxAgeTooLong {
                seconds: self.max_age_secs,
            });
        }
        if self.idle_timeout.is_zero() {
            return Err(ConfigError::ZeroTimeout { which: "idle" });
        }
        if self
            .absolute_timeout
            .is_some_and(|timeout| timeout.is_zero())
        {
            return Err(ConfigError::ZeroTimeout { which: "absolute" });
        }
        if self.store_timeout.is_zero() {
            return Err(ConfigError::ZeroTimeout { which: "store" });
        }
        let timeouts = [
            ("idle", Some(self.idle_timeout)),
            ("absolute", self.absolute_timeout),
        ];
        for (which, timeout) in timeouts {
            if let Some(timeout) = timeout.filter(|timeout| *timeout > MAX_TIMEOUT) {
                return Err(ConfigError::TimeoutTooLong {
                    which,
                    seconds: timeout.as_secs(),
                });
            }
        }
        for rule in &self.skip_rules {
            if rule.name().is_empty() {
                return Err(ConfigError::SkipRuleWithoutName);
            }
            if !rule.name().bytes().all(is_token_byte) {
                return Err(ConfigError::InvalidSkipRuleName {
                    name: rule.name().to_owned(),
                });
            }
        }
        if self.max_payload_bytes < 2 {
            return Err(ConfigError::PayloadCapTooSmall {
                bytes: self.max_payload_bytes,
            });
        }
        validate_session_header(&self.session_header)?;
        if !(1..=MAX_SESSIONS_PER_USER).contains(&self.max_sessions_per_user) {
            return Err(ConfigError::SessionsPerUserOutOfRange {
                max: self.max_sessions_per_user,
            });
        }
        Ok(())
    }
}

/// A session header name: a token of at most [`MAX_HEADER_NAME_LEN`] bytes that is not one of
/// the cookie headers.
fn validate_session_header(name: &str) -> Result<(), ConfigError> {
    let token = !name.is_empty() && name.bytes().all(is_token_byte);
    let cookie = name.eq_ignore_ascii_case("cookie") || name.eq_ignore_ascii_case("set-cookie");
    if !token || cookie || name.len() > MAX_HEADER_NAME_LEN {
        return Err(ConfigError::InvalidSessionHeader {
            name: name.to_owned(),
        });
    }
    Ok(())
}

/// An RFC 9110 `tchar`, the alphabet of cookie names and header names.
pub(crate) fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

fn validate_cookie_name(name: &str) -> Result<(), ConfigError> {
    if name.is_empty() || !name.bytes().all(is_token_byte) {
        return Err(ConfigError::InvalidCookieName {
            name: name.to_owned(),
        });
    }
    if name.len() + 1 + VALUE_LEN > 4096 {
        return Err(ConfigError::CookieNameTooLong { len: name.len() });
    }
    Ok(())
}

fn validate_path(path: &str) -> Result<(), ConfigError> {
    let clean = path
        .bytes()
        .all(|b| !b.is_ascii_control() && b != b';' && b < 0x80);
    if !path.starts_with('/') || !clean || path.len() > MAX_ATTRIBUTE_LEN {
        return Err(ConfigError::InvalidPath {
            path: path.to_owned(),
        });
    }
    Ok(())
}

fn validate_domain(domain: &str) -> Result<(), ConfigError> {
    let body = domain.strip_prefix('.').unwrap_or(domain);
    let clean = !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && !body.starts_with('.')
        && !body.ends_with('.')
        && !body.contains("..");
    if !clean || domain.len() > MAX_ATTRIBUTE_LEN {
        return Err(ConfigError::InvalidDomain {
            domain: domain.to_owned(),
        });
    }
    Ok(())
}

/// A configuration was rejected: impossible or dangerous. The message names the value and says
/// what is allowed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The cookie name is not an RFC 6265 token.
    #[error(
        "invalid cookie name {name:?}: a cookie name must be a non-empty RFC 6265 token (letters, digits and !#$%&'*+-.^_`|~; no spaces, separators or control characters)"
    )]
    InvalidCookieName {
        /// The name given.
        name: String,
    },
    /// The cookie name leaves no room for the value within 4096 bytes.
    #[error(
        "the cookie name is {len} bytes long: name and value must fit in 4096 bytes, so names may be at most 4008 bytes"
    )]
    CookieNameTooLong {
        /// The length given.
        len: usize,
    },
    /// The session object name is empty.
    #[error("the session object name is empty: give a non-empty name such as \"session\"")]
    EmptySessionObject,
    /// The path is not allowed.
    #[error(
        "invalid cookie path {path:?}: a path must start with '/', contain no ';', non-ASCII or control characters, and be at most 1024 bytes"
    )]
    InvalidPath {
        /// The path given.
        path: String,
    },
    /// The domain is not allowed.
    #[error(
        "invalid cookie domain {domain:?}: a domain is a host name of letters, digits, '-' and '.' (an optional leading '.'), at most 1024 bytes, with no ';', spaces or control characters"
    )]
    InvalidDomain {
        /// The domain given.
        domain: String,
    },
    /// `SameSite=None` needs `Secure`.
    #[error(
        "SameSite=None requires Secure: browsers drop such a cookie; turn Secure on or use SameSite=Lax or Strict"
    )]
    SameSiteNoneWithoutSecure,
    /// `Partitioned` needs `Secure`.
    #[error("Partitioned requires Secure: browsers drop such a cookie; turn Secure on")]
    PartitionedWithoutSecure,
    /// A `__Host-` or `__Secure-` name needs `Secure`.
    #[error(
        "the cookie name {name:?} has a __Host- or __Secure- prefix, which requires Secure: turn Secure on or drop the prefix"
    )]
    PrefixWithoutSecure {
        /// The cookie name.
        name: String,
    },
    /// A `__Host-` name forbids a `Domain`.
    #[error(
        "the cookie name {name:?} has the __Host- prefix, which forbids a Domain (got {domain:?}): remove the domain or the prefix"
    )]
    HostPrefixWithDomain {
        /// The cookie name.
        name: String,
        /// The domain given.
        domain: String,
    },
    /// A `__Host-` name requires `Path=/`.
    #[error(
        "the cookie name {name:?} has the __Host- prefix, which requires Path=/ (got {path:?})"
    )]
    HostPrefixWithPath {
        /// The cookie name.
        name: String,
        /// The path given.
        path: String,
    },
    /// `max_age` is negative.
    #[error(
        "max_age is {seconds} seconds: it must be 0 (a browser-session cookie) or a positive number of seconds up to 34560000 (400 days)"
    )]
    NegativeMaxAge {
        /// The value given.
        seconds: i64,
    },
    /// `max_age` is over 400 days.
    #[error(
        "max_age is {seconds} seconds: browsers cap cookie lifetimes at 400 days, so at most 34560000 seconds are allowed"
    )]
    MaxAgeTooLong {
        /// The value given.
        seconds: i64,
    },
    /// The idle or absolute timeout is over [`MAX_TIMEOUT`].
    #[error(
        "the {which} timeout is {seconds} seconds: at most 34560000 seconds (400 days) are allowed, the longest a browser keeps a cookie"
    )]
    TimeoutTooLong {
        /// `idle` or `absolute`.
        which: &'static str,
        /// The value given, in whole seconds.
        seconds: u64,
    },
    /// A timeout is zero.
    #[error("the {which} timeout is zero: it must be a positive duration")]
    ZeroTimeout {
        /// `idle`, `absolute` or `store`.
        which: &'static str,
    },
    /// A skip rule has no header name.
    #[error(
        "a skip rule has an empty header name: give the header to match, as NAME or NAME=VALUE"
    )]
    SkipRuleWithoutName,
    /// A skip rule's header name is not a token.
    #[error(
        "the skip rule header name {name:?} is not a valid header name: use letters, digits and !#$%&'*+-.^_`|~"
    )]
    InvalidSkipRuleName {
        /// The name given.
        name: String,
    },
    /// The payload cap is too small to hold even an empty session.
    #[error("the payload cap is {bytes} bytes: it must be at least 2 (an empty JSON object)")]
    PayloadCapTooSmall {
        /// The value given.
        bytes: usize,
    },
    /// The session header's name is not a header name the session can travel in.
    #[error(
        "the session header {name:?} is not allowed: use a header name (letters, digits and !#$%&'*+-.^_`|~, at most 128 bytes) other than Cookie and Set-Cookie"
    )]
    InvalidSessionHeader {
        /// The name given.
        name: String,
    },
    /// The bound on a user's sessions is outside what is allowed.
    #[error(
        "the bound on sessions per user is {max}: it must be between 1 and {MAX_SESSIONS_PER_USER}"
    )]
    SessionsPerUserOutOfRange {
        /// The value given.
        max: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    use crate::config::SkipRule;
    use crate::key::Key;

    fn config() -> Config {
        Config::new(Key::try_from(&[1u8; 32][..]).unwrap())
    }

    fn error(config: Config) -> String {
        config.validate().unwrap_err().to_string()
    }

    #[test]
    fn defaults_are_valid() {
        config().validate().unwrap();
    }

    #[test]
    fn session_headers_must_be_header_names_other_than_the_cookies() {
        for name in ["", "a b", "Cookie", "set-cookie", "é", &"x".repeat(129)] {
            let message = error(config().with_session_header(name));
            assert!(message.contains("is not allowed"), "{name:?}: {message}");
        }
        config()
            .with_session_header("X-Session")
            .validate()
            .unwrap();
    }

    #[test]
    fn the_bound_on_sessions_per_user_names_the_value_and_the_range() {
        for max in [0, 10_001] {
            let message = error(config().with_max_sessions_per_user(max));
            assert!(message.contains(&max.to_string()), "{message}");
            assert!(message.contains("between 1 and 10000"), "{message}");
        }
        config().with_max_sessions_per_user(1).validate().unwrap();
    }

    #[test]
    fn cookie_names_must_be_tokens() {
        for name in ["", "a b", "a;b", "a=b", "a,b", "é", "a\u{7}"] {
            let message = error(config().with_cookie_name(name));
            assert!(
                message.contains("invalid cookie name"),
                "{name:?}: {message}"
            );
        }
        assert!(error(config().with_cookie_name("x".repeat(4009))).contains("4009 bytes"));
    }

    #[test]
    fn prefixes_enforce_their_rules_in_any_case() {
        assert!(
            error(
                config()
                    .with_cookie_name("__Host-id")
                    .with_domain("example.com")
            )
            .contains("forbids a Domain")
        );
        assert!(
            error(config().with_cookie_name("__host-id").with_path("/app"))
                .contains("requires Path=/")
        );
        assert!(
            error(config().with_cookie_name("__Secure-id").with_secure(false))
                .contains("requires Secure")
        );
        config().with_cookie_name("__Host-id").validate().unwrap();
    }

    #[test]
    fn paths_and_domains_reject_separators_and_controls() {
        for path in [
            "/x;Domain=evil",
            "relative",
            "/a\nb",
            &format!("/{}", "a".repeat(1024)),
        ] {
            assert!(
                error(config().with_path(path)).contains("invalid cookie path"),
                "{path:?}"
            );
        }
        for domain in ["evil;x", "a b", "", ".", "a..b", "a\u{0}"] {
            assert!(
                error(config().with_domain(domain)).contains("invalid cookie domain"),
                "{domain:?}"
            );
        }
        config().with_domain(".example.com").validate().unwrap();
    }

    #[test]
    fn dangerous_combinations_are_rejected() {
        assert!(
            error(config().with_same_site(SameSite::None).with_secure(false))
                .contains("SameSite=None requires Secure")
        );
        assert!(
            error(config().with_partitioned(true).with_secure(false))
                .contains("Partitioned requires Secure")
        );
        config().with_same_site(SameSite::None).validate().unwrap();
    }

    #[test]
    fn timeouts_are_bounded_at_400_days() {
        let over = MAX_TIMEOUT + Duration::from_secs(1);
        let idle = error(config().with_idle_timeout(over));
        assert!(idle.contains("idle timeout is 34560001 seconds"), "{idle}");
        assert!(idle.contains("400 days"), "{idle}");
        let absolute = error(config().with_absolute_timeout(Duration::MAX));
        assert!(
            absolute.contains("absolute timeout is 18446744073709551615 seconds"),
            "{absolute}"
        );
        config()
            .with_idle_timeout(MAX_TIMEOUT)
            .with_absolute_timeout(MAX_TIMEOUT)
            .validate()
            .unwrap();
    }

    #[test]
    fn max_age_is_bounded() {
        assert!(error(config().with_max_age_secs(-1)).contains("max_age is -1 seconds"));
        assert!(error(config().with_max_age_secs(34_560_001)).contains("400 days"));
        config().with_max_age_secs(34_560_000).validate().unwrap();
    }

    #[test]
    fn timeouts_and_rules_are_checked() {
        assert!(error(config().with_idle_timeout(Duration::ZERO)).contains("idle timeout is zero"));
        assert!(
            error(config().with_absolute_timeout(Duration::ZERO))
                .contains("absolute timeout is zero")
        );
        assert_eq!(
            error(config().with_store_timeout(Duration::ZERO)),
            "the store timeout is zero: it must be a positive duration"
        );
        assert!(
            error(config().with_skip_rule(SkipRule::parse("=skip"))).contains("empty header name")
        );
        assert!(error(config().with_skip_rule(SkipRule::parse("a b"))).contains("\"a b\""));
        assert!(error(config().with_session_object("")).contains("session object"));
    }
}
