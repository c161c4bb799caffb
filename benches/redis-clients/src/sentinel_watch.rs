//! What the servers of the Sentinel setup say during a failover: the master the sentinels name,
//! and whether the old master still takes writes after its replica was promoted.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The master's port as `sentinel` (`host:port`) names it.
pub(crate) async fn master_port(sentinel: String, service: String) -> Option<u16> {
    tokio::task::spawn_blocking(move || {
        let mut connection = redis::Client::open(format!("redis://{sentinel}"))
            .ok()?
            .get_connection()
            .ok()?;
        let (_, port): (String, u16) = redis::cmd("SENTINEL")
            .arg("GET-MASTER-ADDR-BY-NAME")
            .arg(service)
            .query(&mut connection)
            .ok()?;
        Some(port)
    })
    .await
    .ok()
    .flatten()
}

/// One look at a server: when, whether it was a master, and how many `EVALSHA` it had run.
#[derive(Clone, Copy, Debug)]
struct Sample {
    at: Duration,
    master: bool,
    evalsha: u64,
}

/// Looks at one server every 100 ms in the background.
#[derive(Debug)]
pub(crate) struct Watch {
    samples: Arc<Mutex<Vec<Sample>>>,
    stop: Arc<AtomicBool>,
}

impl Watch {
    /// Starts looking at 127.0.0.1:`port`; times are taken from `since`.
    pub(crate) fn start(port: u16, since: Instant) -> Self {
        let samples = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (into, until) = (samples.clone(), stop.clone());
        std::thread::spawn(move || {
            let Ok(client) = redis::Client::open(format!("redis://127.0.0.1:{port}")) else {
                return;
            };
            // Connected again after an error: the sentinels kill the old master's clients when
            // they turn it into a replica.
            let mut connection = None;
            while !until.load(Ordering::Relaxed) {
                if connection.is_none() {
                    connection = client.get_connection().ok();
                }
                if let Some(open) = connection.as_mut() {
                    let info: redis::RedisResult<String> = redis::cmd("INFO")
                        .arg("replication")
                        .arg("commandstats")
                        .query(open);
                    match info {
                        Ok(info) => into.lock().expect("not poisoned").push(Sample {
                            at: since.elapsed(),
                            master: info.contains("role:master"),
                            evalsha: evalsha_calls(&info),
                        }),
                        Err(_) => connection = None,
                    }
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        Self { samples, stop }
    }

    /// Stops looking and tells, from the moment `promoted` (after `since`) when the replica had
    /// been promoted: when the server stopped being a master, and how many `EVALSHA` it ran as a
    /// master from then on.
    pub(crate) fn finish(self, promoted: Option<Duration>) -> String {
        self.stop.store(true, Ordering::Relaxed);
        let samples = self.samples.lock().expect("not poisoned").clone();
        let Some(promoted) = promoted else {
            return "the sentinels were not seen to name another master".to_owned();
        };
        let at_promotion = samples
            .iter()
            .rev()
            .find(|sample| sample.at <= promoted)
            .map_or(0, |sample| sample.evalsha);
        let last_as_master = samples
            .iter()
            .rev()
            .find(|sample| sample.master)
            .map_or(at_promotion, |sample| sample.evalsha);
        match samples.iter().find(|sample| !sample.master) {
            Some(demoted) => format!(
                "the old master became a replica {:.1} s after the failover command and ran {} \
                 EVALSHA (all clients together) after the sentinels named the new master at \
                 {:.1} s",
                demoted.at.as_secs_f64(),
                last_as_master.saturating_sub(at_promotion),
                promoted.as_secs_f64()
            ),
            None => format!(
                "the old master was still a master at the end and ran {} EVALSHA (all clients \
                 together) after the sentinels named the new master at {:.1} s",
                last_as_master.saturating_sub(at_promotion),
                promoted.as_secs_f64()
            ),
        }
    }
}

/// `cmdstat_evalsha:calls=N` from `INFO commandstats`.
fn evalsha_calls(info: &str) -> u64 {
    info.lines()
        .find_map(|line| line.strip_prefix("cmdstat_evalsha:calls="))
        .and_then(|rest| rest.split(',').next())
        .and_then(|calls| calls.parse().ok())
        .unwrap_or(0)
}
