//! The report's tables of measured figures: one per scenario, and the growth run's.

use std::fmt::Write as _;

use super::{Results, Summary, fixed};
use crate::target::{MANY_SESSIONS, Scenario, Server};

/// Every figure of one scenario: load, instructions and Redis round trips, one row per server.
pub(super) fn scenario(results: &Results, scenario: Scenario) -> String {
    let mut out = String::from(
        "| framework | library | req/s | × bare | × peer | p99 ms | max ms | instr/req | session overhead, instr/req | of which SHA-256 blocks | Redis commands/req | PostgreSQL statements/req |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for (server, summary) in measured(results, scenario) {
        let _ = writeln!(
            out,
            "{} {:.2} | {:.2} | {} | {} | {} | {} | {} |",
            load_cells(results, server, scenario, &summary),
            summary.p99_ms,
            summary.max_ms,
            fixed(
                results
                    .instructions
                    .get(&(server, scenario))
                    .map(|count| count.total),
                0
            ),
            fixed(results.overhead(server, scenario), 0),
            fixed(results.sha256_overhead(server, scenario), 0),
            fixed(results.redis_commands.get(&(server, scenario)).copied(), 2),
            fixed(
                results
                    .postgres_statements
                    .get(&(server, scenario))
                    .copied(),
                2
            ),
        );
    }
    out
}

/// A one-session scenario's load figures, with each server's requests per second against the
/// same server spread over many sessions (the per-request counts are its counterpart's).
pub(super) fn one_session(results: &Results, scenario: Scenario) -> String {
    let many = scenario
        .many_sessions_counterpart()
        .map_or("", Scenario::label);
    let mut out = format!(
        "| framework | library | req/s | × bare | × peer | × {MANY_SESSIONS} sessions ({many}) | p99 ms | max ms |\n\
         |---|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for (server, summary) in measured(results, scenario) {
        let _ = writeln!(
            out,
            "{} {} | {:.2} | {:.2} |",
            load_cells(results, server, scenario, &summary),
            fixed(results.ratio_to_many_sessions(server, scenario), 2),
            summary.p99_ms,
            summary.max_ms,
        );
    }
    out
}

/// The growth run of every memory store.
pub(super) fn growth(results: &Results) -> String {
    let mut out = String::from(
        "| framework | library | sessions created | req/s | resident bytes per session | longest request ms | worst p99 ms |\n\
         |---|---|---:|---:|---:|---:|---:|\n",
    );
    for (server, growth) in &results.growth {
        let _ = writeln!(
            out,
            "| {} | {} | {}{} | {:.0} | {:.0} | {:.1} | {:.2} |",
            server.framework.name(),
            server.library.name(),
            growth.sessions,
            errors_note(growth.errors),
            growth.requests_per_second,
            growth.bytes_per_session,
            growth.max_ms,
            growth.p99_ms,
        );
    }
    out
}

/// Every server measured in `scenario`, with its figures.
fn measured(results: &Results, scenario: Scenario) -> impl Iterator<Item = (Server, Summary)> + '_ {
    results
        .servers()
        .into_iter()
        .filter(move |server| scenario.applies_to(server.library))
        .filter_map(move |server| Some((server, results.summary(server, scenario)?)))
}

/// The cells every scenario table starts with, up to and including the separator before the
/// next cell: framework, library, req/s, × bare and × peer.
fn load_cells(results: &Results, server: Server, scenario: Scenario, summary: &Summary) -> String {
    format!(
        "| {} | {} | {:.0}{} | {} | {} |",
        server.framework.name(),
        server.library.name(),
        summary.requests_per_second,
        errors_note(summary.errors),
        fixed(results.ratio_to_bare(server, scenario), 2),
        fixed(results.ratio_to_peer(server, scenario), 2),
    )
}

/// What follows a figure measured with errors (" (3 errors)"), or nothing.
fn errors_note(errors: u64) -> String {
    if errors > 0 {
        format!(" ({errors} errors)")
    } else {
        String::new()
    }
}

/// Each PostgreSQL store's table after a load of new sessions: its rows, its bytes per row and
/// the speed of its library's cleanup.
pub(super) fn postgres_tables(results: &Results) -> String {
    let mut out = String::from(
        "| framework | library | rows | bytes per row (heap, indexes, TOAST) | cleanup, rows deleted per second |\n\
         |---|---|---:|---:|---:|\n",
    );
    for (server, table) in &results.postgres_tables {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.0} | {:.0} |",
            server.framework.name(),
            server.library.name(),
            table.rows,
            table.bytes_per_row,
            table.cleanup_rows_per_second,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::Sample;
    use crate::run::wrk::WrkReport;
    use crate::target::{Framework, Library};

    fn sample(library: Library, scenario: Scenario, requests_per_second: f64) -> Sample {
        Sample {
            server: Server {
                framework: Framework::Axum,
                library,
            },
            scenario,
            report: WrkReport {
                requests_per_second,
                ..WrkReport::default()
            },
        }
    }

    #[test]
    fn a_one_session_row_compares_with_the_peer_and_with_many_sessions() {
        let mut results = Results::new(1, 1, 32);
        results.samples = vec![
            sample(Library::Bare, Scenario::Bare, 1000.0),
            sample(Library::FastsessionMemory, Scenario::Counter, 800.0),
            sample(
                Library::FastsessionMemory,
                Scenario::CounterOneSession,
                600.0,
            ),
            sample(
                Library::TowerSessionsMemory,
                Scenario::CounterOneSession,
                400.0,
            ),
        ];
        let table = one_session(&results, Scenario::CounterOneSession);
        assert!(table.contains("| × 256 sessions (b) |"), "{table}");
        assert!(
            table.contains("| axum | fastsession (memory) | 600 | 0.60 | 1.50 | 0.75 |"),
            "{table}"
        );
        assert!(
            table.contains("| axum | tower-sessions (memory) | 400 | 0.40 | – | – |"),
            "{table}"
        );
        assert!(!table.contains("| bare |"), "{table}");
    }
}
