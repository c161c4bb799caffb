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
                FastsessionPostgres,
                TowerSessionsMemory,
                TowerSessionsRedis,
                TowerSessionsPostgres,
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
    FastsessionPostgres,
    TowerSessionsMemory,
    TowerSessionsRedis,
    TowerSessionsPostgres,
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
            Self::FastsessionPostgres => "fastsession (PostgreSQL)",
            Self::TowerSessionsMemory => "tower-sessions (memory)",
            Self::TowerSessionsRedis => "tower-sessions (Redis)",
            Self::TowerSessionsPostgres => "tower-sessions (PostgreSQL, tower-sessions-sqlx-store)",
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

    pub(crate) fn uses_postgres(self) -> bool {
        matches!(
            self,
            Self::FastsessionPostgres | Self::TowerSessionsPostgres
        )
    }

    /// Whether its sessions live in a server of their own (Redis, PostgreSQL), not in the
    /// process: the growth run, which measures the process's memory, leaves it out.
    pub(crate) fn uses_shared_store(self) -> bool {
        self.uses_redis() || self.uses_postgres()
    }

    /// The peer a user of `framework` would otherwise pick for the same store, if any.
    pub(crate) fn peer_on(self, framework: Framework) -> Option<Self> {
        let peer = match (framework, self) {
            (Framework::Axum, Self::FastsessionMemory) => Self::TowerSessionsMemory,
            (Framework::Axum, Self::FastsessionRedis) => Self::TowerSessionsRedis,
            (Framework::Axum, Self::FastsessionPostgres) => Self::TowerSessionsPostgres,
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

/// Existing sessions whose cookies the load runs of (b), (c) and (e) send in turn, one per
/// request: a site with many users.
pub(crate) const MANY_SESSIONS: usize = 256;

/// The request shapes of the benchmark, and for the existing-session ones, how many sessions the
/// load spreads over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ValueEnum)]
pub(crate) enum Scenario {
    /// (a) A route on the bare framework.
    Bare,
    /// (b) An existing session: read the counter, increment it, write it; the load spreads over
    /// [`MANY_SESSIONS`] sessions.
    Counter,
    /// (b1) (b) with one session's cookie on every connection: contention on one session.
    CounterOneSession,
    /// (c) An existing session, read only; the load spreads over [`MANY_SESSIONS`] sessions.
    ReadOnly,
    /// (c1) (c) with one session's cookie on every connection.
    ReadOnlyOneSession,
    /// (d) No cookie: every request creates a session.
    NewSession,
    /// (e) Behind the middleware with a session cookie, but the route never extracts the session.
    Untouched,
}

impl Scenario {
    /// Every scenario, in the order a round loads them.
    pub(crate) const ALL: [Self; 7] = [
        Self::Bare,
        Self::Counter,
        Self::CounterOneSession,
        Self::ReadOnly,
        Self::ReadOnlyOneSession,
        Self::NewSession,
        Self::Untouched,
    ];

    /// How the report names the scenario: `b`, `b1`, ...
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Bare => "a",
            Self::Counter => "b",
            Self::CounterOneSession => "b1",
            Self::ReadOnly => "c",
            Self::ReadOnlyOneSession => "c1",
            Self::NewSession => "d",
            Self::Untouched => "e",
        }
    }

    pub(crate) fn title(self) -> &'static str {
        match self {
            Self::Bare => "bare route",
            Self::Counter => "counter, many existing sessions",
            Self::CounterOneSession => "counter, one session on every connection",
            Self::ReadOnly => "read-only, many existing sessions",
            Self::ReadOnlyOneSession => "read-only, one session on every connection",
            Self::NewSession => "no cookie, new session",
            Self::Untouched => "cookie, session never extracted",
        }
    }

    pub(crate) fn path(self) -> &'static str {
        match self {
            Self::Bare => paths::BARE,
            Self::Counter | Self::CounterOneSession | Self::NewSession => paths::COUNTER,
            Self::ReadOnly | Self::ReadOnlyOneSession => paths::READ,
            Self::Untouched => paths::UNTOUCHED,
        }
    }

    /// How many existing sessions a load run sends the cookies of, in turn, one per request
    /// (0: the requests carry no cookie).
    pub(crate) fn sessions_under_load(self) -> usize {
        match self {
            Self::Bare | Self::NewSession => 0,
            Self::Counter | Self::ReadOnly | Self::Untouched => MANY_SESSIONS,
            Self::CounterOneSession | Self::ReadOnlyOneSession => 1,
        }
    }

    /// Whether the request carries the session cookie of an existing session.
    pub(crate) fn sends_cookie(self) -> bool {
        self.sessions_under_load() > 0
    }

    /// The same requests spread over [`MANY_SESSIONS`] sessions, for a one-session scenario:
    /// (b) for (b1), (c) for (c1).
    pub(crate) fn many_sessions_counterpart(self) -> Option<Self> {
        match self {
            Self::CounterOneSession => Some(Self::Counter),
            Self::ReadOnlyOneSession => Some(Self::ReadOnly),
            _ => None,
        }
    }

    /// Whether the per-request counts (instructions, Redis round trips) cover this scenario. They
    /// send one request at a time with one session, which for (b1) and (c1) would count (b) and
    /// (c) again.
    pub(crate) fn counted_per_request(self) -> bool {
        self.many_sessions_counterpart().is_none()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_has_its_own_label() {
        let mut labels: Vec<_> = Scenario::ALL.iter().map(|s| s.label()).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), Scenario::ALL.len());
    }

    #[test]
    fn a_one_session_scenario_is_its_counterpart_on_one_session() {
        for scenario in Scenario::ALL {
            let Some(many) = scenario.many_sessions_counterpart() else {
                continue;
            };
            assert_eq!(scenario.path(), many.path());
            assert_eq!(scenario.sessions_under_load(), 1);
            assert_eq!(many.sessions_under_load(), MANY_SESSIONS);
            assert!(many.counted_per_request() && !scenario.counted_per_request());
        }
    }
}
