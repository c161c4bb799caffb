//! Instructions per operation on the client side, under callgrind: sequential operations on a
//! current-thread runtime, so that the client's own tasks (redis-rs's connection driver, fred's
//! router and reader) run on the one thread that callgrind measures, inside
//! [`fastsession_bench_measured`], the one function whose instructions are collected.

use std::time::Instant;

use crate::throughput::Workload;
use crate::workload::Client;

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
    keys: &[String],
    workload: Workload,
    count: usize,
    offset: usize,
) {
    for i in offset..offset + count {
        let key = &keys[i % keys.len()];
        let outcome = match workload {
            Workload::Read => client.checked_read(key).await,
            Workload::Counter => client.counter_request(key).await,
        };
        if let Err(error) = outcome {
            panic!("operation {i} failed: {error}");
        }
    }
}

/// Connects with `connect` on a current-thread runtime, runs `warmup` operations, then `count`
/// inside [`fastsession_bench_measured`], and prints the time they took.
pub(crate) fn run<F>(connect: F, keys: &[String], workload: Workload, warmup: usize, count: usize)
where
    F: AsyncFnOnce() -> Client,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let client = runtime.block_on(connect());
    runtime.block_on(operations(&client, keys, workload, warmup, 0));
    let start = Instant::now();
    fastsession_bench_measured(&mut || {
        runtime.block_on(operations(&client, keys, workload, count, warmup));
    });
    println!(
        "{count} operations ({workload:?}) measured in {:.3} s",
        start.elapsed().as_secs_f64()
    );
}
