//! What is measured: a framework, the session library in front of its routes, and a scenario.

use std::fmt;

use clap::ValueEnum;

/// The web framework a server runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ValueEnum)]
pub(crate) enum Framework {
    Axum,
    Actix,
    Rocket,
    Poem,
}

impl Framework {
    pub(crate) const ALL: [Self; 4] = [Self::Axum, Self::Actix, Self::Rocket, Self::Poem];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Axum => "axum",
            Self::Actix => "actix-web",
            Self::Rocket => "rocket",
            Self::Poem => "poem",
        }
    }

    /// Every library measured on this framework, the bare framework first.
    pub(crate) fn libraries(self) -> &'static [Library] {
        use Library::*;
        match self {
            Self::Axum => &[
                Bare,
                FastsessionMemory,
                FastsessionRedis,
                TowerSessionsMemory,
                TowerSessionsRedis,
            ],
            Self::Actix => &[
                Bare,
                FastsessionMemory,
                FastsessionRedis,
                ActixSessionMemory,
                ActixSessionRedis,
            ],
            Self::Rocket => &[Bare, FastsessionMemory, FastsessionRedis],
            Self::Poem => &[Bare, FastsessionMemory, FastsessionRedis, PoemSessionMemory],
        }
    }
}

/// What sits in front of the session routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ValueEnum)]
pub(crate) enum Library {
    /// No session middleware at all; only the bare route.
    Bare,
    FastsessionMemory,
    FastsessionRedis,
    TowerSessionsMemory,
    TowerSessionsRedis,
    ActixSessionMemory,
    ActixSessionRedis,
    PoemSessionMemory,
}

impl Library {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Bare => "bare",
            Self::FastsessionMemory => "fastsession (memory)",
            Self::FastsessionRedis => "fastsession (Redis)",
            Self::TowerSessionsMemory => "tower-sessions (memory)",
            Self::TowerSessionsRedis => "tower-sessions (Redis)",
            Self::ActixSessionMemory => "actix-session (minimal memory store)",
            Self::ActixSessionRedis => "actix-session (Redis)",
            Self::PoemSessionMemory => "poem ServerSession (MemoryStorage)",
        }
    }

    pub(crate) fn uses_redis(self) -> bool {
        matches!(
            self,
            Self::FastsessionRedis | Self::TowerSessionsRedis | Self::ActixSessionRedis
        )
    }

    /// The peer a user of `framework` would otherwise pick for the same store, if any.
    pub(crate) fn peer_on(self, framework: Framework) -> Option<Self> {
        let peer = match (framework, self) {
            (Framework::Axum, Self::FastsessionMemory) => Self::TowerSessionsMemory,
            (Framework::Axum, Self::FastsessionRedis) => Self::TowerSessionsRedis,
            (Framework::Actix, Self::FastsessionMemory) => Self::ActixSessionMemory,
            (Framework::Actix, Self::FastsessionRedis) => Self::ActixSessionRedis,
            (Framework::Poem, Self::FastsessionMemory) => Self::PoemSessionMemory,
            _ => return None,
        };
        Some(peer)
    }
}

/// How a value is spelled on the command line (`serve --framework axum --library bare`).
pub(crate) fn arg(value: impl ValueEnum) -> String {
    value
        .to_possible_value()
        .map(|value| value.get_name().to_owned())
        .unwrap_or_default()
}

/// A server: one library on one framework.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Server {
    pub(crate) framework: Framework,
    pub(crate) library: Library,
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.framework.name(), self.library.name())
    }
}

/// The five request shapes of the benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ValueEnum)]
pub(crate) enum Scenario {
    /// (a) A route on the bare framework.
    Bare,
    /// (b) An existing session: read the counter, increment it, write it.
    Counter,
    /// (c) An existing session, read only.
    ReadOnly,
    /// (d) No cookie: every request creates a session.
    NewSession,
    /// (e) Behind the middleware with a session cookie, but the route never extracts the session.
    Untouched,
}

impl Scenario {
    pub(crate) const ALL: [Self; 5] = [
        Self::Bare,
        Self::Counter,
        Self::ReadOnly,
        Self::NewSession,
        Self::Untouched,
    ];

    pub(crate) fn letter(self) -> char {
        match self {
            Self::Bare => 'a',
            Self::Counter => 'b',
            Self::ReadOnly => 'c',
            Self::NewSession => 'd',
            Self::Untouched => 'e',
        }
    }

    pub(crate) fn title(self) -> &'static str {
        match self {
            Self::Bare => "bare route",
            Self::Counter => "counter, existing session",
            Self::ReadOnly => "read-only, existing session",
            Self::NewSession => "no cookie, new session",
            Self::Untouched => "cookie, session never extracted",
        }
    }

    pub(crate) fn path(self) -> &'static str {
        match self {
            Self::Bare => paths::BARE,
            Self::Counter | Self::NewSession => paths::COUNTER,
            Self::ReadOnly => paths::READ,
            Self::Untouched => paths::UNTOUCHED,
        }
    }

    /// Whether the request carries the session cookie of an existing session.
    pub(crate) fn sends_cookie(self) -> bool {
        matches!(self, Self::Counter | Self::ReadOnly | Self::Untouched)
    }

    /// Whether `library` serves this scenario: the bare server serves only (a), the others all
    /// but (a).
    pub(crate) fn applies_to(self, library: Library) -> bool {
        (self == Self::Bare) == (library == Library::Bare)
    }
}

/// The routes every server serves (the bare server only [`BARE`](paths::BARE)).
pub(crate) mod paths {
    pub(crate) const BARE: &str = "/bare";
    pub(crate) const COUNTER: &str = "/counter";
    pub(crate) const READ: &str = "/read";
    pub(crate) const UNTOUCHED: &str = "/untouched";
    /// The session key of the counter.
    pub(crate) const COUNTER_KEY: &str = "n";
}
