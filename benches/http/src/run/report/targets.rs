//! The speed fastsession must reach, checked against what the run measured.

use std::fmt::Write as _;

use super::{Results, fixed};
use crate::target::{Framework, Library, Scenario, Server};

/// One target: how to read the figure for a server, and the bound it must meet.
struct Target {
    what: &'static str,
    library: Library,
    figure: fn(&Results, Server) -> Option<f64>,
    bound: Bound,
    decimals: usize,
}

#[derive(Clone, Copy)]
enum Bound {
    AtMost(f64),
    AtLeast(f64),
    /// Round trips: fewer than promised would mean a miscount, not a win.
    Exactly(f64),
}

impl Bound {
    fn met(self, value: f64) -> bool {
        match self {
            Self::AtMost(bound) => value <= bound,
            Self::AtLeast(bound) => value >= bound,
            Self::Exactly(bound) => (value - bound).abs() < 1e-9,
        }
    }
}

const MEMORY: Library = Library::FastsessionMemory;
const REDIS: Library = Library::FastsessionRedis;
const POSTGRES: Library = Library::FastsessionPostgres;

fn targets() -> Vec<Target> {
    use Bound::{AtLeast, AtMost, Exactly};
    use Scenario::{
        Counter, CounterOneSession, NewSession, ReadOnly, ReadOnlyOneSession, Untouched,
    };
    vec![
        Target {
            what: "(b) session overhead (without SHA-256 blocks under callgrind) ≤ 5,000 instructions/request",
            library: MEMORY,
            figure: |r, s| r.overhead_for_target(s, Counter),
            bound: AtMost(5000.0),
            decimals: 0,
        },
        Target {
            what: "(c) session overhead (without SHA-256 blocks under callgrind) ≤ 3,000 instructions/request",
            library: MEMORY,
            figure: |r, s| r.overhead_for_target(s, ReadOnly),
            bound: AtMost(3000.0),
            decimals: 0,
        },
        Target {
            what: "(e) session overhead (without SHA-256 blocks under callgrind) ≤ 3,000 instructions/request",
            library: MEMORY,
            figure: |r, s| r.overhead_for_target(s, Untouched),
            bound: AtMost(3000.0),
            decimals: 0,
        },
        Target {
            what: "(d) session overhead (without SHA-256 blocks under callgrind) ≤ 5,000 instructions/request",
            library: MEMORY,
            figure: |r, s| r.overhead_for_target(s, NewSession),
            bound: AtMost(5000.0),
            decimals: 0,
        },
        Target {
            what: "(b) req/s ≥ 0.90 × bare",
            library: MEMORY,
            figure: |r, s| r.ratio_to_bare(s, Counter),
            bound: AtLeast(0.90),
            decimals: 2,
        },
        Target {
            what: "(c) req/s ≥ 0.95 × bare",
            library: MEMORY,
            figure: |r, s| r.ratio_to_bare(s, ReadOnly),
            bound: AtLeast(0.95),
            decimals: 2,
        },
        Target {
            what: "(e) req/s ≥ 0.95 × bare",
            library: MEMORY,
            figure: |r, s| r.ratio_to_bare(s, Untouched),
            bound: AtLeast(0.95),
            decimals: 2,
        },
        Target {
            what: "(d) req/s ≥ 0.85 × bare",
            library: MEMORY,
            figure: |r, s| r.ratio_to_bare(s, NewSession),
            bound: AtLeast(0.85),
            decimals: 2,
        },
        Target {
            what: "(b) req/s ≥ 1.5 × peer",
            library: MEMORY,
            figure: |r, s| r.ratio_to_peer(s, Counter),
            bound: AtLeast(1.5),
            decimals: 2,
        },
        Target {
            what: "(d) req/s ≥ 1.5 × peer",
            library: MEMORY,
            figure: |r, s| r.ratio_to_peer(s, NewSession),
            bound: AtLeast(1.5),
            decimals: 2,
        },
        Target {
            what: "memory ≤ 200 B per small session (resident, growth run)",
            library: MEMORY,
            figure: |r, s| Some(r.growth.get(&s)?.bytes_per_session),
            bound: AtMost(200.0),
            decimals: 0,
        },
        Target {
            what: "growth past 1M sessions: longest request ≤ 10 ms",
            library: MEMORY,
            figure: |r, s| Some(r.growth.get(&s)?.max_ms),
            bound: AtMost(10.0),
            decimals: 1,
        },
        Target {
            what: "Redis (c): 1 round trip",
            library: REDIS,
            figure: |r, s| r.redis_commands.get(&(s, ReadOnly)).copied(),
            bound: Exactly(1.0),
            decimals: 2,
        },
        Target {
            what: "Redis (b): 2 round trips",
            library: REDIS,
            figure: |r, s| r.redis_commands.get(&(s, Counter)).copied(),
            bound: Exactly(2.0),
            decimals: 2,
        },
        Target {
            what: "Redis (e): no round trip",
            library: REDIS,
            figure: |r, s| r.redis_commands.get(&(s, Untouched)).copied(),
            bound: Exactly(0.0),
            decimals: 2,
        },
        Target {
            what: "Redis (b) session overhead (without SHA-256 blocks under callgrind) ≤ 30,000 instructions/request",
            library: REDIS,
            figure: |r, s| r.overhead_for_target(s, Counter),
            bound: AtMost(30_000.0),
            decimals: 0,
        },
        Target {
            what: "Redis (b) req/s ≥ 1.5 × peer",
            library: REDIS,
            figure: |r, s| r.ratio_to_peer(s, Counter),
            bound: AtLeast(1.5),
            decimals: 2,
        },
        Target {
            what: "Redis (c) req/s ≥ 1.5 × peer",
            library: REDIS,
            figure: |r, s| r.ratio_to_peer(s, ReadOnly),
            bound: AtLeast(1.5),
            decimals: 2,
        },
        Target {
            what: "Redis (b1) req/s ≥ 1.5 × peer",
            library: REDIS,
            figure: |r, s| r.ratio_to_peer(s, CounterOneSession),
            bound: AtLeast(1.5),
            decimals: 2,
        },
        Target {
            what: "PostgreSQL (c): at most 1 statement",
            library: POSTGRES,
            figure: |r, s| r.postgres_statements.get(&(s, ReadOnly)).copied(),
            bound: AtMost(1.0),
            decimals: 2,
        },
        Target {
            what: "PostgreSQL (b): at most 2 statements",
            library: POSTGRES,
            figure: |r, s| r.postgres_statements.get(&(s, Counter)).copied(),
            bound: AtMost(2.0),
            decimals: 2,
        },
        Target {
            what: "PostgreSQL (e): no statement",
            library: POSTGRES,
            figure: |r, s| r.postgres_statements.get(&(s, Untouched)).copied(),
            bound: Exactly(0.0),
            decimals: 2,
        },
        Target {
            what: "PostgreSQL (b) req/s ≥ 1.5 × peer",
            library: POSTGRES,
            figure: |r, s| r.ratio_to_peer(s, Counter),
            bound: AtLeast(1.5),
            decimals: 2,
        },
        Target {
            what: "PostgreSQL (c) req/s ≥ 1.5 × peer",
            library: POSTGRES,
            figure: |r, s| r.ratio_to_peer(s, ReadOnly),
            bound: AtLeast(1.5),
            decimals: 2,
        },
        Target {
            what: "Redis (c1) req/s ≥ 1.5 × peer",
            library: REDIS,
            figure: |r, s| r.ratio_to_peer(s, ReadOnlyOneSession),
            bound: AtLeast(1.5),
            decimals: 2,
        },
    ]
}

/// A table with one row per target and one column per framework: the figure, and whether it
/// meets the target ("–" where there is nothing to compare, e.g. no peer on rocket).
pub(super) fn table(results: &Results) -> String {
    let frameworks: Vec<Framework> = results.frameworks();
    let mut out = String::from("| target |");
    for framework in &frameworks {
        let _ = write!(out, " {} |", framework.name());
    }
    out.push_str("\n|---|");
    out.push_str(&"---:|".repeat(frameworks.len()));
    out.push('\n');
    for target in targets() {
        let _ = write!(out, "| {} |", target.what);
        for &framework in &frameworks {
            let server = Server {
                framework,
                library: target.library,
            };
            let figure = (target.figure)(results, server);
            let verdict = match figure {
                Some(value) if target.bound.met(value) => "✅ ",
                Some(_) => "❌ ",
                None => "",
            };
            let _ = write!(out, " {verdict}{} |", fixed(figure, target.decimals));
        }
        out.push('\n');
    }
    out
}
