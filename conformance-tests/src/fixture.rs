//! A scenario's world: the reference app on one framework, a manual clock, sequential IDs, the
//! store (with its probe), and browsers.

use std::time::Duration;

use fastsession_core::testing::{ManualClock, SequentialIds};
use fastsession_core::{Config, MemoryStore, id::OsRandom};

use fastsession_postgres::PostgresStore;
use fastsession_redis::RedisStore;

use crate::client::Client;
use crate::options::Options;
use crate::servers::{self, AppState, RunningServer, SECOND_OBJECT};
use crate::store::{AppStore, Backend};
use crate::target::{
    StoreKind, Target, postgres_url, redis_cluster_url, redis_sentinel_url, redis_tls, redis_url,
};

/// The cookie name of the stacked second middleware.
pub const SECOND_COOKIE: &str = "second_sid";

/// A running reference app and what a scenario needs around it.
#[derive(Debug)]
pub struct Fixture {
    /// The framework and store.
    pub target: Target,
    /// The app's clock.
    pub clock: ManualClock,
    /// The app's ID generator (unless built with real IDs).
    pub ids: SequentialIds,
    /// The app's store.
    pub store: AppStore,
    /// The server.
    pub server: RunningServer,
}

/// How to build a [`Fixture`].
#[must_use]
pub struct Builder {
    target: Target,
    memory_bound: Option<usize>,
    flags: Vec<String>,
    adjust: Vec<Box<dyn FnOnce(Config) -> Config + Send>>,
    clock: ManualClock,
    ids: SequentialIds,
    store: Option<AppStore>,
    second: bool,
    real_ids: bool,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder")
            .field("target", &self.target)
            .field("flags", &self.flags)
            .field("second", &self.second)
            .field("real_ids", &self.real_ids)
            .finish_non_exhaustive()
    }
}

impl Builder {
    /// Reference-server flags, as on its command line (the fixture adds `--secure false`, as
    /// Python FastSession's tests do over plain HTTP, unless the flags say `--secure`).
    pub fn flags(mut self, flags: &[&str]) -> Self {
        self.flags
            .extend(flags.iter().map(|flag| (*flag).to_owned()));
        self
    }

    /// A change to the library configuration, beyond what the flags can say.
    pub fn config(mut self, adjust: impl FnOnce(Config) -> Config + Send + 'static) -> Self {
        self.adjust.push(Box::new(adjust));
        self
    }

    /// Use this store (for example one shared with another fixture).
    pub fn store(mut self, store: AppStore) -> Self {
        self.store = Some(store);
        self
    }

    /// Share the clock, IDs and store of `other` (a second app instance).
    pub fn beside(mut self, other: &Fixture) -> Self {
        self.clock = other.clock.clone();
        self.ids = other.ids.clone();
        self.store = Some(other.store.clone());
        self
    }

    /// Bound the in-memory store to this many sessions (no effect on Redis).
    pub fn memory_bound(mut self, max_entries: usize) -> Self {
        self.memory_bound = Some(max_entries);
        self
    }

    /// Stack a second session middleware (cookie [`SECOND_COOKIE`], object `second`).
    pub fn second(mut self) -> Self {
        self.second = true;
        self
    }

    /// Use the OS random source for IDs instead of the sequence.
    pub fn real_ids(mut self) -> Self {
        self.real_ids = true;
        self
    }

    /// The configuration, without starting anything.
    ///
    /// # Panics
    ///
    /// If the flags or the keys are invalid.
    fn library_config(&mut self) -> Config {
        let mut args = vec![
            "reference-server".to_owned(),
            "--framework".to_owned(),
            self.target.framework.name().to_owned(),
        ];
        if !self.flags.iter().any(|flag| flag == "--secure") {
            args.extend(["--secure".to_owned(), "false".to_owned()]);
        }
        args.extend(self.flags.iter().cloned());
        let options = <Options as clap::Parser>::try_parse_from(args).expect("valid flags");
        let mut config = options.config().expect("valid keys");
        for adjust in self.adjust.drain(..) {
            config = adjust(config);
        }
        config = config.with_clock(self.clock.clone());
        config = if self.real_ids {
            config.with_id_generator(OsRandom)
        } else {
            config.with_id_generator(self.ids.clone())
        };
        config
    }

    /// Starts the app.
    ///
    /// # Panics
    ///
    /// If the configuration is invalid or the server cannot start.
    pub async fn start(mut self) -> Fixture {
        let config = self.library_config();
        let store = self.store.clone().unwrap_or_else(|| self.new_store());
        store.inner().connect().await;
        let second = self.second.then(|| {
            let second = config
                .clone()
                .with_cookie_name(SECOND_COOKIE)
                .with_session_object(SECOND_OBJECT);
            (second, store.clone())
        });
        let state = AppState {
            config,
            store: store.clone(),
            second,
        };
        let server = servers::start(self.target.framework, state, 0)
            .await
            .expect("the server starts");
        Fixture {
            target: self.target,
            clock: self.clock,
            ids: self.ids,
            store,
            server,
        }
    }

    fn new_store(&self) -> AppStore {
        match self.target.store {
            StoreKind::Memory => {
                let memory = MemoryStore::new();
                let memory = self
                    .memory_bound
                    .map_or_else(|| memory.clone(), |bound| memory.with_max_entries(bound));
                AppStore::new(Backend::Memory(memory))
            }
            StoreKind::Redis
            | StoreKind::RedisTls
            | StoreKind::RedisCluster
            | StoreKind::RedisSentinel => {
                static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
                let prefix = format!(
                    "fastsession-conformance:{}:{}:",
                    std::process::id(),
                    NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                );
                let builder = match self.target.store {
                    StoreKind::RedisTls => {
                        let (url, ca) = redis_tls();
                        RedisStore::builder(url).with_tls_ca_file(ca)
                    }
                    StoreKind::RedisCluster => RedisStore::builder(redis_cluster_url()),
                    StoreKind::RedisSentinel => RedisStore::builder(redis_sentinel_url()),
                    _ => RedisStore::builder(redis_url()),
                };
                let redis = builder
                    .with_prefix(prefix)
                    .build()
                    .expect("a valid Redis URL");
                AppStore::new(Backend::Redis(redis))
            }
            StoreKind::Postgres => {
                static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
                let table = format!(
                    "conformance_{}_{}",
                    std::process::id(),
                    NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                );
                let postgres = PostgresStore::builder(postgres_url())
                    .with_table(table)
                    .build()
                    .expect("a valid PostgreSQL URL");
                AppStore::new(Backend::Postgres(postgres))
            }
        }
    }
}

impl Fixture {
    /// A builder for `target` (a [`Framework`](crate::Framework) alone means the in-memory store).
    pub fn builder(target: impl Into<Target>) -> Builder {
        Builder {
            target: target.into(),
            memory_bound: None,
            flags: Vec::new(),
            adjust: Vec::new(),
            clock: ManualClock::new(),
            ids: SequentialIds::new(),
            store: None,
            second: false,
            real_ids: false,
        }
    }

    /// The app with the test defaults.
    pub async fn start(target: impl Into<Target>) -> Self {
        Self::builder(target).start().await
    }

    /// The app with these reference-server flags.
    pub async fn with_flags(target: impl Into<Target>, flags: &[&str]) -> Self {
        Self::builder(target).flags(flags).start().await
    }

    /// A new browser.
    pub fn client(&self) -> Client {
        Client::new(&self.server.url())
    }

    /// Moves the app's clock forward.
    pub fn advance(&self, seconds: u64) {
        self.clock.advance(Duration::from_secs(seconds));
    }

    /// How many sessions are stored.
    pub async fn stored(&self) -> usize {
        self.store.inner().count().await
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // Leave nothing behind in a shared Redis or database (a fixture made `beside` another
        // shares its prefix or table; clearing twice is harmless).
        let store = self.store.inner().clone();
        if matches!(store, Backend::Memory(_)) {
            return;
        }
        let cleanup = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                runtime.block_on(async {
                    match store {
                        Backend::Memory(_) => {}
                        Backend::Redis(redis) => drop(redis.admin().clear().await),
                        Backend::Postgres(postgres) => drop(postgres.clear().await),
                    }
                });
            }
        });
        let _ = cleanup.join();
    }
}
