//! A scenario's world: the reference app on one framework, a manual clock, sequential IDs, the
//! store (with its probe), and browsers.

use std::time::Duration;

use fastsession_core::testing::{ManualClock, SequentialIds};
use fastsession_core::{Config, MemoryStore, OsRandom, Sessions};

use crate::client::Client;
use crate::options::{Framework, Options};
use crate::servers::{self, AppState, RunningServer, SECOND_OBJECT};
use crate::store::AppStore;

/// The cookie name of the stacked second middleware.
pub const SECOND_COOKIE: &str = "second_sid";

/// A running reference app and what a scenario needs around it.
#[derive(Debug)]
pub struct Fixture {
    /// The framework serving the app.
    pub framework: Framework,
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
    framework: Framework,
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
            .field("framework", &self.framework)
            .field("flags", &self.flags)
            .field("second", &self.second)
            .field("real_ids", &self.real_ids)
            .finish_non_exhaustive()
    }
}

impl Builder {
    /// Reference-server flags, as on its command line (the fixture adds `--secure false`, as the
    /// seeds' tests do over plain HTTP, unless the flags say `--secure`).
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
    /// If the flags or the configuration are invalid.
    pub fn sessions(&mut self) -> Sessions {
        let mut args = vec![
            "reference-server".to_owned(),
            "--framework".to_owned(),
            self.framework.name().to_owned(),
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
        Sessions::new(config).expect("a valid configuration")
    }

    /// Starts the app.
    ///
    /// # Panics
    ///
    /// If the configuration is invalid or the server cannot start.
    pub async fn start(mut self) -> Fixture {
        let sessions = self.sessions();
        let store = self.store.clone().unwrap_or_else(AppStore::memory);
        let second = self.second.then(|| {
            let config = sessions
                .config()
                .clone()
                .with_cookie_name(SECOND_COOKIE)
                .with_session_object(SECOND_OBJECT);
            (
                Sessions::new(config).expect("a valid second configuration"),
                store.clone(),
            )
        });
        let state = AppState {
            sessions,
            store: store.clone(),
            second,
        };
        let server = servers::start(self.framework, state, 0)
            .await
            .expect("the server starts");
        Fixture {
            framework: self.framework,
            clock: self.clock,
            ids: self.ids,
            store,
            server,
        }
    }
}

impl Fixture {
    /// A builder for `framework`.
    pub fn builder(framework: Framework) -> Builder {
        Builder {
            framework,
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
    pub async fn start(framework: Framework) -> Self {
        Self::builder(framework).start().await
    }

    /// The app with these reference-server flags.
    pub async fn with_flags(framework: Framework, flags: &[&str]) -> Self {
        Self::builder(framework).flags(flags).start().await
    }

    /// A new browser.
    pub fn client(&self) -> Client {
        Client::new(&self.server.url())
    }

    /// Moves the app's clock forward.
    pub fn advance(&self, seconds: u64) {
        self.clock.advance(Duration::from_secs(seconds));
    }

    /// The in-memory store under the probe.
    pub fn memory(&self) -> &MemoryStore {
        &self.store.memory
    }

    /// How many sessions are stored.
    pub fn stored(&self) -> usize {
        self.store.memory.len()
    }
}
