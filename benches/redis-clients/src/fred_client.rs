//! fred: the store's read and write, and its clients (one client, or a pool) on each topology.

use std::collections::HashMap;

use fred::bytes_utils::Str;
use fred::prelude::{
    Builder, ClientLike, Config, Error, HashesInterface, LuaInterface, ReconnectPolicy, Server,
    ServerConfig, Value,
};

use crate::workload::{CALL_TIMEOUT, OpError, TTL_MS, WRITE_LUA};

/// The reconnect policy every fred client here runs with: retry forever, waits doubling from
/// 10 ms to at most 500 ms (plus fred's default jitter of up to 50 ms), as redis-rs's cluster
/// retries in the store.
fn reconnect_policy() -> ReconnectPolicy {
    ReconnectPolicy::new_exponential(0, 10, 500, 2)
}

/// Where a fred client connects.
#[derive(Clone, Debug)]
pub(crate) enum Topology {
    /// One server, `host:port`.
    Single(String),
    /// A cluster's seed nodes, `host:port` each.
    Cluster(Vec<String>),
    /// Sentinels (`host:port` each) and the master's name.
    Sentinel(Vec<String>, String),
}

/// A fred server from `host:port`.
fn server(node: &str) -> Server {
    let (host, port) = node.rsplit_once(':').expect("host:port");
    Server::new(host, port.parse().expect("a port"))
}

/// The builder for `topology`: the reconnect policy above; connection timeout, internal commands'
/// timeout and every command's timeout 500 ms; fred's defaults otherwise (RESP2, a command retried
/// up to 3 times when its connection closes, up to 5 redirections, cluster discovery from the
/// configured nodes).
fn builder(topology: &Topology) -> Builder {
    let server = match topology {
        Topology::Single(node) => ServerConfig::Centralized {
            server: server(node),
        },
        Topology::Cluster(nodes) => ServerConfig::Clustered {
            hosts: nodes.iter().map(|node| server(node)).collect(),
            policy: Default::default(),
        },
        Topology::Sentinel(nodes, service) => ServerConfig::Sentinel {
            hosts: nodes.iter().map(|node| server(node)).collect(),
            service_name: service.clone(),
        },
    };
    let mut builder = Builder::from_config(Config {
        server,
        ..Config::default()
    });
    builder
        .set_policy(reconnect_policy())
        .with_connection_config(|connection| {
            connection.connection_timeout = CALL_TIMEOUT;
            connection.internal_command_timeout = CALL_TIMEOUT;
        })
        .with_performance_config(|performance| {
            performance.default_command_timeout = CALL_TIMEOUT;
        });
    builder
}

/// A fred client or pool with the write script's SHA-1 at hand.
#[derive(Clone, Debug)]
pub(crate) struct Fred<C> {
    client: C,
    sha: Str,
}

/// One fred client: one connection per server, shared by every task.
pub(crate) type FredClient = Fred<fred::prelude::Client>;

/// A fred pool: commands go round-robin to its clients.
pub(crate) type FredPool = Fred<fred::prelude::Pool>;

impl FredClient {
    /// One client on `topology`, connected.
    pub(crate) async fn connect(topology: &Topology) -> Result<Self, Error> {
        let client = builder(topology).build()?;
        client.init().await?;
        Ok(Self {
            client,
            sha: Str::from(write_sha()),
        })
    }
}

impl FredPool {
    /// A pool of `size` clients on `topology`, connected.
    pub(crate) async fn connect(topology: &Topology, size: usize) -> Result<Self, Error> {
        let pool = builder(topology).build_pool(size)?;
        pool.init().await?;
        Ok(Self {
            client: pool,
            sha: Str::from(write_sha()),
        })
    }
}

/// The write script's SHA-1, as redis-rs computes it.
fn write_sha() -> String {
    redis::Script::new(WRITE_LUA).get_hash().to_owned()
}

/// The write's arguments at `now`.
fn write_args(now: u64) -> Vec<Value> {
    let int = |n: u64| Value::Integer(i64::try_from(n).unwrap_or(i64::MAX));
    vec![
        int(now),
        int(now),
        int(now + TTL_MS),
        int(TTL_MS),
        Value::from_static_str("d:counter"),
        Value::from_static_str("18"),
    ]
}

impl<C: HashesInterface + LuaInterface + Sync> Fred<C> {
    /// The read: `HGETALL` into a `HashMap<String, String>`.
    pub(crate) async fn read(&self, key: &str) -> Result<HashMap<String, String>, OpError> {
        self.client
            .hgetall(key)
            .await
            .map_err(|error| error.to_string())
    }

    /// The write: `EVALSHA`, and `EVAL` on `NOSCRIPT`.
    pub(crate) async fn write(&self, key: &str, now: u64) -> Result<i64, OpError> {
        match self
            .client
            .evalsha(self.sha.clone(), key, write_args(now))
            .await
        {
            Err(error) if error.details().starts_with("NOSCRIPT") => self
                .client
                .eval(WRITE_LUA, key, write_args(now))
                .await
                .map_err(|error| error.to_string()),
            answer => answer.map_err(|error| error.to_string()),
        }
    }
}
