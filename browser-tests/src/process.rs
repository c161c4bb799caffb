//! Child processes the tests start and always stop: `chromedriver` and the example apps.

use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::BrowserTestError;

/// How long a started program may take to print its ready line. A generous deadline for a
/// program that hangs or never starts, not a measurement: on a busy two-core machine a cold
/// Chromium takes seconds.
const READY_DEADLINE: Duration = Duration::from_secs(60);

/// A child process, and every process it started, killed when this value is dropped, so a
/// failing test leaves no server or browser behind.
///
/// The child leads a process group of its own, and the whole group is killed: Chromium's
/// processes outlive a killed `chromedriver` otherwise.
#[derive(Debug)]
pub struct Running {
    child: Child,
    port: u16,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill_group();
    }
}

impl Running {
    /// Kills the program and everything it started (its process group).
    fn kill_group(&self) {
        if let Some(group) = self.child.id() {
            // `kill` the program rather than a libc call: this crate forbids `unsafe`. The group
            // may already be gone, so the outcome is not checked.
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{group}")])
                .stderr(Stdio::null())
                .status();
        }
    }

    /// The loopback port the program listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Starts `command` (which must take its port from the caller) and waits until one of its
    /// stdout lines contains `ready_line`.
    pub(crate) async fn start(
        mut command: Command,
        program: &str,
        hint: &'static str,
        port: u16,
        ready_line: &str,
    ) -> Result<Self, BrowserTestError> {
        command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(|source| BrowserTestError::Spawn {
            program: program.to_owned(),
            hint,
            source,
        })?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| BrowserTestError::NotReady {
                program: program.to_owned(),
                reason: "its stdout was not captured".to_owned(),
            })?;
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(READY_DEADLINE, async {
            while let Some(line) = lines.next_line().await? {
                if line.contains(ready_line) {
                    return Ok(true);
                }
            }
            Ok::<_, std::io::Error>(false)
        })
        .await;
        let reason = match ready {
            Ok(Ok(true)) => None,
            Ok(Ok(false)) => Some("it exited before saying it was ready".to_owned()),
            Ok(Err(error)) => Some(format!("its stdout failed: {error}")),
            Err(_) => Some(format!("no ready line within {READY_DEADLINE:?}")),
        };
        if let Some(reason) = reason {
            return Err(BrowserTestError::NotReady {
                program: program.to_owned(),
                reason,
            });
        }
        // Keep draining stdout so the program never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self { child, port })
    }
}

/// The environment variable naming the `chromedriver` binary (default: `chromedriver` on `PATH`).
pub const CHROMEDRIVER_VARIABLE: &str = "FASTSESSION_CHROMEDRIVER";

/// A port on 127.0.0.1 that was free a moment ago.
pub(crate) fn free_port() -> Result<u16, BrowserTestError> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// A running `chromedriver` and the directory that holds its browsers' profiles.
///
/// Dropping it kills the driver and its browsers, then deletes their profiles.
#[derive(Debug)]
pub struct Chromedriver {
    process: Running,
    profiles: TempDir,
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        self.process.kill_group();
        // A killed browser may still be writing for a moment: retry the deletion a little while
        // rather than leave a profile behind (the `TempDir` makes a last attempt after this).
        for _ in 0..50 {
            if std::fs::remove_dir_all(self.profiles.path()).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Chromedriver {
    /// The loopback port `chromedriver` listens on.
    pub fn port(&self) -> u16 {
        self.process.port()
    }

    /// A new, empty directory for one browser's `--user-data-dir`.
    pub(crate) fn new_profile(&self) -> Result<PathBuf, BrowserTestError> {
        Ok(tempfile::tempdir_in(self.profiles.path())?.keep())
    }
}

/// Starts `chromedriver` on a free loopback port, accepting connections from 127.0.0.1 only.
pub async fn start_chromedriver() -> Result<Chromedriver, BrowserTestError> {
    let program =
        std::env::var(CHROMEDRIVER_VARIABLE).unwrap_or_else(|_| "chromedriver".to_owned());
    let port = free_port()?;
    let mut command = Command::new(&program);
    command
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1");
    let hint = "the browser tests need Debian's chromium and chromium-driver packages, which \
                .ci/run installs; or set FASTSESSION_CHROMEDRIVER to the chromedriver binary";
    let profiles = tempfile::Builder::new()
        .prefix("fastsession-chromium-")
        .tempdir()?;
    let process = Running::start(command, &program, hint, port, "started successfully").await?;
    Ok(Chromedriver { process, profiles })
}

/// Starts an example app (the binary at `binary`) on a free loopback port, with `environment`
/// added to its environment (`FASTSESSION_SECURE`, `FASTSESSION_MAX_AGE`, ...).
pub async fn start_example(
    binary: &str,
    environment: &[(&str, &str)],
) -> Result<Running, BrowserTestError> {
    let port = free_port()?;
    let mut command = Command::new(binary);
    command
        .env("PORT", port.to_string())
        .envs(environment.iter().copied());
    let hint = "the example app is built by cargo with the test that starts it";
    Running::start(command, binary, hint, port, "listening on").await
}
