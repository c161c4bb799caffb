//! User-space instructions per request: stable where requests per second swing with the machine.
//!
//! `perf stat -e instructions:u` is used where the machine exposes the counter; elsewhere
//! callgrind (valgrind), which counts every instruction the server executes, whatever else the
//! machine is doing. Either way the server gets the same warm-up, then exactly `count` requests
//! one after another on one connection, and the counter covers only those.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use clap::ValueEnum;

use super::client::Client;
use super::process::{Launch, ServerProcess, StoreUrls, pinned};
use crate::serve::BoxError;
use crate::target::{Scenario, Server};

/// Which instruction counter to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum CounterChoice {
    /// perf where it works, else callgrind, else none.
    Auto,
    Perf,
    Callgrind,
    /// Do not count instructions.
    Off,
}

/// The counter in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Counter {
    Perf,
    Callgrind,
}

impl Counter {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Perf => "`perf stat -e instructions:u` (hardware counter)",
            Self::Callgrind => {
                "callgrind (valgrind): every user-space instruction, simulated; \
                 valgrind hides CPU extensions such as SHA-NI, so hashing runs its portable code"
            }
        }
    }
}

pub(crate) fn detect(choice: CounterChoice) -> Option<Counter> {
    let perf = || {
        Command::new("perf")
            .args(["stat", "-x,", "-e", "instructions:u", "true"])
            .stdout(Stdio::null())
            .output()
            .is_ok_and(|output| {
                output.status.success()
                    && !String::from_utf8_lossy(&output.stderr).contains("not supported")
            })
    };
    let callgrind = || {
        Command::new("callgrind_control")
            .arg("--version")
            .output()
            .is_ok_and(|output| output.status.success())
    };
    match choice {
        CounterChoice::Auto if perf() => Some(Counter::Perf),
        CounterChoice::Auto if callgrind() => Some(Counter::Callgrind),
        CounterChoice::Perf if perf() => Some(Counter::Perf),
        CounterChoice::Callgrind if callgrind() => Some(Counter::Callgrind),
        _ => None,
    }
}

/// What one count needs.
#[derive(Debug)]
pub(crate) struct Setup<'a> {
    pub(crate) exe: &'a Path,
    pub(crate) stores: StoreUrls<'a>,
    pub(crate) cpu: Option<usize>,
    pub(crate) client: &'a Client,
    pub(crate) warmup: usize,
    pub(crate) count: usize,
    pub(crate) scratch: &'a Path,
}

/// Instructions per request, and how many of them the SHA-256 block function ran (callgrind
/// only: under valgrind it runs portable code, where a CPU with SHA extensions needs a few
/// hundred instructions per block).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Count {
    pub(crate) total: f64,
    pub(crate) sha256: Option<f64>,
}

/// The server's user-space instructions per request of `scenario`.
pub(crate) fn per_request(
    counter: Counter,
    setup: &Setup<'_>,
    server: Server,
    scenario: Scenario,
) -> Result<Count, BoxError> {
    let mut launch = Launch {
        cpu: setup.cpu,
        wrapper: Vec::new(),
        startup: Duration::from_secs(30),
    };
    if counter == Counter::Callgrind {
        let out = setup.scratch.join("callgrind.%p");
        launch.wrapper = vec![
            "valgrind".to_owned(),
            "--tool=callgrind".to_owned(),
            format!("--callgrind-out-file={}", out.display()),
        ];
        launch.startup = Duration::from_secs(300);
    }
    let process = ServerProcess::start(setup.exe, server, setup.stores, &launch)?;
    let cookie = if scenario.sends_cookie() {
        Some(setup.client.start_session(process.address)?)
    } else {
        None
    };
    let path = scenario.path();
    let send = |count| {
        setup
            .client
            .send(process.address, path, cookie.as_deref(), count)
    };
    send(setup.warmup)?;
    let (total, sha256) = match counter {
        Counter::Perf => {
            let perf = pinned(setup.cpu)
                .args(["perf", "stat", "-x,", "-e", "instructions:u", "-p"])
                .arg(process.pid().to_string())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()?;
            thread::sleep(Duration::from_millis(200)); // perf attaches
            send(setup.count)?;
            Command::new("kill")
                .args(["-INT", &perf.id().to_string()])
                .status()?;
            let output = perf.wait_with_output()?;
            (perf_total(&String::from_utf8_lossy(&output.stderr))?, None)
        }
        Counter::Callgrind => {
            control("-z", process.pid())?;
            send(setup.count)?;
            control("-d", process.pid())?;
            let dump = PathBuf::from(format!(
                "{}.1",
                setup
                    .scratch
                    .join(format!("callgrind.{}", process.pid()))
                    .display()
            ));
            let total = callgrind_total(&dump)?;
            let sha256 = sha256_instructions(&dump)?;
            let _ = fs::remove_file(&dump);
            (total, Some(sha256))
        }
    };
    drop(process);
    if counter == Counter::Callgrind {
        remove_dumps(setup.scratch);
    }
    let count = setup.count as f64;
    Ok(Count {
        total: total as f64 / count,
        sha256: sha256.map(|sha256| sha256 as f64 / count),
    })
}

/// The instructions spent in SHA-256's block function (its own cost, every inlined part).
fn sha256_instructions(dump: &Path) -> Result<u64, BoxError> {
    let output = Command::new("callgrind_annotate")
        .args(["--inclusive=no", "--threshold=100"])
        .arg(dump)
        .stderr(Stdio::null())
        .output()?;
    Ok(sum_function_costs(
        &String::from_utf8_lossy(&output.stdout),
        ":sha2::sha256::",
    ))
}

/// Sums the cost column of callgrind_annotate's lines for functions containing `function`.
fn sum_function_costs(annotated: &str, function: &str) -> u64 {
    annotated
        .lines()
        .take_while(|line| !line.starts_with("-- Auto-annotated source"))
        .filter(|line| line.contains(function))
        .filter_map(|line| {
            line.split_whitespace()
                .next()?
                .replace(',', "")
                .parse::<u64>()
                .ok()
        })
        .sum()
}

fn control(action: &str, pid: u32) -> Result<(), BoxError> {
    let status = Command::new("callgrind_control")
        .args([action, &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    if !status.success() {
        return Err(format!("callgrind_control {action} {pid} failed: {status}").into());
    }
    Ok(())
}

/// The `totals:` line of a callgrind dump, waiting until the dump is complete.
fn callgrind_total(dump: &Path) -> Result<u64, BoxError> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(text) = fs::read_to_string(dump)
            && let Some(total) = text
                .lines()
                .find_map(|line| line.strip_prefix("totals:"))
                .and_then(|value| value.split_whitespace().next())
                .and_then(|value| value.parse().ok())
        {
            return Ok(total);
        }
        if Instant::now() > deadline {
            return Err(format!("callgrind wrote no totals to {}", dump.display()).into());
        }
        thread::sleep(Duration::from_millis(100));
    }
}

fn remove_dumps(scratch: &Path) {
    if let Ok(entries) = fs::read_dir(scratch) {
        for entry in entries.flatten() {
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with("callgrind.")
            {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// perf's CSV line `COUNT,,instructions:u,...`.
fn perf_total(text: &str) -> Result<u64, BoxError> {
    text.lines()
        .find_map(|line| {
            let mut fields = line.split(',');
            let count = fields.next()?;
            let event = fields.nth(1)?;
            event
                .starts_with("instructions")
                .then(|| count.parse().ok())?
        })
        .ok_or_else(|| format!("perf printed no instruction count: {text}").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_the_costs_of_one_function_family() {
        let annotated = "\
2,830,000 ( 8.01%)  /src/sha256/soft/unroll.rs:sha2::sha256::soft::unroll::compress
2,358,000 ( 6.68%)  /rustc/core/src/intrinsics/mod.rs:sha2::sha256::soft::unroll::compress
  530,000 ( 1.50%)  /src/decode.rs:base64::decode
-- Auto-annotated source: /src/sha256.rs
6,744,000 (19.10%)  => /src/non_null.rs:sha2::sha256::soft::unroll::compress (2,000x)
";
        assert_eq!(sum_function_costs(annotated, ":sha2::sha256::"), 5_188_000);
    }

    #[test]
    fn reads_perf_csv() {
        let text = "\n123456789,,instructions:u,1000000,100.00,,\n";
        assert_eq!(perf_total(text).unwrap(), 123_456_789);
        assert!(perf_total("<not counted>,,instructions:u,0,0.00,,\n").is_err());
    }
}
