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
use super::process::{Launch, ServerProcess, pinned};
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
    pub(crate) redis_url: &'a str,
    pub(crate) cpu: Option<usize>,
    pub(crate) client: &'a Client,
    pub(crate) warmup: usize,
    pub(crate) count: usize,
    pub(crate) scratch: &'a Path,
}

/// The server's user-space instructions per request of `scenario`.
pub(crate) fn per_request(
    counter: Counter,
    setup: &Setup<'_>,
    server: Server,
    scenario: Scenario,
) -> Result<f64, BoxError> {
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
    let process = ServerProcess::start(setup.exe, server, setup.redis_url, &launch)?;
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
    let total = match counter {
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
            perf_total(&String::from_utf8_lossy(&output.stderr))?
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
            let _ = fs::remove_file(&dump);
            total
        }
    };
    drop(process);
    if counter == Counter::Callgrind {
        remove_dumps(setup.scratch);
    }
    Ok(total as f64 / setup.count as f64)
}

fn control(action: &str, pid: u32) -> Result<(), BoxError> {
    let status = Command::new("callgrind_control")
        .args([action, &pid.to_string()])
        .stdout(Stdio::null())
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
    fn reads_perf_csv() {
        let text = "\n123456789,,instructions:u,1000000,100.00,,\n";
        assert_eq!(perf_total(text).unwrap(), 123_456_789);
        assert!(perf_total("<not counted>,,instructions:u,0,0.00,,\n").is_err());
    }
}
