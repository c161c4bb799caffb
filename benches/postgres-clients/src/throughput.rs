//! Throughput: concurrent tasks sharing one pool, as a session store's requests share its pool,
//! for a fixed time after a warm-up, repeated with the drivers interleaved.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use crate::setup;
use crate::tp_client::Target;
use crate::workload::{Client, Driver, SessionKey, Workload, session_keys};

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

/// One case: a driver with a pool size, a workload, and how many sessions.
#[derive(Clone, Copy, Debug)]
struct Case {
    driver: Driver,
    pool_size: usize,
    workload: Workload,
    sessions: usize,
}

/// Runs every driver with every pool size on every workload, over 256 sessions and over one,
/// repetition by repetition, and prints a markdown table. Each measurement gets a new pool and a
/// freshly seeded table.
pub(crate) async fn run(target: &Target, drivers: &[Driver], pool_sizes: &[usize], plan: Plan) {
    let admin = setup::connect(target).await;
    setup::create_table(&admin).await;
    let keys = session_keys(256, 1);
    let mut cases = Vec::new();
    for &pool_size in pool_sizes {
        for workload in [Workload::Read, Workload::Write, Workload::Counter] {
            for sessions in [keys.len(), 1] {
                for &driver in drivers {
                    cases.push(Case {
                        driver,
                        pool_size,
                        workload,
                        sessions,
                    });
                }
            }
        }
    }
    let mut results: Vec<Vec<Measurement>> = vec![Vec::new(); cases.len()];
    for repetition in 0..plan.repetitions {
        for (
            case,
            &Case {
                driver,
                pool_size,
                workload,
                sessions,
            },
        ) in cases.iter().enumerate()
        {
            setup::reseed(&admin, &keys[..sessions]).await;
            let client = driver.pool(target, pool_size);
            let measurement = measure(&client, &keys[..sessions], workload, plan).await;
            client.close().await;
            eprintln!(
                "{} pool {pool_size} {} {sessions} sessions, repetition {}: {:.0} ops/s, {} errors",
                driver.name(),
                workload.name(),
                repetition + 1,
                measurement.ops_per_second,
                measurement.errors
            );
            results[case].push(measurement);
        }
    }
    println!(
        "| driver | pool | operation | sessions | ops/s (median) | min | max | failed ops |\n\
         |---|---:|---|---:|---:|---:|---:|---|"
    );
    for (case, c) in cases.iter().enumerate() {
        let mut rates: Vec<f64> = results[case].iter().map(|m| m.ops_per_second).collect();
        rates.sort_by(f64::total_cmp);
        let errors: u64 = results[case].iter().map(|m| m.errors).sum();
        let first_error = results[case]
            .iter()
            .find_map(|m| m.first_error.clone())
            .map(|error| format!(" (first: {error})"))
            .unwrap_or_default();
        println!(
            "| {} | {} | {} | {} | {:.0} | {:.0} | {:.0} | {errors}{first_error} |",
            c.driver.name(),
            c.pool_size,
            c.workload.name(),
            c.sessions,
            rates[rates.len() / 2],
            rates[0],
            rates[rates.len() - 1],
        );
    }
}

/// `plan.tasks` tasks doing `workload` on random sessions of `keys` with `client`: the
/// operations completed in `plan.window` after `plan.warmup`, per second.
async fn measure(
    client: &Client,
    keys: &[SessionKey],
    workload: Workload,
    plan: Plan,
) -> Measurement {
    let keys: Arc<[SessionKey]> = keys.into();
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
                match workload.run(&client, key).await {
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
