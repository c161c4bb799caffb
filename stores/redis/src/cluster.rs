//! Redis Cluster: reading a `redis-cluster://` URL's seed nodes, and the cluster connection.

use std::time::Duration;

use redis::RedisError;
use redis::cluster::{ClusterClient, ClusterConfig};

use crate::cluster_connection::ClusterHandle;

/// The scheme of a cluster's seed nodes.
pub(crate) const CLUSTER_SCHEME: &str = "redis-cluster://";

/// Why a cluster URL was refused: its shape, or redis-rs's reading of a node.
#[derive(Debug)]
pub(crate) enum ClusterUrlError {
    Shape(&'static str),
    Redis(RedisError),
}

/// `redis-cluster://[[USER]:PASSWORD@]HOST:PORT[,HOST:PORT…][/0]` as one `redis://` URL per seed
/// node, each with the userinfo.
pub(crate) fn seed_nodes(url: &str) -> Result<Vec<String>, ClusterUrlError> {
    let rest = &url[CLUSTER_SCHEME.len()..];
    let (userinfo, hosts_and_path) = match rest.rfind('@') {
        Some(at) => (&rest[..=at], &rest[at + 1..]),
        None => ("", rest),
    };
    let (hosts, tail) = hosts_and_path
        .find(['/', '?', '#'])
        .map_or((hosts_and_path, ""), |at| hosts_and_path.split_at(at));
    if !matches!(tail, "" | "/" | "/0") {
        return Err(ClusterUrlError::Shape(
            "a cluster URL takes no query and no database but 0",
        ));
    }
    let nodes = host_ports(hosts).ok_or(ClusterUrlError::Shape(
        "every seed node needs a host and a port, separated by commas",
    ))?;
    Ok(nodes
        .into_iter()
        .map(|node| format!("redis://{userinfo}{node}"))
        .collect())
}

/// `HOST:PORT[,HOST:PORT…]` as its nodes, or none if one lacks a host or a port (as in
/// `redis-cluster://` seed nodes and `redis-sentinel://` sentinels).
pub(crate) fn host_ports(hosts: &str) -> Option<Vec<&str>> {
    hosts
        .split(',')
        .map(|node| match node.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0) => {
                Some(node)
            }
            _ => None,
        })
        .collect()
}

/// A cluster connection from the seed nodes of `url`, connecting in the background: the store
/// connects on first use, as on a single server. Commands are routed by their key's slot, and
/// `MOVED` and `ASK` redirections followed, within `timeout` per call; a connection that
/// stalls is replaced ([`ClusterHandle`]).
pub(crate) fn connect(url: &str, timeout: Duration) -> Result<ClusterHandle, ClusterUrlError> {
    let client = ClusterClient::builder(seed_nodes(url)?)
        .connection_timeout(timeout)
        .response_timeout(timeout)
        // A redirection uses up a retry; the waits between them stay well inside the timeout.
        .retries(8)
        .min_retry_wait(10)
        .max_retry_wait(500)
        .build()
        .map_err(ClusterUrlError::Redis)?;
    let config = ClusterConfig::new()
        .set_connection_timeout(timeout)
        .set_response_timeout(timeout);
    Ok(ClusterHandle::new(client, config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_nodes_carry_the_userinfo() {
        let nodes = seed_nodes("redis-cluster://:pw@127.0.0.1:7000,127.0.0.1:7001/0").unwrap();
        assert_eq!(
            nodes,
            ["redis://:pw@127.0.0.1:7000", "redis://:pw@127.0.0.1:7001"]
        );
        assert_eq!(
            seed_nodes("redis-cluster://redis.internal:6379").unwrap(),
            ["redis://redis.internal:6379"]
        );
    }

    #[test]
    fn malformed_cluster_urls_are_refused() {
        for url in [
            "redis-cluster://",
            "redis-cluster://host",
            "redis-cluster://host:7000,",
            "redis-cluster://host:port",
            "redis-cluster://host:7000/1",
            "redis-cluster://host:7000?db=1",
            "redis-cluster://:7000",
        ] {
            assert!(
                matches!(seed_nodes(url), Err(ClusterUrlError::Shape(_))),
                "{url}"
            );
        }
    }
}
