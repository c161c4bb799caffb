//! The HTTP load harness: fastsession beside the session libraries users would otherwise pick,
//! on the same routes, in one interleaved run. See `BENCHMARKS.md` for what it measures and how.
//!
//! `bench-http run` (the default) measures everything and writes `BENCHMARKS.md`;
//! `bench-http serve` is one server, which `run` starts once per measurement.

mod run;
mod serve;
mod target;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::target::{Framework, Library};

#[derive(Debug, Parser)]
#[command(
    name = "bench-http",
    about = "fastsession's HTTP benchmark beside its peers"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Measure every server and write the report (the default).
    Run(run::RunOptions),
    /// Serve one library on one framework on 127.0.0.1 until killed.
    Serve {
        #[arg(long, value_enum)]
        framework: Framework,
        #[arg(long, value_enum)]
        library: Library,
        #[arg(long, default_value_t = 0)]
        port: u16,
        #[arg(long, default_value = run::DEFAULT_REDIS_URL)]
        redis_url: String,
        #[arg(long, default_value = run::DEFAULT_POSTGRES_URL)]
        postgres_url: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Serve {
            framework,
            library,
            port,
            redis_url,
            postgres_url,
        }) => serve::serve(
            framework,
            library,
            &serve::ServeOptions {
                port,
                redis_url,
                postgres_url,
            },
        ),
        Some(Command::Run(options)) => run::run(&options),
        None => run::run(&run::RunOptions::parse_from(["run"])),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench-http: {error}");
            ExitCode::FAILURE
        }
    }
}
