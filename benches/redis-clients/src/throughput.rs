//! Throughput: concurrent tasks sharing one client, as a session store's requests share its
//! connection, for a fixed time after a warm-up, repeated with the clients interleaved.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use crate::workload::Client;

/// What each operation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Workload {
    /// A read.
    Read,
    /// A counter request: a read then a write.
    Counter,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Counter => "read + write",
        }
    }
}

/// A client configuration under its name in the report.
#[derive(Debug)]
pub(crate) struct Candidate {
    /// The name in the report.
    pub(crate) name: String,
    /// The shared client.
    pub(crate) client: Client,
}

/// How long and how much.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    /// Concurrent tasks.
    pub(crate) tasks: usize,
    /// Unmeasured time before each measurement.
    pub(crate) warmup: Duration,
    /// Measured time.
    pub(crate) window: Duration,
    /// Measurements of each case; the report gives their median.
    pub(crate) repetitions: usize,
}

/// One measurement: operations per second, and the failed operations with the first error.
#[derive(Clone, Debug, Default)]
struct Measurement {
    ops_per_second: f64,
    errors: u64,
    first_error: Option<String>,
}

/// Runs every candidate on both workloads over `keys` and over its first key alone, repetition
/// by repetition, and prints a markdown table for `topology`.
pub(crate) async fn run(topology: &str, candidates: &[Candidate], keys: &[String], plan: Plan) {
    let key_sets: [Arc<[String]>; 2] = [keys.into(), keys[..1].into()];
    let workloads = [Workload::Read, Workload::Counter];
    let cases: Vec<(usize, Workload, usize)> = (0..candidates.len())
        .flat_map(|c| {
            workloads
                .iter()
                .flat_map(move |&w| (0..2).map(move |k| (c, w, k)))
        })
        .collect();
    let mut results: Vec<Vec<Measurement>> = vec![Vec::new(); cases.len()];
    for repetition in 0..plan.repetitions {
        for (case, &(candidate, workload, key_set)) in cases.iter().enumerate() {
            let measurement = measure(
                &candidates[candidate].client,
                &key_sets[key_set],
                workload,
                plan,
            )
            .await;
            eprintln!(
                "{topology} {} {} {} keys, repetition {}: {:.0} ops/s, {} errors",
                candidates[candidate].name,
                workload.name(),
                key_sets[key_set].len(),
                repetition + 1,
                measurement.ops_per_second,
                measurement.errors
            );
            results[case].push(measurement);
        }
    }
    println!(
        "| topology | client | operation | keys | ops/s (median) | min | max | failed ops |\n\
         |---|---|---|---:|---:|---:|---:|---|"
    );
    for (case, &(candidate, workload, key_set)) in cases.iter().enumerate() {
        let mut rates: Vec<f64> = results[case].iter().map(|m| m.ops_per_second).collect();
        rates.sort_by(f64::total_cmp);
        let errors: u64 = results[case].iter().map(|m| m.errors).sum();
        let first_error = results[case]
            .iter()
            .find_map(|m| m.first_error.clone())
            .map(|error| format!(" (first: {error})"))
            .unwrap_or_default();
        println!(
            "| {topology} | {} | {} | {} | {:.0} | {:.0} | {:.0} | {errors}{first_error} |",
            candidates[candidate].name,
            workload.name(),
            key_sets[key_set].len(),
            rates[rates.len() / 2],
            rates[0],
            rates[rates.len() - 1],
        );
    }
}

/// `plan.tasks` tasks doing `workload` on random keys of `keys` with `client`: the operations
/// completed in `plan.window` after `plan.warmup`, per second.
async fn measure(
    client: &Client,
    keys: &Arc<[String]>,
    workload: Workload,
    plan: Plan,
) -> Measurement {
    let done = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let first_error = Arc::new(Mutex::new(None));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = JoinSet::new();
    for task in 0..plan.tasks {
        let (client, keys) = (client.clone(), keys.clone());
        let (done, errors, first_error, stop) = (
            done.clone(),
            errors.clone(),
            first_error.clone(),
            stop.clone(),
        );
        tasks.spawn(async move {
            let mut random = 0x2545_f491_4f6c_dd1d_u64 ^ (task as u64 + 1);
            while !stop.load(Ordering::Relaxed) {
                random ^= random << 13;
                random ^= random >> 7;
                random ^= random << 17;
                let key = &keys[(random % keys.len() as u64) as usize];
                let outcome = match workload {
                    Workload::Read => client.checked_read(key).await,
                    Workload::Counter => client.counter_request(key).await,
                };
                match outcome {
                    Ok(()) => done.fetch_add(1, Ordering::Relaxed),
                    Err(error) => {
                        first_error
                            .lock()
                            .expect("not poisoned")
                            .get_or_insert(error);
                        errors.fetch_add(1, Ordering::Relaxed)
                    }
                };
            }
        });
    }
    tokio::time::sleep(plan.warmup).await;
    let (start, done_at_start, errors_at_start) = (
        Instant::now(),
        done.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
    );
    tokio::time::sleep(plan.window).await;
    let (elapsed, done_at_end, errors_at_end) = (
        start.elapsed(),
        done.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
    );
    stop.store(true, Ordering::Relaxed);
    while tasks.join_next().await.is_some() {}
    let first_error = first_error.lock().expect("not poisoned").take();
    Measurement {
        ops_per_second: (done_at_end - done_at_start) as f64 / elapsed.as_secs_f64(),
        errors: errors_at_end - errors_at_start,
        first_error,
    }
}
