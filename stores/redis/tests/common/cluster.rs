//! Redis Cluster helpers: a URL's first seed node, and which master serves a key.

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
