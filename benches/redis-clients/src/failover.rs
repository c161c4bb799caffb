//! Failover: every client reads (and optionally writes) a fixed set of sessions in rounds while a
//! master is killed or failed over; which operations failed, when, and whether they stopped.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::future::Future;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use crate::workload::{Client, now_ms};

/// A client configuration under its name in the report.
pub(crate) type Contender = crate::throughput::Candidate;

/// The timing of a run.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    /// Time between the starts of two rounds (a round waits for its slowest operation).
    pub(crate) round_every: Duration,
    /// Each operation's timeout, over the client's own.
    pub(crate) op_timeout: Duration,
    /// Time from the first round to the failure.
    pub(crate) trigger_after: Duration,
    /// The run stops this long after the failure at the latest.
    pub(crate) max_after: Duration,
    /// The run stops earlier once the topology has settled and no client has failed for this long.
    pub(crate) quiet: Duration,
    /// Whether each round also writes every session.
    pub(crate) writes: bool,
}

/// The keys read, each with its group: 0 for the failed master's, 1 for the others'.
#[derive(Debug)]
pub(crate) struct Probes {
    /// The session keys.
    pub(crate) keys: Vec<String>,
    /// The group of each key.
    pub(crate) groups: Vec<usize>,
    /// The name of each group in the report.
    pub(crate) group_names: [&'static str; 2],
}

/// The failures of one kind of operation on one group of keys.
#[derive(Debug, Default)]
struct Tally {
    operations: u64,
    /// The start of each failed operation, in ms after the failure was caused.
    failures: Vec<f64>,
    /// Each error text (shortened) and how often it came.
    errors: HashMap<String, u64>,
}

/// What one contender saw: by operation (0 read, 1 write) and group.
type Log = [[Tally; 2]; 2];

/// One run: the contenders probe until `settled` says the topology has changed and no one has
/// failed for `plan.quiet`, or `plan.max_after` has passed since `trigger` ran. Appends one line
/// per contender, operation and group to `record` (tab-separated) and prints a summary. Returns
/// when, after the trigger, `settled` first said yes.
pub(crate) async fn run<T, S, F>(
    run: &str,
    contenders: Vec<Contender>,
    probes: Probes,
    plan: Plan,
    trigger: T,
    mut settled: S,
    record: &std::path::Path,
) -> Option<Duration>
where
    T: FnOnce(),
    S: FnMut() -> F,
    F: Future<Output = bool>,
{
    let probes = Arc::new(probes);
    let stop = Arc::new(AtomicBool::new(false));
    let triggered_at = Instant::now() + plan.trigger_after;
    let mut loops = Vec::new();
    for contender in &contenders {
        let log = Arc::new(Mutex::new(Log::default()));
        let task = tokio::spawn(probe_loop(
            contender.client.clone(),
            probes.clone(),
            plan,
            triggered_at,
            stop.clone(),
            log.clone(),
        ));
        loops.push((log, task));
    }
    tokio::time::sleep_until(triggered_at.into()).await;
    trigger();
    let mut settled_after = None;
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let after = triggered_at.elapsed();
        if settled_after.is_none() && settled().await {
            settled_after = Some(after);
        }
        let quiet = loops.iter().all(|(log, _)| {
            last_failure(&log.lock().expect("not poisoned")).is_none_or(|last| {
                after.as_secs_f64() * 1e3 - last >= plan.quiet.as_secs_f64() * 1e3
            })
        });
        if after >= plan.max_after || (settled_after.is_some() && quiet && after >= plan.quiet) {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let ended_after = triggered_at.elapsed().as_secs_f64() * 1e3;
    let settled_ms = settled_after.map_or(-1.0, |after| after.as_secs_f64() * 1e3);
    let mut lines = String::new();
    for (contender, (log, task)) in contenders.iter().zip(loops) {
        let _ = task.await;
        let log = log.lock().expect("not poisoned");
        for (op, by_group) in log.iter().enumerate() {
            for (group, tally) in by_group.iter().enumerate() {
                if tally.operations == 0 {
                    continue;
                }
                let (first, last) = (
                    tally.failures.iter().copied().reduce(f64::min),
                    tally.failures.iter().copied().reduce(f64::max),
                );
                // Recovered: no failure of these operations in the run's last `quiet` seconds.
                let recovered =
                    last.is_none_or(|last| ended_after - last >= plan.quiet.as_secs_f64() * 1e3);
                let mut errors: Vec<_> = tally.errors.iter().collect();
                errors.sort_by(|a, b| b.1.cmp(a.1));
                let errors: Vec<String> = errors
                    .iter()
                    .take(3)
                    .map(|(text, count)| format!("{count}× {text}"))
                    .collect();
                let _ = writeln!(
                    lines,
                    "{run}\t{}\t{}\t{}\t{}\t{}\t{:.0}\t{:.0}\t{}\t{settled_ms:.0}\t{ended_after:.0}\t{}",
                    contender.name,
                    ["read", "write"][op],
                    probes.group_names[group],
                    tally.operations,
                    tally.failures.len(),
                    first.unwrap_or(-1.0),
                    last.unwrap_or(-1.0),
                    if recovered { "yes" } else { "no" },
                    errors.join("; "),
                );
            }
        }
    }
    eprint!("{lines}");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(record)
        .expect("the record file opens");
    file.write_all(lines.as_bytes())
        .expect("the record is written");
    settled_after
}

/// The start of the latest failed operation, in ms after the failure was caused.
fn last_failure(log: &Log) -> Option<f64> {
    log.iter()
        .flatten()
        .filter_map(|tally| tally.failures.iter().copied().reduce(f64::max))
        .reduce(f64::max)
}

/// What an operation came to.
enum Outcome {
    Ok,
    Failed(String),
}

/// Rounds of one operation per key (two with writes), all at once, each bounded by
/// `plan.op_timeout`, a round starting every `plan.round_every` or when the last one ended.
async fn probe_loop(
    client: Client,
    probes: Arc<Probes>,
    plan: Plan,
    triggered_at: Instant,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Log>>,
) {
    let mut ticks = tokio::time::interval(plan.round_every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !stop.load(Ordering::Relaxed) {
        ticks.tick().await;
        let mut round = JoinSet::new();
        for index in 0..probes.keys.len() {
            for op in 0..if plan.writes { 2 } else { 1 } {
                let (client, probes) = (client.clone(), probes.clone());
                round.spawn(async move {
                    let started = Instant::now();
                    let key = &probes.keys[index];
                    let work = async {
                        if op == 0 {
                            client.checked_read(key).await
                        } else {
                            match client.write(key, now_ms()).await? {
                                1 => Ok(()),
                                answer => Err(format!("the write answered {answer}")),
                            }
                        }
                    };
                    let outcome = match tokio::time::timeout(plan.op_timeout, work).await {
                        Ok(Ok(())) => Outcome::Ok,
                        Ok(Err(error)) => Outcome::Failed(error),
                        Err(_) => Outcome::Failed("timed out (500 ms)".to_owned()),
                    };
                    (op, index, started, outcome)
                });
            }
        }
        let results = round.join_all().await;
        let mut log = log.lock().expect("not poisoned");
        for (op, index, started, outcome) in results {
            let tally = &mut log[op][probes.groups[index]];
            tally.operations += 1;
            if let Outcome::Failed(error) = outcome {
                let at = if started >= triggered_at {
                    (started - triggered_at).as_secs_f64() * 1e3
                } else {
                    -((triggered_at - started).as_secs_f64() * 1e3)
                };
                tally.failures.push(at);
                *tally.errors.entry(shorten(&error)).or_default() += 1;
            }
        }
    }
}

/// An error's text without addresses and details that differ from one failure to the next.
fn shorten(error: &str) -> String {
    let text: String = error
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect();
    text.chars().take(80).collect::<String>().replace('\t', " ")
}
