//! Redis Cluster helpers: a URL's first seed node, which master serves a key, and a private
//! cluster for the tests that change one.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

/// The first seed node of a `redis-cluster://` URL, as a `redis://` URL.
pub fn first_seed(url: &str) -> String {
    url.trim_start_matches("redis-cluster://")
        .split(',')
        .next()
        .map(|node| format!("redis://{node}"))
        .expect("a seed node")
}

/// The port of the master that serves `key`, as the cluster itself says (`CLUSTER KEYSLOT`,
/// `CLUSTER SLOTS`, asked of the first seed node).
pub async fn master_of(url: &str, key: &str) -> u16 {
    let mut connection = redis::Client::open(first_seed(url))
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let slot: u16 = redis::cmd("CLUSTER")
        .arg("KEYSLOT")
        .arg(key)
        .query_async(&mut connection)
        .await
        .unwrap();
    let ranges: Vec<(u16, u16, (String, u16))> = {
        let slots: Vec<redis::Value> = redis::cmd("CLUSTER")
            .arg("SLOTS")
            .query_async(&mut connection)
            .await
            .unwrap();
        slots
            .into_iter()
            .map(|range| {
                let redis::Value::Array(fields) = range else {
                    panic!("a slot range is an array")
                };
                let start: u16 = redis::from_redis_value(fields[0].clone()).unwrap();
                let end: u16 = redis::from_redis_value(fields[1].clone()).unwrap();
                let redis::Value::Array(master) = fields[2].clone() else {
                    panic!("a master is an array")
                };
                let host: String = redis::from_redis_value(master[0].clone()).unwrap();
                let port: u16 = redis::from_redis_value(master[1].clone()).unwrap();
                (start, end, (host, port))
            })
            .collect()
    };
    ranges
        .into_iter()
        .find(|(start, end, _)| (*start..=*end).contains(&slot))
        .map(|(_, _, (_, port))| port)
        .expect("every slot is served")
}

/// The nodes of a [`PrivateCluster`].
const NODES: u16 = 6;

/// A cluster of its own for a test that changes it (kills a node, moves a slot), so the shared
/// cluster of the other tests is never disturbed: six `redis-server` processes in cluster mode
/// (three masters, one replica each) on `base..base + 6`, each killed on drop, and their
/// directory.
pub struct PrivateCluster {
    nodes: BTreeMap<u16, Child>,
    dir: PathBuf,
    base: u16,
}

impl PrivateCluster {
    pub async fn start(base: u16) -> Self {
        let dir = std::env::temp_dir().join(super::unique_prefix("cluster").replace(':', "-"));
        let mut nodes = BTreeMap::new();
        for port in base..base + NODES {
            let node_dir = dir.join(port.to_string());
            std::fs::create_dir_all(&node_dir).expect("a node directory");
            let child = Command::new("redis-server")
                .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
                .arg("--dir")
                .arg(&node_dir)
                .args(["--cluster-enabled", "yes", "--cluster-node-timeout", "1000"])
                .args(["--save", "", "--appendonly", "no"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .expect("redis-server is installed (.ci/run installs it)");
            nodes.insert(port, child);
        }
        let cluster = Self { nodes, dir, base };
        for port in cluster.nodes.keys() {
            wait_for(|| async { cli(*port, &["ping"]).await == "PONG" }).await;
        }
        let addresses: Vec<String> = cluster
            .nodes
            .keys()
            .map(|port| format!("127.0.0.1:{port}"))
            .collect();
        let mut create = vec!["--cluster", "create"];
        create.extend(addresses.iter().map(String::as_str));
        create.extend(["--cluster-replicas", "1", "--cluster-yes"]);
        cli(base, &create).await;
        for port in cluster.nodes.keys() {
            wait_for(|| async {
                cli(*port, &["cluster", "info"])
                    .await
                    .contains("cluster_state:ok")
            })
            .await;
        }
        // Every master has its replica attached and in sync before the load starts.
        for port in cluster.nodes.keys() {
            wait_for(|| async {
                let role = cli(*port, &["role"]).await;
                !role.starts_with("slave") || role.contains("connected")
            })
            .await;
        }
        cluster
    }

    /// Its three first nodes as seeds.
    pub fn url(&self) -> String {
        let seeds: Vec<String> = (self.base..self.base + 3)
            .map(|port| format!("127.0.0.1:{port}"))
            .collect();
        format!("redis-cluster://{}", seeds.join(","))
    }

    /// Kills the process of the node on `port` (no shutdown: a crash).
    pub async fn kill(&mut self, port: u16) {
        let mut child = self.nodes.remove(&port).expect("a running node");
        child.kill().await.expect("the node is killed");
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        for child in self.nodes.values_mut() {
            let _ = child.start_kill();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `redis-cli -p PORT ARGS…`'s output.
pub async fn cli(port: u16, args: &[&str]) -> String {
    let output = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .output()
        .await
        .expect("redis-cli is installed with redis-server");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Polls `ready` until it holds; a deadline only stops a hung run.
pub async fn wait_for<F, Fut>(ready: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ready().await {
        assert!(Instant::now() < deadline, "the cluster did not get ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
