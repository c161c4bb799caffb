//! `bench-http run`: every server, every scenario, interleaved rounds, then the counts that do
//! not need a load (instructions, Redis round trips, PostgreSQL statements), the PostgreSQL
//! tables, the growth run, and the report.

mod client;
mod growth;
mod instructions;
mod postgres_stats;
mod postgres_tables;
mod postgres_wire;
mod process;
mod redis_stats;
mod report;
mod wrk;

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use self::client::Client;
use self::instructions::{CounterChoice, Setup};
use self::postgres_stats::Postgres;
use self::postgres_wire::StatementCounter;
use self::process::{Launch, ServerProcess, StoreUrls};
use self::redis_stats::Redis;
use self::report::Results;
use self::wrk::{Load, WrkReport};
use crate::serve::BoxError;
use crate::target::{Framework, Library, Scenario, Server};

/// The benchmark's Redis database: every run empties it (`FLUSHDB`), so it is not database 0.
pub(crate) const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379/9";

/// The benchmark's PostgreSQL database: created if missing, its tables dropped before each
/// server.
pub(crate) const DEFAULT_POSTGRES_URL: &str =
    "postgres://postgres@127.0.0.1:5432/fastsession_bench";

#[derive(Clone, Debug, Parser)]
pub(crate) struct RunOptions {
    /// Interleaved rounds; each figure is the median over them.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Seconds of load per measurement.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// wrk's open connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Frameworks to measure (default: all).
    #[arg(long, value_enum, value_delimiter = ',')]
    frameworks: Vec<Framework>,
    /// The instruction counter.
    #[arg(long, value_enum, default_value = "auto")]
    instructions: CounterChoice,
    /// Requests counted per instruction measurement (after a warm-up of a tenth as many).
    #[arg(long, default_value_t = 1000)]
    instruction_requests: usize,
    /// Sessions the growth run creates per memory store.
    #[arg(long, default_value_t = 1_100_000)]
    growth_sessions: u64,
    /// The most seconds the growth run loads one server.
    #[arg(long, default_value_t = 120)]
    growth_seconds: u64,
    /// The Redis the Redis stores use; its database is emptied before each server.
    #[arg(long, env = "FASTSESSION_BENCH_REDIS_URL", default_value = DEFAULT_REDIS_URL)]
    redis_url: String,
    /// The PostgreSQL database the PostgreSQL stores use; created if missing, its tables
    /// dropped before each server.
    #[arg(long, env = "FASTSESSION_BENCH_POSTGRES_URL", default_value = DEFAULT_POSTGRES_URL)]
    postgres_url: String,
    /// The Markdown report to write (its generated section is replaced).
    #[arg(long, default_value = "BENCHMARKS.md")]
    report: PathBuf,
    /// The chart to write.
    #[arg(long, default_value = "docs/benchmarks.svg")]
    chart: PathBuf,
}

/// One load run of one server in one round.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sample {
    pub(crate) server: Server,
    pub(crate) scenario: Scenario,
    pub(crate) report: WrkReport,
}

pub(crate) fn run(options: &RunOptions) -> Result<(), BoxError> {
    let exe = std::env::current_exe()?;
    let frameworks = if options.frameworks.is_empty() {
        Framework::ALL.to_vec()
    } else {
        options.frameworks.clone()
    };
    let servers: Vec<Server> = frameworks
        .iter()
        .flat_map(|&framework| {
            framework
                .libraries()
                .iter()
                .map(move |&library| Server { framework, library })
        })
        .collect();
    let (server_cpu, client_cpu) = match std::thread::available_parallelism().map(usize::from) {
        Ok(cpus) if cpus >= 2 => (Some(1), Some(0)),
        _ => (None, None),
    };
    let mut redis = Redis::connect(&options.redis_url)?;
    let postgres = Postgres::connect(&options.postgres_url)?;
    let stores = StoreUrls {
        redis: &options.redis_url,
        postgres: &options.postgres_url,
    };
    let client = Client::new()?;
    let mut results = Results::new(options.rounds, options.seconds, options.connections);
    results.redis_version = redis.version()?;
    results.postgres_version = postgres.version()?;
    let launch = Launch {
        cpu: server_cpu,
        wrapper: Vec::new(),
        startup: Duration::from_secs(30),
    };

    for round in 1..=options.rounds {
        for scenario in Scenario::ALL {
            for &server in servers.iter().filter(|s| scenario.applies_to(s.library)) {
                if server.library.uses_redis() {
                    redis.flush()?;
                }
                if server.library.uses_postgres() {
                    postgres.reset()?;
                }
                let process = ServerProcess::start(&exe, server, stores, &launch)?;
                let cookies = (0..scenario.sessions_under_load())
                    .map(|_| client.start_session(process.address))
                    .collect::<Result<Vec<_>, _>>()?;
                let report = wrk::run(&Load {
                    address: process.address,
                    path: scenario.path(),
                    cookies: &cookies,
                    duration: Duration::from_secs(options.seconds),
                    connections: options.connections,
                    cpu: client_cpu,
                })?;
                drop(process);
                eprintln!(
                    "round {round}/{} ({}) {server}: {:.0} req/s, p99 {:.2} ms, max {:.2} ms{}",
                    options.rounds,
                    scenario.label(),
                    report.requests_per_second,
                    report.p99_ms,
                    report.max_ms,
                    if report.errors > 0 {
                        format!(", {} ERRORS", report.errors)
                    } else {
                        String::new()
                    },
                );
                results.samples.push(Sample {
                    server,
                    scenario,
                    report,
                });
            }
        }
    }

    let counted = |server: Server| {
        Scenario::ALL
            .into_iter()
            .filter(move |s| s.counted_per_request() && s.applies_to(server.library))
    };
    for &server in servers.iter().filter(|s| s.library.uses_redis()) {
        for scenario in counted(server) {
            redis.flush()?;
            let run = PerRequest {
                exe: &exe,
                stores,
                launch: &launch,
                client: &client,
            };
            let per_request = run.count(server, scenario, |traffic| redis.round_trips(traffic))?;
            eprintln!(
                "Redis ({}) {server}: {per_request:.2} commands per request",
                scenario.label()
            );
            results
                .redis_commands
                .insert((server, scenario), per_request);
        }
    }

    let counter = StatementCounter::start(&options.postgres_url)?;
    let counted_url = counter.url(&options.postgres_url)?;
    let counted_stores = StoreUrls {
        postgres: &counted_url,
        ..stores
    };
    for &server in servers.iter().filter(|s| s.library.uses_postgres()) {
        for scenario in counted(server) {
            postgres.reset()?;
            let run = PerRequest {
                exe: &exe,
                stores: counted_stores,
                launch: &launch,
                client: &client,
            };
            let per_request = run.count(server, scenario, |traffic| {
                let before = counter.statements();
                traffic()?;
                Ok(counter.statements() - before)
            })?;
            eprintln!(
                "PostgreSQL ({}) {server}: {per_request:.2} statements per request",
                scenario.label()
            );
            results
                .postgres_statements
                .insert((server, scenario), per_request);
        }
        let table = postgres_tables::measure(
            &postgres,
            &postgres_tables::Tables {
                exe: &exe,
                stores,
                launch: &launch,
                client_cpu,
                connections: options.connections,
                seconds: options.seconds,
            },
            server,
        )?;
        eprintln!(
            "PostgreSQL table {server}: {} rows, {:.0} B each, cleanup {:.0} rows/s",
            table.rows, table.bytes_per_row, table.cleanup_rows_per_second
        );
        results.postgres_tables.insert(server, table);
    }

    if let Some(counter) = instructions::detect(options.instructions) {
        results.counter = Some(counter);
        let scratch = std::env::temp_dir().join(format!("bench-http-{}", std::process::id()));
        std::fs::create_dir_all(&scratch)?;
        let setup = Setup {
            exe: &exe,
            stores,
            cpu: server_cpu,
            client: &client,
            warmup: (options.instruction_requests / 10).max(10),
            count: options.instruction_requests,
            scratch: &scratch,
        };
        for &server in &servers {
            for scenario in Scenario::ALL
                .into_iter()
                .filter(|s| s.counted_per_request() && s.applies_to(server.library))
            {
                if server.library.uses_redis() {
                    redis.flush()?;
                }
                if server.library.uses_postgres() {
                    postgres.reset()?;
                }
                let count = instructions::per_request(counter, &setup, server, scenario)?;
                eprintln!(
                    "instructions ({}) {server}: {:.0} per request ({} in SHA-256)",
                    scenario.label(),
                    count.total,
                    report::fixed(count.sha256, 0)
                );
                results.instructions.insert((server, scenario), count);
            }
        }
        let _ = std::fs::remove_dir_all(&scratch);
    } else {
        eprintln!("no instruction counter: neither perf nor callgrind works here");
    }

    for &server in servers
        .iter()
        .filter(|s| s.library != Library::Bare && !s.library.uses_shared_store())
    {
        let growth = growth::run(&growth::Growth {
            exe: &exe,
            server,
            launch: &launch,
            client_cpu,
            connections: options.connections,
            sessions: options.growth_sessions,
            limit: Duration::from_secs(options.growth_seconds),
            stores,
            client: &client,
        })?;
        eprintln!(
            "growth {server}: {} sessions, {:.0} B each, longest request {:.1} ms",
            growth.sessions, growth.bytes_per_session, growth.max_ms
        );
        results.growth.insert(server, growth);
    }
    redis.flush()?;
    postgres.reset()?;

    report::write(&results, &options.report, &options.chart)?;
    eprintln!(
        "wrote {} and {}",
        options.report.display(),
        options.chart.display()
    );
    Ok(())
}

/// A count per request of something a server does (Redis commands, PostgreSQL statements), over
/// a short sequential run.
struct PerRequest<'a> {
    exe: &'a std::path::Path,
    stores: StoreUrls<'a>,
    launch: &'a Launch,
    client: &'a Client,
}

impl PerRequest<'_> {
    /// Requests counted after the warm-up.
    const REQUESTS: usize = 200;

    /// Starts `server`, opens a session if `scenario` sends a cookie, warms up with 10 requests,
    /// then hands `count` the traffic of [`Self::REQUESTS`] more; returns its count per request.
    fn count(
        &self,
        server: Server,
        scenario: Scenario,
        count: impl FnOnce(&dyn Fn() -> Result<(), BoxError>) -> Result<u64, BoxError>,
    ) -> Result<f64, BoxError> {
        let process = ServerProcess::start(self.exe, server, self.stores, self.launch)?;
        let cookie = scenario
            .sends_cookie()
            .then(|| self.client.start_session(process.address))
            .transpose()?;
        let send = |requests| {
            self.client.send(
                process.address,
                scenario.path(),
                cookie.as_deref(),
                requests,
            )
        };
        send(10)?;
        let counted = count(&|| send(Self::REQUESTS))?;
        Ok(counted as f64 / Self::REQUESTS as f64)
    }
}
