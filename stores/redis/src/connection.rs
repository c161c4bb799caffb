//! [`Connection`]: the one command path of the store, over a single server, a Redis Cluster, or
//! the master that Sentinel names.

use std::collections::HashMap;

use redis::aio::{ConnectionLike, ConnectionManager};
use redis::cluster_routing::{
    MultipleNodeRoutingInfo, Route, RoutingInfo, SingleNodeRoutingInfo, Slot, SlotAddr,
};
use redis::{Cmd, FromRedisValue, Pipeline, RedisFuture, RedisResult, Value};

use crate::cluster_connection::ClusterHandle;
use crate::sentinel::SentinelConnection;

/// A shared connection: a single server's self-reconnecting multiplexed connection, or a
/// cluster connection that routes each command by its key's slot and follows `MOVED` and `ASK`,
/// or a connection to the master that the sentinels name, found again after a failover. Cheap to
/// clone; clones share the connection.
#[derive(Clone)]
pub(crate) enum Connection {
    Single(ConnectionManager),
    Cluster(ClusterHandle),
    Sentinel(SentinelConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Single(connection) => connection.req_packed_command(cmd),
            Self::Cluster(connection) => connection.req_packed_command(cmd),
            Self::Sentinel(connection) => connection.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Single(connection) => connection.req_packed_commands(pipeline, offset, count),
            Self::Cluster(connection) => connection.req_packed_commands(pipeline, offset, count),
            Self::Sentinel(connection) => connection.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Single(connection) => connection.get_db(),
            Self::Cluster(connection) => connection.get_db(),
            Self::Sentinel(connection) => connection.get_db(),
        }
    }
}

/// A server that `SCAN` walks: the connection's own server, or one master of a cluster.
#[derive(Clone, Debug)]
pub(crate) enum ScanNode {
    Only,
    Master { host: String, port: u16 },
}

impl Connection {
    /// The servers that hold the keys: the one server (or Sentinel's master), or every master
    /// of the cluster (a `SCAN`
    /// cursor belongs to one node, so a cluster is walked node by node).
    pub(crate) async fn scan_nodes(&mut self) -> RedisResult<Vec<ScanNode>> {
        let Self::Cluster(connection) = self else {
            return Ok(vec![ScanNode::Only]);
        };
        let masters = RoutingInfo::MultiNode((MultipleNodeRoutingInfo::AllMasters, None));
        let answers = connection
            .route_command(redis::cmd("PING"), masters)
            .await?;
        let Value::Map(answers) = answers else {
            return Err(unexpected("PING on every master did not answer per node"));
        };
        answers
            .into_iter()
            .map(|(address, _)| {
                let address: String = redis::from_redis_value(address)?;
                match address
                    .rsplit_once(':')
                    .map(|(host, port)| (host, port.parse()))
                {
                    Some((host, Ok(port))) => Ok(ScanNode::Master {
                        host: host.to_owned(),
                        port,
                    }),
                    _ => Err(unexpected("a master's address has no port")),
                }
            })
            .collect()
    }

    /// `cmd`'s answer from `node`.
    pub(crate) async fn query_on<T: FromRedisValue>(
        &mut self,
        cmd: Cmd,
        node: &ScanNode,
    ) -> RedisResult<T> {
        match (self, node) {
            (Self::Cluster(connection), ScanNode::Master { host, port }) => {
                let routing = RoutingInfo::SingleNode(SingleNodeRoutingInfo::ByAddress {
                    host: host.clone(),
                    port: *port,
                });
                Ok(redis::from_redis_value(
                    connection.route_command(cmd, routing).await?,
                )?)
            }
            (connection, _) => cmd.query_async(connection).await,
        }
    }

    /// `WAIT replicas timeout_ms` on the master that holds `key` (the one server, Sentinel's
    /// master, or the key's master in a cluster): how many replicas have every write sent to
    /// that master on this connection.
    pub(crate) async fn wait_for_replicas(
        &mut self,
        key: &str,
        replicas: u32,
        timeout_ms: u64,
    ) -> RedisResult<i64> {
        let mut wait = redis::cmd("WAIT");
        wait.arg(replicas).arg(timeout_ms);
        match self {
            Self::Cluster(connection) => {
                let route = Route::with_key(key, SlotAddr::Master);
                let routing = RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(route));
                Ok(redis::from_redis_value(
                    connection.route_command(wait, routing).await?,
                )?)
            }
            connection => wait.query_async(connection).await,
        }
    }

    /// `keys` in groups one pipeline can carry: all of them on one server (a single server, or
    /// Sentinel's master); those that share a hash slot on a cluster, where a pipeline goes to
    /// one slot's node.
    pub(crate) fn batches(&self, keys: Vec<String>) -> Vec<Vec<String>> {
        if !matches!(self, Self::Cluster(_)) {
            return vec![keys];
        }
        let mut by_slot: HashMap<Slot, Vec<String>> = HashMap::new();
        for key in keys {
            by_slot.entry(Slot::for_key(&key)).or_default().push(key);
        }
        by_slot.into_values().collect()
    }
}

fn unexpected(what: &'static str) -> redis::RedisError {
    redis::RedisError::from((redis::ErrorKind::UnexpectedReturnType, what))
}
