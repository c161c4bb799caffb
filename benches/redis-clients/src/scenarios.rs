//! The scenarios: which clients, connected how, on which keys, for each command of the program.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::failover::{Contender, Plan, Probes};
use crate::fred_client::{FredClient, FredPool, Topology};
use crate::rs_client::{self, ClusterVariant, SentinelManager};
use crate::rs_watchdog::RebuildingCluster;
use crate::sentinel_watch::{Watch, master_port};
use crate::throughput::Candidate;
use crate::workload::{Client, session_keys};
use crate::{ClientKind, TopologyKind, failover, throughput};

/// The slot whose master the cluster runs kill: the middle one.
const VICTIM_SLOT: u16 = 8192;

/// Keys read per master in the cluster runs.
const KEYS_PER_MASTER: usize = 20;

/// Keys read (and written) in the Sentinel runs.
const SENTINEL_KEYS: usize = 60;

/// The throughput of redis-rs, one fred client and fred pools of `fred_pools` sizes on
/// `topology`, after seeding 256 sessions.
pub(crate) async fn throughput(
    topology: TopologyKind,
    nodes: &[String],
    service: &str,
    fred_pools: &[usize],
    plan: throughput::Plan,
) {
    let keys = session_keys(256, 1);
    let (rs, fred_topology, name) = match topology {
        TopologyKind::Single => (
            Client::RsManager(
                rs_client::manager(&format!("redis://{}", nodes[0]))
                    .await
                    .expect("redis-rs connects"),
            ),
            Topology::Single(nodes[0].clone()),
            "single",
        ),
        TopologyKind::Cluster => (
            Client::RsCluster(
                rs_client::cluster(nodes, ClusterVariant::Store).expect("a cluster client"),
            ),
            Topology::Cluster(nodes.to_vec()),
            "cluster",
        ),
        TopologyKind::Sentinel => (
            Client::RsManager(
                rs_client::sentinel_once(nodes, service)
                    .await
                    .expect("redis-rs finds the master"),
            ),
            Topology::Sentinel(nodes.to_vec(), service.to_owned()),
            "sentinel",
        ),
    };
    seed(&rs, &keys).await;
    let mut candidates = vec![
        Candidate {
            name: "redis-rs".to_owned(),
            client: rs,
        },
        Candidate {
            name: "fred".to_owned(),
            client: Client::Fred(
                FredClient::connect(&fred_topology)
                    .await
                    .expect("fred connects"),
            ),
        },
    ];
    for &size in fred_pools {
        candidates.push(Candidate {
            name: format!("fred pool of {size}"),
            client: Client::FredPool(
                FredPool::connect(&fred_topology, size)
                    .await
                    .expect("fred's pool connects"),
            ),
        });
    }
    throughput::run(name, &candidates, &keys, plan).await;
}

/// Seeds `keys` through a redis-rs client.
async fn seed(client: &Client, keys: &[String]) {
    let outcome = match client {
        Client::RsManager(connection) => rs_client::seed(&mut connection.clone(), keys).await,
        Client::RsCluster(connection) => rs_client::seed(&mut connection.clone(), keys).await,
        other => panic!("seeding goes through redis-rs, not {other:?}"),
    };
    outcome.expect("the sessions are seeded");
}

/// Seeds `keys` through a redis-rs client, then waits (`WAIT 1 400` on the connection that
/// wrote, on every master, within the client's 500 ms timeout, until it answers 1 or 10 s have
/// passed) until a replica of each master has them: a replica promoted before it had them would
/// lose them, and the runs would measure that instead of the clients.
async fn seed_replicated(client: &Client, keys: &[String]) {
    seed(client, keys).await;
    let wait = redis::cmd("WAIT").arg(1).arg(400).clone();
    for _ in 0..25 {
        let replicas: redis::RedisResult<i64> = match client {
            Client::RsManager(connection) => wait.query_async(&mut connection.clone()).await,
            Client::RsCluster(connection) => wait.query_async(&mut connection.clone()).await,
            other => panic!("seeding goes through redis-rs, not {other:?}"),
        };
        if replicas.is_ok_and(|replicas| replicas >= 1) {
            return;
        }
    }
    panic!("no replica acknowledged the seed in 10 s");
}

/// `client` on the one server `node`, with `keys` seeded.
pub(crate) async fn connect_single(client: ClientKind, node: &str, keys: &[String]) -> Client {
    let rs = Client::RsManager(
        rs_client::manager(&format!("redis://{node}"))
            .await
            .expect("redis-rs connects"),
    );
    seed(&rs, keys).await;
    match client {
        ClientKind::RedisRs => rs,
        ClientKind::Fred => Client::Fred(
            FredClient::connect(&Topology::Single(node.to_owned()))
                .await
                .expect("fred connects"),
        ),
    }
}

/// Reads every key once with every contender, so that all have connected before the run.
async fn warm(contenders: &[Contender], keys: &[String]) {
    for contender in contenders {
        for key in keys {
            if let Err(error) = contender.client.checked_read(key).await {
                panic!("{} cannot read before the run: {error}", contender.name);
            }
        }
    }
}

/// One cluster run: `redis_rs` configurations and one fred client read 20 keys of each master
/// while the master of [`VICTIM_SLOT`] is killed.
pub(crate) async fn cluster_failover(
    nodes: &[String],
    pid_dir: &Path,
    run: &str,
    record: &Path,
    redis_rs: &[ClusterVariant],
    max_secs: f64,
) {
    let first = nodes[0].clone();
    let ranges = tokio::task::spawn_blocking(move || rs_client::cluster_slot_masters(&first))
        .await
        .expect("no panic")
        .expect("CLUSTER SLOTS answers");
    let master_of = |slot: u16| {
        ranges
            .iter()
            .find(|(start, end, _)| (*start..=*end).contains(&slot))
            .map(|range| range.2)
            .expect("every slot is served")
    };
    let victim = master_of(VICTIM_SLOT);
    let mut per_master: BTreeMap<u16, usize> = BTreeMap::new();
    let (mut keys, mut groups) = (Vec::new(), Vec::new());
    for key in session_keys(10_000, 7) {
        let master = master_of(fred::util::redis_keyslot(key.as_bytes()));
        let taken = per_master.entry(master).or_default();
        if *taken < KEYS_PER_MASTER {
            *taken += 1;
            groups.push(usize::from(master != victim));
            keys.push(key);
        }
    }
    let seeder = Client::RsCluster(
        rs_client::cluster(nodes, ClusterVariant::Store).expect("a cluster client"),
    );
    seed_replicated(&seeder, &keys).await;
    let mut contenders: Vec<Contender> = redis_rs
        .iter()
        .map(|&variant| Contender {
            name: format!("redis-rs ({variant:?})"),
            client: if variant == ClusterVariant::RebuildOnStall {
                Client::RsRebuilding(RebuildingCluster::new(nodes).expect("a client"))
            } else {
                Client::RsCluster(rs_client::cluster(nodes, variant).expect("a client"))
            },
        })
        .collect();
    contenders.push(Contender {
        name: "fred".to_owned(),
        client: Client::Fred(
            FredClient::connect(&Topology::Cluster(nodes.to_vec()))
                .await
                .expect("fred connects"),
        ),
    });
    warm(&contenders, &keys).await;
    let pid = std::fs::read_to_string(pid_dir.join(format!("{victim}.pid")))
        .expect("the victim's pid file")
        .trim()
        .to_owned();
    eprintln!("run {run}: killing the master on port {victim} (pid {pid})");
    let survivor = nodes
        .iter()
        .find(|node| !node.ends_with(&format!(":{victim}")))
        .expect("a surviving node")
        .clone();
    failover::run(
        run,
        contenders,
        Probes {
            keys,
            groups,
            group_names: ["killed master's", "other masters'"],
        },
        plan(max_secs, false),
        move || {
            let status = std::process::Command::new("kill")
                .args(["-9", &pid])
                .status()
                .expect("kill runs");
            assert!(status.success(), "kill -9 {pid} failed");
        },
        move || {
            let survivor = survivor.clone();
            async move {
                // Settled: the killed node serves no slot any more.
                tokio::task::spawn_blocking(move || rs_client::cluster_slot_masters(&survivor))
                    .await
                    .ok()
                    .and_then(Result::ok)
                    .is_some_and(|ranges| ranges.iter().all(|range| range.2 != victim))
            }
        },
        record,
    )
    .await;
}

/// One Sentinel run: redis-rs on the master it found once, redis-rs through
/// [`SentinelManager`], and one fred client read and write 60 keys while the first sentinel is
/// told `SENTINEL FAILOVER`.
pub(crate) async fn sentinel_failover(
    sentinels: &[String],
    service: &str,
    run: &str,
    record: &Path,
    notes: &Path,
    max_secs: f64,
) {
    let keys = session_keys(SENTINEL_KEYS, 11);
    let once = Client::RsManager(
        rs_client::sentinel_once(sentinels, service)
            .await
            .expect("redis-rs finds the master"),
    );
    seed_replicated(&once, &keys).await;
    let master = master_port(sentinels[0].clone(), service.to_owned())
        .await
        .expect("the sentinel names the master");
    let contenders = vec![
        Contender {
            name: "redis-rs (master found once)".to_owned(),
            client: once,
        },
        Contender {
            name: "redis-rs (sentinel wrapper)".to_owned(),
            client: Client::RsSentinel(
                SentinelManager::connect(sentinels, service)
                    .await
                    .expect("redis-rs finds the master"),
            ),
        },
        Contender {
            name: "fred".to_owned(),
            client: Client::Fred(
                FredClient::connect(&Topology::Sentinel(sentinels.to_vec(), service.to_owned()))
                    .await
                    .expect("fred connects"),
            ),
        },
    ];
    warm(&contenders, &keys).await;
    let (sentinel, name) = (sentinels[0].clone(), service.to_owned());
    let port = sentinel.rsplit_once(':').expect("host:port").1.to_owned();
    eprintln!("run {run}: failing over from the master on port {master}");
    let plan = plan(max_secs, true);
    let watch = Watch::start(master, Instant::now() + plan.trigger_after);
    let promoted = failover::run(
        run,
        contenders,
        Probes {
            groups: vec![0; keys.len()],
            keys,
            group_names: ["the master's", "none"],
        },
        plan,
        move || {
            let output = std::process::Command::new("redis-cli")
                .args(["-p", &port, "sentinel", "failover", &name])
                .output()
                .expect("redis-cli runs");
            eprintln!(
                "sentinel failover: {}",
                String::from_utf8_lossy(&output.stdout).trim()
            );
        },
        move || {
            let (sentinel, service) = (sentinel.clone(), service.to_owned());
            // Settled: the sentinel names another master.
            async move {
                master_port(sentinel, service)
                    .await
                    .is_some_and(|port| port != master)
            }
        },
        record,
    )
    .await;
    let note = format!("- Run {run}: {}.\n", watch.finish(promoted));
    eprint!("{note}");
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(notes)
        .and_then(|mut file| std::io::Write::write_all(&mut file, note.as_bytes()))
        .expect("the notes are written");
}

/// The failover timing: rounds every 20 ms, 500 ms per operation, the failure 0.5 s in, a stop
/// after `max_secs` or 15 quiet seconds.
fn plan(max_secs: f64, writes: bool) -> Plan {
    Plan {
        round_every: Duration::from_millis(20),
        op_timeout: Duration::from_millis(500),
        trigger_after: Duration::from_millis(500),
        max_after: Duration::from_secs_f64(max_secs),
        quiet: Duration::from_secs(15),
        writes,
    }
}
