//! The reference server's flags (see `docs/reference-app.md`), and the configuration they make.

use std::time::Duration;

use clap::{ArgAction, Parser, ValueEnum};
use fastsession_core::{Config, Key, KeyRing, SameSite, SkipRule, Transport};
use fastsession_postgres::PostgresStore;
use fastsession_redis::RedisStore;

use crate::servers::AppState;
use crate::store::{AppStore, Backend};

/// The fixed test key used when no `--key` is given (with a warning): never use it in production.
pub const TEST_KEY_HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Which adapter serves the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ValueEnum)]
pub enum Framework {
    /// actix-web 4, through `fastsession-actix`.
    Actix,
    /// axum 0.8, through `fastsession-axum`.
    Axum,
    /// rocket 0.5, through `fastsession-rocket`.
    Rocket,
    /// poem 3, through `fastsession-poem`.
    Poem,
}

impl Framework {
    /// All four, in a fixed order.
    pub const ALL: [Self; 4] = [Self::Actix, Self::Axum, Self::Rocket, Self::Poem];

    /// The flag value.
    pub fn name(self) -> &'static str {
        match self {
            Self::Actix => "actix",
            Self::Axum => "axum",
            Self::Rocket => "rocket",
            Self::Poem => "poem",
        }
    }
}

/// `--same-site`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SameSiteArg {
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=Lax`.
    Lax,
    /// `SameSite=None`.
    None,
}

/// `--transport`: where the session value travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TransportArg {
    /// The cookie.
    Cookie,
    /// The session header (`--header-name`).
    Header,
    /// The cookie first, then the session header.
    Both,
}

/// The reference server's command line.
#[derive(Clone, Debug, Parser)]
#[command(
    name = "reference-server",
    about = "The fastsession reference app, on any of the four frameworks"
)]
pub struct Options {
    /// Which adapter serves the app.
    #[arg(long, value_enum)]
    pub framework: Framework,
    /// Port on 127.0.0.1 (0: the OS picks).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// A signing key, in hex (at least 32 bytes); repeat for rotation, the first one signs.
    #[arg(long = "key", value_name = "HEX", value_parser = parse_hex)]
    pub keys: Vec<Vec<u8>>,
    /// The session cookie's name.
    #[arg(long, default_value = "sid")]
    pub cookie_name: String,
    /// Cookie Max-Age in seconds; 0 makes a browser-session cookie.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub max_age: i64,
    /// The Secure attribute.
    #[arg(long, default_value_t = true, action = ArgAction::Set, value_name = "true|false")]
    pub secure: bool,
    /// The HttpOnly attribute.
    #[arg(long, default_value_t = true, action = ArgAction::Set, value_name = "true|false")]
    pub http_only: bool,
    /// The SameSite attribute.
    #[arg(long, value_enum, default_value = "lax")]
    pub same_site: SameSiteArg,
    /// The cookie's Path.
    #[arg(long, default_value = "/")]
    pub path: String,
    /// The cookie's Domain.
    #[arg(long)]
    pub domain: Option<String>,
    /// Create the session and send its cookie on the first response, as Python FastSession does.
    #[arg(long)]
    pub eager: bool,
    /// Rolling expiry.
    #[arg(long)]
    pub rolling: bool,
    /// Server-side idle timeout in seconds.
    #[arg(long, value_name = "SECS")]
    pub idle_timeout: Option<u64>,
    /// Server-side absolute timeout in seconds.
    #[arg(long, value_name = "SECS")]
    pub absolute_timeout: Option<u64>,
    /// Serialize the requests of one session in this process, from loading it to saving it
    /// (opt-in session locking; off, as the library's default, lets concurrent requests of one
    /// session reach the store together).
    #[arg(long, default_value_t = false, action = ArgAction::Set, value_name = "true|false")]
    pub serialized_requests: bool,
    /// How long one store call, or waiting for another request of the same session, may take
    /// before the request gives up (503 on load, 500 on save); the library's default is 2 s.
    #[arg(long, value_name = "MS")]
    pub store_timeout_ms: Option<u64>,
    /// A skip rule: NAME (header present) or NAME=VALUE (exact value); repeatable.
    #[arg(long = "skip-header", value_name = "NAME[=VALUE]")]
    pub skip_headers: Vec<String>,
    /// Where the session value travels: the cookie, the session header (`--header-name`), or
    /// both (the cookie first).
    #[arg(long, value_enum, default_value = "cookie")]
    pub transport: TransportArg,
    /// The session header: `Authorization` (its value `Session <value>`), or another name,
    /// whose value is the bare value.
    #[arg(long, default_value = "Authorization")]
    pub header_name: String,
    /// The store: `memory`, `redis://HOST:PORT/DB`, `rediss://HOST:PORT/DB` (TLS),
    /// `redis-cluster://HOST:PORT[,HOST:PORT…]` (a Redis Cluster's seed nodes), or
    /// `redis-sentinel://HOST:PORT[,HOST:PORT…]/MASTER_NAME` (the master that these sentinels
    /// name), or `postgres://USER@HOST:PORT/DB` (PostgreSQL; the server creates its table at
    /// start if missing).
    #[arg(long, default_value = "memory")]
    pub store: String,
    /// The key prefix in a shared Redis; with PostgreSQL, the table's name (`TABLE`, or
    /// `SCHEMA.TABLE`).
    #[arg(long)]
    pub store_prefix: Option<String>,
    /// For a `rediss://` store: the PEM file of the certificate authority to trust instead of
    /// the web's root certificates.
    #[arg(long, value_name = "FILE")]
    pub redis_ca: Option<std::path::PathBuf>,
}

fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    hex::decode(text)
        .map_err(|error| format!("invalid hex key ({error}): give the key as hex digits"))
}

/// A configuration the library rejected, or a store it cannot use.
#[derive(Debug, thiserror::Error)]
pub enum OptionsError {
    /// A key was rejected.
    #[error("--key: {0}")]
    Key(#[source] fastsession_core::KeyError),
    /// The configuration was rejected.
    #[error("{0}")]
    Config(#[source] fastsession_core::ConfigError),
    /// The store is not supported.
    #[error(
        "--store {0:?}: use `memory`, `redis://HOST:PORT/DB`, `rediss://HOST:PORT/DB`, \
         `redis-cluster://HOST:PORT[,HOST:PORT…]`, \
         `redis-sentinel://HOST:PORT[,HOST:PORT…]/MASTER_NAME` or `postgres://USER@HOST:PORT/DB`"
    )]
    Store(String),
    /// The Redis store rejected its settings.
    #[error("--store: {0}")]
    Redis(#[source] fastsession_redis::RedisStoreError),
    /// The PostgreSQL store rejected its settings.
    #[error("--store: {0}")]
    Postgres(#[source] fastsession_postgres::PostgresStoreError),
}

impl Options {
    /// The defaults for `framework`, as if started with only `--framework`.
    pub fn new(framework: Framework) -> Self {
        Self::parse_from(["reference-server", "--framework", framework.name()])
    }

    /// Whether no key was given (the server then warns and uses [`TEST_KEY_HEX`]).
    pub fn uses_test_key(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key ring from `--key`, or the test key.
    ///
    /// # Errors
    ///
    /// A key shorter than 32 bytes, or more than four keys.
    pub fn key_ring(&self) -> Result<KeyRing, OptionsError> {
        let keys = if self.keys.is_empty() {
            vec![hex::decode(TEST_KEY_HEX).unwrap_or_default()]
        } else {
            self.keys.clone()
        };
        let keys = keys
            .into_iter()
            .map(Key::try_from)
            .collect::<Result<Vec<_>, _>>()
            .map_err(OptionsError::Key)?;
        KeyRing::new(keys).map_err(OptionsError::Key)
    }

    /// The library configuration these flags describe.
    ///
    /// # Errors
    ///
    /// As [`Options::key_ring`].
    pub fn config(&self) -> Result<Config, OptionsError> {
        let mut config = Config::new(self.key_ring()?)
            .with_cookie_name(&self.cookie_name)
            .with_max_age_secs(self.max_age)
            .with_secure(self.secure)
            .with_http_only(self.http_only)
            .with_same_site(match self.same_site {
                SameSiteArg::Strict => SameSite::Strict,
                SameSiteArg::Lax => SameSite::Lax,
                SameSiteArg::None => SameSite::None,
            })
            .with_path(&self.path)
            .with_eager(self.eager)
            .with_rolling(self.rolling)
            .with_serialized_requests(self.serialized_requests)
            .with_transport(match self.transport {
                TransportArg::Cookie => Transport::Cookie,
                TransportArg::Header => Transport::Header,
                TransportArg::Both => Transport::CookieOrHeader,
            })
            .with_session_header(&self.header_name);
        if let Some(domain) = &self.domain {
            config = config.with_domain(domain);
        }
        if let Some(seconds) = self.idle_timeout {
            config = config.with_idle_timeout(Duration::from_secs(seconds));
        }
        if let Some(seconds) = self.absolute_timeout {
            config = config.with_absolute_timeout(Duration::from_secs(seconds));
        }
        if let Some(ms) = self.store_timeout_ms {
            config = config.with_store_timeout(Duration::from_millis(ms));
        }
        for rule in &self.skip_headers {
            config = config.with_skip_rule(SkipRule::parse(rule));
        }
        Ok(config)
    }

    /// The store `--store`, `--store-prefix` and `--redis-ca` name.
    ///
    /// # Errors
    ///
    /// A store that is neither `memory` nor a Redis URL, a bad URL or a bad prefix.
    pub fn store(&self) -> Result<AppStore, OptionsError> {
        if self.store == "memory" {
            return Ok(Backend::memory());
        }
        if ["postgres://", "postgresql://"]
            .iter()
            .any(|scheme| self.store.starts_with(scheme))
        {
            return self.postgres_store();
        }
        if ![
            "redis://",
            "rediss://",
            "redis-cluster://",
            "redis-sentinel://",
        ]
        .iter()
        .any(|scheme| self.store.starts_with(scheme))
        {
            return Err(OptionsError::Store(self.store.clone()));
        }
        let mut builder = RedisStore::builder(&self.store);
        if let Some(prefix) = &self.store_prefix {
            builder = builder.with_prefix(prefix);
        }
        if let Some(ca) = &self.redis_ca {
            builder = builder.with_tls_ca_file(ca);
        }
        Ok(AppStore::new(Backend::Redis(
            builder.build().map_err(OptionsError::Redis)?,
        )))
    }

    /// A PostgreSQL store on `--store`, its table named by `--store-prefix` (`TABLE` or
    /// `SCHEMA.TABLE`).
    fn postgres_store(&self) -> Result<AppStore, OptionsError> {
        let mut builder = PostgresStore::builder(&self.store);
        match self
            .store_prefix
            .as_deref()
            .map(|name| name.split_once('.'))
        {
            Some(Some((schema, table))) => builder = builder.with_schema(schema).with_table(table),
            Some(None) => {
                builder = builder.with_table(self.store_prefix.as_deref().unwrap_or_default())
            }
            None => {}
        }
        Ok(AppStore::new(Backend::Postgres(
            builder.build().map_err(OptionsError::Postgres)?,
        )))
    }

    /// The app these flags describe: the engine and the store, no second middleware.
    ///
    /// # Errors
    ///
    /// As [`Options::config`] (then [`Config::validate`]) and [`Options::store`].
    pub fn app_state(&self) -> Result<AppState, OptionsError> {
        let config = self.config()?;
        config.validate().map_err(OptionsError::Config)?;
        Ok(AppState {
            config,
            store: self.store()?,
            second: None,
        })
    }
}
