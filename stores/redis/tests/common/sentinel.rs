//! Redis behind Sentinel of its own, for the tests that fail its master over, so the shared
//! setup of the other tests (`scripts/test`'s, on 6400-6401 and 26400-26402) is never disturbed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;

use tokio::process::{Child, Command};

use super::cluster::{cli, wait_for};

/// The name the sentinels watch the master under.
pub const MASTER_NAME: &str = "private";

/// A master on `base`, its replicas on the next ports, and three sentinels on
/// `sentinel_base..+3`, each a `redis-server` process killed on drop; nothing on disk but the
/// sentinels' configuration files and the replicas' copies of the data, in a directory removed
/// on drop.
pub struct PrivateSentinel {
    processes: BTreeMap<u16, Child>,
    dir: PathBuf,
    base: u16,
    replicas: u16,
    sentinel_base: u16,
}

impl PrivateSentinel {
    pub async fn start(base: u16, replicas: u16, sentinel_base: u16) -> Self {
        let dir = std::env::temp_dir().join(super::unique_prefix("sentinel").replace(':', "-"));
        std::fs::create_dir_all(&dir).expect("a directory for the sentinels");
        let mut processes = BTreeMap::new();
        let servers = (base..=base + replicas).map(|port| (port, (port != base).then_some(base)));
        for (port, replica_of) in servers {
            let mut server = Command::new("redis-server");
            server
                .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
                .args(["--save", "", "--appendonly", "no"])
                // A replica writes the copy it receives to disk: keep it in the directory.
                .arg("--dir")
                .arg(&dir);
            if let Some(master) = replica_of {
                server.args(["--replicaof", "127.0.0.1", &master.to_string()]);
            }
            processes.insert(port, spawn(&mut server));
        }
        for port in base..=base + replicas {
            wait_for(|| async { cli(port, &["ping"]).await == "PONG" }).await;
        }
        for port in sentinel_base..sentinel_base + 3 {
            let conf = dir.join(format!("sentinel-{port}.conf"));
            std::fs::write(
                &conf,
                format!(
                    "port {port}\nbind 127.0.0.1\ndir {dir}\n\
                     sentinel monitor {MASTER_NAME} 127.0.0.1 {base} 2\n\
                     sentinel down-after-milliseconds {MASTER_NAME} 1000\n\
                     sentinel failover-timeout {MASTER_NAME} 5000\n",
                    dir = dir.display()
                ),
            )
            .expect("a sentinel's configuration file");
            let mut sentinel = Command::new("redis-server");
            sentinel.arg(&conf).arg("--sentinel");
            processes.insert(port, spawn(&mut sentinel));
        }
        let setup = Self {
            processes,
            dir,
            base,
            replicas,
            sentinel_base,
        };
        // Every sentinel knows the replicas and the two other sentinels, and the replicas are in
        // sync, before a test fails the master over.
        for port in sentinel_base..sentinel_base + 3 {
            wait_for(|| async {
                let master = cli(port, &["sentinel", "master", MASTER_NAME]).await;
                field(&master, "num-slaves") == Some(replicas.to_string().as_str())
                    && field(&master, "num-other-sentinels") == Some("2")
            })
            .await;
        }
        for port in base + 1..=base + replicas {
            wait_for(|| async { cli(port, &["role"]).await.contains("connected") }).await;
        }
        setup
    }

    /// Its `redis-sentinel://` URL.
    pub fn url(&self) -> String {
        let sentinels: Vec<String> = (self.sentinel_base..self.sentinel_base + 3)
            .map(|port| format!("127.0.0.1:{port}"))
            .collect();
        format!("redis-sentinel://{}/{MASTER_NAME}", sentinels.join(","))
    }

    /// The port of the master the sentinels name now.
    pub async fn master_port(&self) -> u16 {
        let address = cli(
            self.sentinel_base,
            &["sentinel", "get-master-addr-by-name", MASTER_NAME],
        )
        .await;
        address
            .lines()
            .nth(1)
            .and_then(|port| port.trim().parse().ok())
            .expect("the sentinels name a master")
    }

    /// The port of the first master.
    pub fn first_master(&self) -> u16 {
        self.base
    }

    /// The number of replicas it started with.
    pub fn replicas(&self) -> u16 {
        self.replicas
    }

    /// Asks a sentinel to fail the master over to its replica (`SENTINEL FAILOVER`).
    pub async fn fail_over(&self) {
        let answer = cli(self.sentinel_base, &["sentinel", "failover", MASTER_NAME]).await;
        assert_eq!(answer, "OK", "SENTINEL FAILOVER was refused");
    }

    /// Kills the process of the server on `port` (no shutdown: a crash).
    pub async fn kill(&mut self, port: u16) {
        let mut child = self.processes.remove(&port).expect("a running server");
        child.kill().await.expect("the server is killed");
    }
}

impl Drop for PrivateSentinel {
    fn drop(&mut self) {
        for child in self.processes.values_mut() {
            let _ = child.start_kill();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn spawn(command: &mut Command) -> Child {
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("redis-server is installed (.ci/run installs it)")
}

/// The value after `name` in `redis-cli`'s line-per-item answer to `SENTINEL MASTER`.
fn field<'a>(answer: &'a str, name: &str) -> Option<&'a str> {
    let mut lines = answer.lines().map(str::trim);
    lines.find(|line| *line == name)?;
    lines.next()
}
