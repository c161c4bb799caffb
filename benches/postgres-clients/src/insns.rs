//! Instructions per operation on the client side, under callgrind: sequential operations on a
//! current-thread runtime, so that everything the driver runs (tokio-postgres's connection task,
//! sqlx's pool) runs on the one thread that callgrind measures, inside
//! [`fastsession_bench_measured`], the one function whose instructions are collected.

use std::time::Instant;

use crate::setup;
use crate::tp_client::Target;
use crate::workload::{Client, Driver, SessionKey, Workload, session_keys};

/// Runs `work`: the function named to callgrind's `--toggle-collect`, which collects the
/// instructions executed on its thread from its entry to its return. It has a plain symbol name
/// so that the option can name it exactly (a closure called inside it has another name).
#[unsafe(no_mangle)]
#[inline(never)]
pub(crate) fn fastsession_bench_measured(work: &mut dyn FnMut()) {
    work();
}

/// `count` sequential operations on `keys` in turn, from the `offset`th; panics on a failure.
async fn operations(
    client: &Client,
    keys: &[SessionKey],
    workload: Workload,
    count: usize,
    offset: usize,
) {
    for i in offset..offset + count {
        if let Err(error) = workload.run(client, &keys[i % keys.len()]).await {
            panic!("operation {i} failed: {error}");
        }
    }
}

/// Seeds 256 sessions, opens a pool of `pool_size` with `driver` on a current-thread runtime,
/// runs `warmup` operations, then `count` inside [`fastsession_bench_measured`], and prints the
/// time they took.
pub(crate) fn run(
    target: &Target,
    driver: Driver,
    pool_size: usize,
    workload: Workload,
    warmup: usize,
    count: usize,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let keys = session_keys(256, 1);
    runtime.block_on(async {
        // The harness's own connection is dropped here, before the measured operations.
        let admin = setup::connect(target).await;
        setup::create_table(&admin).await;
        setup::reseed(&admin, &keys).await;
    });
    let client = runtime.block_on(async { driver.pool(target, pool_size) });
    runtime.block_on(operations(&client, &keys, workload, warmup, 0));
    let start = Instant::now();
    fastsession_bench_measured(&mut || {
        runtime.block_on(operations(&client, &keys, workload, count, warmup));
    });
    println!(
        "{count} operations ({}, {}) measured in {:.3} s",
        driver.name(),
        workload.name(),
        start.elapsed().as_secs_f64()
    );
    runtime.block_on(client.close());
}
