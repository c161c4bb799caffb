//! What the example apps share: their session configuration, their store and their port, read from the
//! environment, with an error that names the variable when a value is wrong; and their home
//! page, which says who is logged in with the name escaped for HTML.
//!
//! | variable | meaning | unset |
//! | --- | --- | --- |
//! | `FASTSESSION_KEY` | the signing key in hex, at least 32 bytes | a random key: sessions do not survive a restart |
//! | `FASTSESSION_SECURE` | `true` sets the cookie's `Secure` attribute | off, since the examples serve plain HTTP |
//! | `FASTSESSION_MAX_AGE` | the cookie's `Max-Age` in seconds | 0: a browser-session cookie |
//! | `PORT` | the port on 127.0.0.1 | the example's own |
//! | `FASTSESSION_STORE` | `memory`, a Redis URL (`redis://`, `rediss://`, `redis-cluster://`, `redis-sentinel://`) or a PostgreSQL URL (`postgres://`; the table is created if missing) | `memory` |
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let config = example_support::config_from_env()?;
//! let port = example_support::port_from_env(3000)?;
//! let store = example_support::store_from_env().await?; // in memory when unset
//! # Ok::<(), example_support::SettingsError>(())
//! # }).unwrap();
//! ```

use std::env::{self, VarError};
use std::fmt;

use fastsession_core::store::StoreError;
use fastsession_core::{Config, ConfigError, Key, KeyError};

mod store;

pub use store::{ExampleStore, store_from_env};

/// A variable of the environment that an example cannot use.
///
/// Its `Debug` output is its message and its causes, because that is what a `main` returning
/// `Result` prints.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// `FASTSESSION_KEY` is not hex.
    #[error("FASTSESSION_KEY must be hex (`openssl rand -hex 64`)")]
    KeyNotHex(#[source] hex::FromHexError),
    /// The key is too short, or no random key could be made.
    #[error("FASTSESSION_KEY is not a usable key")]
    Key(#[source] KeyError),
    /// `FASTSESSION_MAX_AGE` is not a whole number.
    #[error("FASTSESSION_MAX_AGE must be a whole number of seconds, not {0:?}")]
    MaxAge(String),
    /// `PORT` is not a port number.
    #[error("PORT must be a port number from 0 to 65535, not {0:?}")]
    Port(String),
    /// A variable is not valid Unicode.
    #[error("{0} is not valid Unicode")]
    NotUnicode(&'static str),
    /// `FASTSESSION_STORE` names a scheme no store of the examples reads.
    #[error(
        "FASTSESSION_STORE must be `memory`, a Redis URL (redis://, rediss://, redis-cluster://, \
         redis-sentinel://) or a PostgreSQL URL (postgres://), not one with the scheme {0:?}"
    )]
    StoreScheme(String),
    /// The store refused its URL (the message hides any password).
    #[error("FASTSESSION_STORE is refused")]
    Store(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The store does not answer, or cannot create its table.
    #[error("the store in FASTSESSION_STORE does not answer")]
    StoreUnavailable(#[source] StoreError),
    /// The configuration the variables describe is refused.
    #[error("the session configuration is refused")]
    Config(#[source] ConfigError),
}

impl fmt::Debug for SettingsError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{self}")?;
        let mut cause = std::error::Error::source(self);
        while let Some(error) = cause {
            write!(formatter, ": {error}")?;
            cause = error.source();
        }
        Ok(())
    }
}

/// The value of `name`, or `None` when it is unset.
fn var(name: &'static str) -> Result<Option<String>, SettingsError> {
    match env::var(name) {
        Ok(value) => Ok(Some(value)),
        Err(VarError::NotPresent) => Ok(None),
        Err(VarError::NotUnicode(_)) => Err(SettingsError::NotUnicode(name)),
    }
}

/// The session configuration the environment describes (`FASTSESSION_KEY`,
/// `FASTSESSION_SECURE`, `FASTSESSION_MAX_AGE`), on top of the defaults, validated.
///
/// # Errors
///
/// When a variable is set to a value it cannot take, or the configuration is refused.
pub fn config_from_env() -> Result<Config, SettingsError> {
    config_from(var)
}

/// [`config_from_env`] with the variables read through `var`.
fn config_from(
    var: impl Fn(&'static str) -> Result<Option<String>, SettingsError>,
) -> Result<Config, SettingsError> {
    let key = match var("FASTSESSION_KEY")? {
        Some(hex) => Key::try_from(hex::decode(hex).map_err(SettingsError::KeyNotHex)?)
            .map_err(SettingsError::Key)?,
        None => Key::generate().map_err(SettingsError::Key)?,
    };
    let secure = var("FASTSESSION_SECURE")?.is_some_and(|value| value == "true");
    let max_age = match var("FASTSESSION_MAX_AGE")? {
        Some(seconds) => seconds
            .parse()
            .map_err(|_| SettingsError::MaxAge(seconds))?,
        None => 0, // a browser-session cookie
    };
    let config = Config::new(key)
        .with_secure(secure)
        .with_max_age_secs(max_age);
    config.validate().map_err(SettingsError::Config)?;
    Ok(config)
}

/// The port in `PORT`, or `default` when it is unset.
///
/// # Errors
///
/// When `PORT` is set to something other than a port number.
pub fn port_from_env(default: u16) -> Result<u16, SettingsError> {
    port_from(var, default)
}

/// [`port_from_env`] with the variable read through `var`.
fn port_from(
    var: impl Fn(&'static str) -> Result<Option<String>, SettingsError>,
    default: u16,
) -> Result<u16, SettingsError> {
    match var("PORT")? {
        Some(port) => port.parse().map_err(|_| SettingsError::Port(port)),
        None => Ok(default),
    }
}

/// The page's line about who is logged in: `Logged in as NAME.`, the name escaped for HTML, or
/// `Nobody is logged in.`
fn who(user: Option<&str>) -> String {
    user.map_or_else(
        || "Nobody is logged in.".to_owned(),
        |user| format!("Logged in as {}.", html_escape::encode_text(user)),
    )
}

/// The example apps' home page: who is logged in, the counter, and the login, logout and "log
/// out other devices" forms the browser tests use (`#who`, `#visits`, `form[action='/login']`,
/// `form[action='/logout']`, `form[action='/logout-others']`).
///
/// `user` is the logged-in user's name as the session holds it; the page escapes it for HTML
/// (a name is whatever the login form received, so `<script>` must stay text).
///
/// # Examples
///
/// ```
/// let page = example_support::home_page("axum", Some("<b>ada</b>"), 2);
/// assert!(page.contains("<h1 id=who>Logged in as &lt;b&gt;ada&lt;/b&gt;.</h1>"));
/// assert!(page.contains("<span id=visits>2</span>"));
/// let page = example_support::home_page("axum", None, 0);
/// assert!(page.contains("<h1 id=who>Nobody is logged in.</h1>"));
/// ```
pub fn home_page(framework: &str, user: Option<&str>, visits: u64) -> String {
    let who = who(user);
    format!(
        "<!doctype html><title>fastsession on {framework}</title><h1 id=who>{who}</h1>\
         <p>Counter: <span id=visits>{visits}</span> (<a href=/session_test>count</a>)</p>\
         <form method=post action=/login><input name=user placeholder=name><button>Log in</button></form>\
         <form method=post action=/logout><button>Log out</button></form>\
         <form method=post action=/logout-others><button>Log out other devices</button></form>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A variable reader that sees only `set`.
    fn only<'a>(
        set: &'a [(&str, &str)],
    ) -> impl Fn(&'static str) -> Result<Option<String>, SettingsError> + 'a {
        move |name| {
            Ok(set
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned()))
        }
    }

    #[test]
    fn good_values_and_an_empty_environment_are_accepted() {
        let key = "ab".repeat(32);
        let set = [
            ("FASTSESSION_KEY", key.as_str()),
            ("FASTSESSION_SECURE", "true"),
            ("FASTSESSION_MAX_AGE", "3600"),
        ];
        assert!(config_from(only(&set)).is_ok());
        assert!(config_from(only(&[])).is_ok());
        assert_eq!(port_from(only(&[]), 3001).unwrap(), 3001);
        assert_eq!(port_from(only(&[("PORT", "8080")]), 3001).unwrap(), 8080);
    }

    #[test]
    fn every_bad_value_is_named() {
        let cases = [
            (("FASTSESSION_KEY", "zz"), "FASTSESSION_KEY must be hex"),
            (
                ("FASTSESSION_KEY", "00"),
                "FASTSESSION_KEY is not a usable key: ",
            ),
            (
                ("FASTSESSION_MAX_AGE", "soon"),
                "FASTSESSION_MAX_AGE must be a whole number",
            ),
            (("FASTSESSION_MAX_AGE", "-5"), "max_age is -5 seconds"),
        ];
        for (variable, expected) in cases {
            let error = config_from(only(&[variable])).expect_err(expected);
            assert!(format!("{error:?}").contains(expected), "{error:?}");
        }
        let error = port_from(only(&[("PORT", "http")]), 3000).unwrap_err();
        assert_eq!(
            format!("{error:?}"),
            r#"PORT must be a port number from 0 to 65535, not "http""#
        );
    }
}
