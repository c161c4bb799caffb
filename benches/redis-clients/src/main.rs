//! redis-rs beside fred on the Redis store's request path: throughput on one server, a Redis
//! Cluster and a Sentinel-managed master; instructions per request under callgrind; what each
//! sees when a cluster master is killed or a Sentinel fails the master over. `run` beside this
//! crate starts the servers and writes RESULTS.md; this program only measures.

mod failover;
mod fred_client;
mod insns;
mod report;
mod rs_client;
mod rs_watchdog;
mod scenarios;
mod sentinel_watch;
mod throughput;
mod workload;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use crate::rs_client::ClusterVariant;
use crate::throughput::Workload;

/// The command line.
#[derive(Debug, Parser)]
#[command(about = "redis-rs beside fred on fastsession's Redis request path")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// A topology the throughput is measured on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum TopologyKind {
    /// One server.
    Single,
    /// A Redis Cluster.
    Cluster,
    /// A master found through Sentinel.
    Sentinel,
}

/// A client measured under callgrind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ClientKind {
    /// redis-rs's connection manager.
    RedisRs,
    /// One fred client.
    Fred,
}

/// The operation measured under callgrind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum OpKind {
    /// A read.
    Read,
    /// A counter request: a read then a write.
    Counter,
}

/// What to do.
#[derive(Debug, Subcommand)]
enum Command {
    /// Operations per second of each client, on both workloads, over 256 keys and over 1.
    Throughput {
        /// The topology.
        #[arg(long, value_enum)]
        topology: TopologyKind,
        /// `host:port` of the server, of the cluster's seed nodes, or of the sentinels.
        #[arg(long, value_delimiter = ',', required = true)]
        nodes: Vec<String>,
        /// The master's name at the sentinels.
        #[arg(long, default_value = "bench")]
        service: String,
        /// Concurrent tasks sharing the client.
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
        /// Sizes of the fred pools measured beside one fred client.
        #[arg(long, value_delimiter = ',', default_value = "4")]
        fred_pools: Vec<usize>,
    },
    /// Sequential operations with one function to name to callgrind's `--toggle-collect`:
    /// `fastsession_bench_measured`.
    Insns {
        /// The client.
        #[arg(long, value_enum)]
        client: ClientKind,
        /// The operation.
        #[arg(long, value_enum)]
        op: OpKind,
        /// `host:port` of the server.
        #[arg(long, default_value = "127.0.0.1:6379")]
        node: String,
        /// Operations measured.
        #[arg(long, default_value_t = 2000)]
        count: usize,
        /// Operations before the measured ones.
        #[arg(long, default_value_t = 200)]
        warmup: usize,
    },
    /// One run: reads of 60 keys every 20 ms while one cluster master is killed with SIGKILL.
    ClusterFailover {
        /// `host:port` of every cluster node.
        #[arg(long, value_delimiter = ',', required = true)]
        nodes: Vec<String>,
        /// Where the nodes' `PORT.pid` files are.
        #[arg(long)]
        pid_dir: PathBuf,
        /// The run's name in the record.
        #[arg(long)]
        run: String,
        /// The record file that the run appends to.
        #[arg(long)]
        record: PathBuf,
        /// redis-rs configurations that probe side by side.
        #[arg(long, value_enum, value_delimiter = ',', default_value = "store")]
        redis_rs: Vec<ClusterVariant>,
        /// Seconds after the kill at which the run stops at the latest.
        #[arg(long, default_value_t = 90.0)]
        max_secs: f64,
    },
    /// One run: reads and writes of 60 keys every 20 ms while the sentinels fail the master over.
    SentinelFailover {
        /// `host:port` of every sentinel; the first one is told to fail over.
        #[arg(long, value_delimiter = ',', required = true)]
        sentinels: Vec<String>,
        /// The master's name at the sentinels.
        #[arg(long, default_value = "bench")]
        service: String,
        /// The run's name in the record.
        #[arg(long)]
        run: String,
        /// The record file that the run appends to.
        #[arg(long)]
        record: PathBuf,
        /// The file that the run appends a line on the old master to.
        #[arg(long)]
        notes: PathBuf,
        /// Seconds after the failover command at which the run stops at the latest.
        #[arg(long, default_value_t = 30.0)]
        max_secs: f64,
    },
    /// The record of the failover runs as markdown.
    Report {
        /// The record file.
        #[arg(long)]
        record: PathBuf,
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
            topology,
            nodes,
            service,
            tasks,
            warmup,
            window,
            repetitions,
            fred_pools,
        } => {
            let plan = throughput::Plan {
                tasks,
                warmup: Duration::from_secs_f64(warmup),
                window: Duration::from_secs_f64(window),
                repetitions,
            };
            runtime().block_on(scenarios::throughput(
                topology,
                &nodes,
                &service,
                &fred_pools,
                plan,
            ));
        }
        Command::Insns {
            client,
            op,
            node,
            count,
            warmup,
        } => {
            let keys = workload::session_keys(256, 1);
            let workload = match op {
                OpKind::Read => Workload::Read,
                OpKind::Counter => Workload::Counter,
            };
            insns::run(
                async || scenarios::connect_single(client, &node, &keys).await,
                &keys,
                workload,
                warmup,
                count,
            );
        }
        Command::ClusterFailover {
            nodes,
            pid_dir,
            run,
            record,
            redis_rs,
            max_secs,
        } => runtime().block_on(scenarios::cluster_failover(
            &nodes, &pid_dir, &run, &record, &redis_rs, max_secs,
        )),
        Command::SentinelFailover {
            sentinels,
            service,
            run,
            record,
            notes,
            max_secs,
        } => runtime().block_on(scenarios::sentinel_failover(
            &sentinels, &service, &run, &record, &notes, max_secs,
        )),
        Command::Report { record } => {
            let text = std::fs::read_to_string(&record).unwrap_or_default();
            print!("{}", report::render(&text));
        }
    }
}
