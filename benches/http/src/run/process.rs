//! Starting a server process (pinned to a core, optionally under an instruction counter), waiting
//! until it listens, reading its resident memory, and stopping it.

use std::io::{BufRead as _, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::serve::{BoxError, LISTENING};
use crate::target::{Server, arg};

/// A running `bench-http serve`, killed when dropped.
#[derive(Debug)]
pub(crate) struct ServerProcess {
    child: Child,
    pub(crate) address: SocketAddr,
}

/// How the server process is started.
#[derive(Clone, Debug, Default)]
pub(crate) struct Launch {
    /// Run on this CPU only (`taskset -c`).
    pub(crate) cpu: Option<usize>,
    /// Run under this command (for example valgrind with its options).
    pub(crate) wrapper: Vec<String>,
    /// How long to wait for the server to listen.
    pub(crate) startup: Duration,
}

/// Where the shared stores' servers are: a server process is told both, and uses the one its
/// library needs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StoreUrls<'a> {
    pub(crate) redis: &'a str,
    pub(crate) postgres: &'a str,
}

impl ServerProcess {
    pub(crate) fn start(
        exe: &Path,
        server: Server,
        stores: StoreUrls<'_>,
        launch: &Launch,
    ) -> Result<Self, BoxError> {
        let port = free_port()?;
        let mut command = pinned(launch.cpu);
        command.args(&launch.wrapper);
        command
            .arg(exe)
            .args(["serve", "--framework"])
            .arg(arg(server.framework))
            .arg("--library")
            .arg(arg(server.library))
            .args(["--port", &port.to_string(), "--redis-url", stores.redis])
            .args(["--postgres-url", stores.postgres])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command.spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or("the server's stdout is not piped")?;
        let (sender, receiver) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line.starts_with(LISTENING) {
                    let _ = sender.send(());
                }
            }
        });
        let mut process = Self {
            child,
            address: SocketAddr::from(([127, 0, 0, 1], port)),
        };
        if receiver.recv_timeout(launch.startup).is_err() {
            let status = process.child.try_wait()?;
            process.stop();
            return Err(
                format!("{server} did not start listening (exit status {status:?})").into(),
            );
        }
        Ok(process)
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's resident set size in bytes (Linux `/proc`).
    pub(crate) fn resident_bytes(&self) -> Result<u64, BoxError> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        let kib = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| {
                value
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .ok_or("no VmRSS in /proc/PID/status")?;
        Ok(kib * 1024)
    }

    pub(crate) fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A command that starts pinned to `cpu` (or unpinned).
pub(crate) fn pinned(cpu: Option<usize>) -> Command {
    match cpu {
        Some(cpu) => {
            let mut command = Command::new("taskset");
            command.args(["-c", &cpu.to_string()]);
            command
        }
        None => Command::new("env"),
    }
}

fn free_port() -> Result<u16, BoxError> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
