//! What each pool does when the server drops its connections: every backend of the scratch
//! database ended with `pg_terminate_backend` (as a server restart or an administrator would),
//! alone or with the database refusing new connections for 2 s, while tasks keep reading.
//! Every read is bounded by [`CALL_LIMIT`], so a pool that hangs shows as timed-out reads.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use crate::setup;
use crate::tp_client::Target;
use crate::workload::{Client, Driver, SessionKey, Workload, session_keys};

/// The bound on one read, past which it counts as timed out.
const CALL_LIMIT: Duration = Duration::from_secs(5);

/// The pause of each probing task between its reads.
const PAUSE: Duration = Duration::from_millis(20);

/// One read: when it started and ended (since the failure), and its error if it failed.
#[derive(Debug)]
struct Call {
    started: f64,
    ended: f64,
    error: Option<String>,
}

/// A scenario: the probing tasks, and the server side.
#[derive(Clone, Copy, Debug)]
enum Scenario {
    /// The idle pool's backends ended, then one task reads 100 ms later.
    IdleKilled,
    /// 16 tasks reading when the backends are ended.
    KilledUnderLoad,
    /// 16 tasks reading when the backends are ended and the database refuses new connections
    /// for 2 s.
    Refusing,
}

impl Scenario {
    fn describe(self) -> &'static str {
        match self {
            Self::IdleKilled => "idle pool's backends ended; 1 task reads from 0.1 s",
            Self::KilledUnderLoad => "backends ended under 16 reading tasks",
            Self::Refusing => "backends ended, database refusing connections for 2 s, 16 tasks",
        }
    }
}

/// Runs each scenario with each driver (a pool of `pool_size`) and prints a markdown table.
pub(crate) async fn run(target: &Target, drivers: &[Driver], pool_size: usize) {
    let scratch = setup::connect(target).await;
    setup::create_table(&scratch).await;
    let keys = session_keys(64, 2);
    setup::reseed(&scratch, &keys).await;
    drop(scratch);
    let admin = setup::connect(&Target {
        dbname: "postgres".to_owned(),
        ..target.clone()
    })
    .await;
    println!(
        "| scenario | driver | reads ending after the failure | failed | timed out ({} s) | \
         failures from–to (s after it) | errors seen |\n|---|---|---:|---:|---:|---|---|",
        CALL_LIMIT.as_secs()
    );
    for scenario in [
        Scenario::IdleKilled,
        Scenario::KilledUnderLoad,
        Scenario::Refusing,
    ] {
        for &driver in drivers {
            let client = driver.pool(target, pool_size);
            // Every connection of the pool opened and idle.
            let mut warm = JoinSet::new();
            for task in 0..pool_size {
                let (client, key) = (client.clone(), keys[task % keys.len()]);
                warm.spawn(async move { Workload::Read.run(&client, &key).await });
            }
            while let Some(outcome) = warm.join_next().await {
                outcome.expect("joined").expect("the warm-up reads succeed");
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            let calls = probe(&client, &keys, scenario, &admin, &target.dbname).await;
            client.close().await;
            println!(
                "| {} | {} | {}",
                scenario.describe(),
                driver.name(),
                summary(&calls)
            );
        }
    }
}

/// Runs `scenario` against `client`'s pool: the calls its tasks made.
async fn probe(
    client: &Client,
    keys: &[SessionKey],
    scenario: Scenario,
    admin: &tokio_postgres::Client,
    dbname: &str,
) -> Vec<Call> {
    let (tasks, lead) = match scenario {
        Scenario::IdleKilled => {
            setup::terminate_others(admin, dbname).await;
            tokio::time::sleep(Duration::from_millis(100)).await;
            (1, Duration::ZERO)
        }
        Scenario::KilledUnderLoad | Scenario::Refusing => (16, Duration::from_secs(1)),
    };
    let origin = Instant::now() + lead;
    let since = move || {
        let now = Instant::now();
        now.saturating_duration_since(origin).as_secs_f64()
            - origin.saturating_duration_since(now).as_secs_f64()
    };
    let calls = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut set = JoinSet::new();
    for task in 0..tasks {
        let (client, calls, stop) = (client.clone(), calls.clone(), stop.clone());
        let keys: Vec<SessionKey> = keys.to_vec();
        set.spawn(async move {
            let mut i = task;
            while !stop.load(Ordering::Relaxed) {
                let started = since();
                let outcome = tokio::time::timeout(
                    CALL_LIMIT,
                    Workload::Read.run(&client, &keys[i % keys.len()]),
                )
                .await;
                let error = match outcome {
                    Ok(Ok(())) => None,
                    Ok(Err(error)) => Some(error),
                    Err(_) => Some("timed out".to_owned()),
                };
                let ended = since();
                calls.lock().expect("not poisoned").push(Call {
                    started,
                    ended,
                    error,
                });
                i += tasks;
                tokio::time::sleep(PAUSE).await;
            }
        });
    }
    tokio::time::sleep_until(origin.into()).await;
    match scenario {
        Scenario::IdleKilled => tokio::time::sleep(Duration::from_secs(2)).await,
        Scenario::KilledUnderLoad => {
            setup::terminate_others(admin, dbname).await;
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
        Scenario::Refusing => {
            setup::allow_connections(admin, dbname, false).await;
            setup::terminate_others(admin, dbname).await;
            tokio::time::sleep(Duration::from_secs(2)).await;
            setup::allow_connections(admin, dbname, true).await;
            // Long enough for a read that started while refused to reach the limit.
            tokio::time::sleep(CALL_LIMIT + Duration::from_secs(1)).await;
        }
    }
    stop.store(true, Ordering::Relaxed);
    while set.join_next().await.is_some() {}
    let mut calls = std::mem::take(&mut *calls.lock().expect("not poisoned"));
    calls.retain(|call| call.ended >= 0.0);
    calls
}

/// The table cells after the scenario and driver: reads, failures, time-outs, when, and the
/// distinct errors (each shortened).
fn summary(calls: &[Call]) -> String {
    let failed: Vec<&Call> = calls.iter().filter(|c| c.error.is_some()).collect();
    let timed_out = failed
        .iter()
        .filter(|c| c.error.as_deref() == Some("timed out"))
        .count();
    let first = failed.iter().map(|c| c.started).reduce(f64::min);
    let last = failed.iter().map(|c| c.ended).reduce(f64::max);
    let window = match (first, last) {
        (Some(first), Some(last)) => format!("{:.2}–{last:.2}", first.max(0.0)),
        _ => "none".to_owned(),
    };
    let errors: BTreeSet<String> = failed
        .iter()
        .filter_map(|c| c.error.as_deref())
        .map(|e| {
            let mut e = e.replace('|', "/");
            if e.chars().count() > 160 {
                e = e.chars().take(160).collect::<String>() + "…";
            }
            format!("`{e}`")
        })
        .collect();
    let errors = if errors.is_empty() {
        "none".to_owned()
    } else if errors.len() > 4 {
        let shown: Vec<String> = errors.iter().take(4).cloned().collect();
        format!("{}; and {} more", shown.join("; "), errors.len() - 4)
    } else {
        errors.into_iter().collect::<Vec<_>>().join("; ")
    };
    format!(
        "{} | {} | {timed_out} | {window} | {errors} |",
        calls.len(),
        failed.len()
    )
}
