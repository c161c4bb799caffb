//! The results of a run, and the Markdown section of `BENCHMARKS.md` they become.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use super::Sample;
use super::growth::GrowthReport;
use super::instructions::{Count, Counter};
use super::postgres_tables::TableReport;
use crate::serve::BoxError;
use crate::target::{Framework, Library, MANY_SESSIONS, Scenario, Server};

mod chart;
mod tables;
mod targets;

/// The generated section of `BENCHMARKS.md` lies between these two lines.
const START: &str = "<!-- bench-http: generated section starts; `bench-http run` rewrites it -->";
const END: &str = "<!-- bench-http: generated section ends -->";

#[derive(Debug, Default)]
pub(crate) struct Results {
    pub(crate) rounds: usize,
    pub(crate) seconds: u64,
    pub(crate) connections: usize,
    pub(crate) samples: Vec<Sample>,
    pub(crate) redis_commands: BTreeMap<(Server, Scenario), f64>,
    pub(crate) postgres_statements: BTreeMap<(Server, Scenario), f64>,
    pub(crate) postgres_tables: BTreeMap<Server, TableReport>,
    pub(crate) instructions: BTreeMap<(Server, Scenario), Count>,
    pub(crate) counter: Option<Counter>,
    pub(crate) growth: BTreeMap<Server, GrowthReport>,
    pub(crate) redis_version: String,
    pub(crate) postgres_version: String,
}

/// The medians of one server's rounds in one scenario.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Summary {
    pub(crate) requests_per_second: f64,
    pub(crate) p99_ms: f64,
    pub(crate) max_ms: f64,
    pub(crate) errors: u64,
}

impl Results {
    pub(crate) fn new(rounds: usize, seconds: u64, connections: usize) -> Self {
        Self {
            rounds,
            seconds,
            connections,
            ..Self::default()
        }
    }

    pub(crate) fn summary(&self, server: Server, scenario: Scenario) -> Option<Summary> {
        let runs: Vec<_> = self
            .samples
            .iter()
            .filter(|sample| sample.server == server && sample.scenario == scenario)
            .map(|sample| sample.report)
            .collect();
        if runs.is_empty() {
            return None;
        }
        Some(Summary {
            requests_per_second: median(runs.iter().map(|run| run.requests_per_second)),
            p99_ms: median(runs.iter().map(|run| run.p99_ms)),
            max_ms: runs.iter().map(|run| run.max_ms).fold(0.0, f64::max),
            errors: runs.iter().map(|run| run.errors).sum(),
        })
    }

    /// The framework's bare route, requests per second.
    pub(crate) fn bare(&self, framework: Framework) -> Option<f64> {
        let server = Server {
            framework,
            library: Library::Bare,
        };
        Some(self.summary(server, Scenario::Bare)?.requests_per_second)
    }

    /// Requests per second relative to the framework's bare route.
    pub(crate) fn ratio_to_bare(&self, server: Server, scenario: Scenario) -> Option<f64> {
        Some(self.summary(server, scenario)?.requests_per_second / self.bare(server.framework)?)
    }

    /// Requests per second relative to the peer on the same framework and store.
    pub(crate) fn ratio_to_peer(&self, server: Server, scenario: Scenario) -> Option<f64> {
        let peer = Server {
            framework: server.framework,
            library: server.library.peer_on(server.framework)?,
        };
        Some(
            self.summary(server, scenario)?.requests_per_second
                / self.summary(peer, scenario)?.requests_per_second,
        )
    }

    /// Requests per second of a one-session scenario relative to the same server on its
    /// many-session counterpart ((b1) against (b)).
    pub(crate) fn ratio_to_many_sessions(&self, server: Server, scenario: Scenario) -> Option<f64> {
        let many = scenario.many_sessions_counterpart()?;
        Some(
            self.summary(server, scenario)?.requests_per_second
                / self.summary(server, many)?.requests_per_second,
        )
    }

    /// Instructions per request beyond the framework's bare route.
    pub(crate) fn overhead(&self, server: Server, scenario: Scenario) -> Option<f64> {
        let bare = self.bare_count(server)?;
        Some(self.instructions.get(&(server, scenario))?.total - bare.total)
    }

    /// The session overhead without the SHA-256 block function, where the counter could tell
    /// it apart (callgrind runs it as portable code; see [`Counter::describe`]).
    pub(crate) fn overhead_without_sha256(
        &self,
        server: Server,
        scenario: Scenario,
    ) -> Option<f64> {
        let bare = self.bare_count(server)?;
        let count = self.instructions.get(&(server, scenario))?;
        Some(count.total - count.sha256? - (bare.total - bare.sha256?))
    }

    /// SHA-256 block instructions per request beyond the bare route.
    pub(crate) fn sha256_overhead(&self, server: Server, scenario: Scenario) -> Option<f64> {
        let bare = self.bare_count(server)?;
        Some(self.instructions.get(&(server, scenario))?.sha256? - bare.sha256?)
    }

    /// The figure the instruction targets are checked against: the overhead, without the
    /// SHA-256 blocks when callgrind counted them (their portable code is not what runs on a
    /// CPU with SHA extensions; the raw overhead is in the tables).
    pub(crate) fn overhead_for_target(&self, server: Server, scenario: Scenario) -> Option<f64> {
        self.overhead_without_sha256(server, scenario)
            .or_else(|| self.overhead(server, scenario))
    }

    fn bare_count(&self, server: Server) -> Option<&Count> {
        let bare = Server {
            framework: server.framework,
            library: Library::Bare,
        };
        self.instructions.get(&(bare, Scenario::Bare))
    }

    pub(crate) fn frameworks(&self) -> Vec<Framework> {
        let mut frameworks: Vec<_> = self.samples.iter().map(|s| s.server.framework).collect();
        frameworks.sort();
        frameworks.dedup();
        frameworks
    }

    pub(crate) fn servers(&self) -> Vec<Server> {
        let mut servers: Vec<_> = self.samples.iter().map(|s| s.server).collect();
        servers.sort();
        servers.dedup();
        servers
    }
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Write the generated section into `report` (keeping the text around it) and the chart.
pub(crate) fn write(results: &Results, report: &Path, chart_path: &Path) -> Result<(), BoxError> {
    if let Some(parent) = chart_path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    chart::draw(results, chart_path)?;
    let section = markdown(results, chart_path);
    let existing = std::fs::read_to_string(report).unwrap_or_default();
    let text = match (existing.find(START), existing.find(END)) {
        (Some(start), Some(end)) if start < end => format!(
            "{}{section}{}",
            &existing[..start],
            &existing[end + END.len()..]
        ),
        _ => format!("{existing}\n{section}\n"),
    };
    std::fs::write(report, text)?;
    Ok(())
}

fn markdown(results: &Results, chart_path: &Path) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{START}\n");
    let _ = writeln!(out, "## Results\n");
    let _ = writeln!(out, "{}\n", environment(results));
    let _ = writeln!(
        out,
        "![requests per second relative to the bare route]({})\n",
        chart_path.display()
    );
    let _ = writeln!(out, "### Targets\n");
    out.push_str(&targets::table(results));
    for scenario in Scenario::ALL.into_iter().skip(1) {
        let _ = writeln!(out, "\n### ({}) {}\n", scenario.label(), scenario.title());
        if scenario.many_sessions_counterpart().is_some() {
            out.push_str(&tables::one_session(results, scenario));
        } else {
            out.push_str(&tables::scenario(results, scenario));
        }
    }
    let _ = writeln!(
        out,
        "\n### ({}) {}\n",
        Scenario::Bare.label(),
        Scenario::Bare.title()
    );
    out.push_str(&tables::scenario(results, Scenario::Bare));
    let _ = writeln!(
        out,
        "\n### PostgreSQL tables: after {} s of scenario (d), then every row ended and cleaned up\n",
        results.seconds
    );
    out.push_str(&tables::postgres_tables(results));
    let _ = writeln!(
        out,
        "\n### Growth past a million sessions: scenario (d) without pause\n"
    );
    out.push_str(&tables::growth(results));
    let _ = writeln!(out, "\n{END}");
    out
}

pub(crate) fn fixed(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "–".to_owned(), |value| format!("{value:.decimals$}"))
}

fn environment(results: &Results) -> String {
    let command = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .map(|output| {
                let text = if output.stdout.is_empty() {
                    output.stderr
                } else {
                    output.stdout
                };
                String::from_utf8_lossy(&text)
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            })
            .unwrap_or_else(|_| "unknown".to_owned())
    };
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("model name"))
                .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let counter = results
        .counter
        .map_or("none available", |counter| counter.describe());
    format!(
        "Measured {date} on {cpu}, {cpus} CPUs, Linux {kernel}; {rustc}; {wrk}; Redis {redis}; PostgreSQL {postgres}. \
         {rounds} interleaved rounds of {seconds} s per server and scenario (figures are \
         medians; \"max\" is the longest over all rounds), {connections} connections, the \
         server pinned to CPU 1 and wrk to CPU 0. (b), (c) and (e) send the cookies of \
         {MANY_SESSIONS} sessions in turn, (b1) and (c1) one session's cookie on all \
         {connections} connections. Instructions counted with {counter}.\n\n\
         Versions: {versions}.",
        date = command("date", &["-u", "+%Y-%m-%d"]),
        kernel = command("uname", &["-r"]),
        rustc = command("rustc", &["-V"]),
        wrk = command("wrk", &["-v"])
            .split(" [")
            .next()
            .unwrap_or("wrk")
            .to_owned(),
        redis = results.redis_version,
        postgres = results.postgres_version,
        rounds = results.rounds,
        seconds = results.seconds,
        connections = results.connections,
        versions = versions(),
    )
}

/// The versions of the measured crates, read from the harness's own `Cargo.lock` (the peers are
/// not in the repository's).
fn versions() -> String {
    const CRATES: [&str; 11] = [
        "fastsession-core",
        "axum",
        "actix-web",
        "rocket",
        "poem",
        "tower-sessions",
        "tower-sessions-redis-store",
        "tower-sessions-sqlx-store",
        "tokio-postgres",
        "actix-session",
        "redis",
    ];
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"))
        .unwrap_or_default();
    let mut found = BTreeMap::new();
    let mut name = None;
    for line in lock.lines() {
        if let Some(value) = line.strip_prefix("name = ") {
            name = Some(value.trim_matches('"').to_owned());
        } else if let Some(value) = line.strip_prefix("version = ")
            && let Some(name) = name.take()
            && CRATES.contains(&name.as_str())
        {
            found
                .entry(name)
                .or_insert_with(Vec::new)
                .push(value.trim_matches('"').to_owned());
        }
    }
    CRATES
        .iter()
        .filter_map(|name| Some(format!("{name} {}", found.get(*name)?.join(" and "))))
        .collect::<Vec<_>>()
        .join(", ")
}
