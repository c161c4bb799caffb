//! tokio-postgres (in a deadpool-postgres pool) beside sqlx (its own `PgPool`) on the PostgreSQL
//! store's request path: throughput, instructions per request under callgrind, and what each
//! pool does when the server ends its connections. `run` beside this crate makes the scratch
//! database and writes RESULTS.md; this program only measures.

mod dropped;
mod insns;
mod setup;
mod sqlx_client;
mod throughput;
mod tp_client;
mod workload;

use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::tp_client::Target;
use crate::workload::{Driver, Workload};

/// The command line.
#[derive(Debug, Parser)]
#[command(about = "tokio-postgres beside sqlx on fastsession's PostgreSQL request path")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
enum Command {
    /// Operations per second of each driver and pool size, on each workload, over 256 sessions
    /// and over 1; a markdown table on standard output.
    Throughput {
        #[command(flatten)]
        target: Target,
        /// The drivers.
        #[arg(
            long,
            value_enum,
            value_delimiter = ',',
            default_value = "tokio-postgres,sqlx,sqlx-no-test"
        )]
        drivers: Vec<Driver>,
        /// The pool sizes.
        #[arg(long, value_delimiter = ',', default_value = "8,16")]
        pools: Vec<usize>,
        /// Concurrent tasks sharing the pool.
        #[arg(long, default_value_t = 64)]
        tasks: usize,
        /// Seconds of warm-up before each measurement.
        #[arg(long, default_value_t = 1.0)]
        warmup: f64,
        /// Seconds measured.
        #[arg(long, default_value_t = 5.0)]
        window: f64,
        /// Measurements of each case (the median is reported).
        #[arg(long, default_value_t = 3)]
        repetitions: usize,
    },
    /// Sequential operations with one function to name to callgrind's `--toggle-collect`:
    /// `fastsession_bench_measured`.
    Insns {
        #[command(flatten)]
        target: Target,
        /// The driver.
        #[arg(long, value_enum)]
        driver: Driver,
        /// The operation.
        #[arg(long, value_enum)]
        op: Workload,
        /// The pool size.
        #[arg(long, default_value_t = 8)]
        pool: usize,
        /// Operations measured.
        #[arg(long, default_value_t = 2000)]
        count: usize,
        /// Operations before the measured ones.
        #[arg(long, default_value_t = 200)]
        warmup: usize,
    },
    /// What each pool does when the server ends its connections; a markdown table.
    Dropped {
        #[command(flatten)]
        target: Target,
        /// The drivers.
        #[arg(
            long,
            value_enum,
            value_delimiter = ',',
            default_value = "tokio-postgres,sqlx,sqlx-no-test"
        )]
        drivers: Vec<Driver>,
        /// The pool size.
        #[arg(long, default_value_t = 8)]
        pool: usize,
    },
}

/// Runs the command.
fn main() {
    let cli = Cli::parse();
    let runtime = || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime")
    };
    match cli.command {
        Command::Throughput {
            target,
            drivers,
            pools,
            tasks,
            warmup,
            window,
            repetitions,
        } => {
            let plan = throughput::Plan {
                tasks,
                warmup: Duration::from_secs_f64(warmup),
                window: Duration::from_secs_f64(window),
                repetitions,
            };
            runtime().block_on(throughput::run(&target, &drivers, &pools, plan));
        }
        Command::Insns {
            target,
            driver,
            op,
            pool,
            count,
            warmup,
        } => insns::run(&target, driver, pool, op, warmup, count),
        Command::Dropped {
            target,
            drivers,
            pool,
        } => runtime().block_on(dropped::run(&target, &drivers, pool)),
    }
}
