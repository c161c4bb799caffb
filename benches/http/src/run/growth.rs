//! The growth run: scenario (d) until the store holds more than a million sessions, watching the
//! longest single request (a map that resizes all at once stalls here) and the memory each
//! stored session costs.

use std::path::Path;
use std::time::{Duration, Instant};

use super::client::Client;
use super::process::{Launch, ServerProcess, StoreUrls};
use super::wrk::{self, Load};
use crate::serve::BoxError;
use crate::target::Server;
use crate::target::paths::COUNTER;

#[derive(Debug)]
pub(crate) struct Growth<'a> {
    pub(crate) exe: &'a Path,
    pub(crate) server: Server,
    pub(crate) launch: &'a Launch,
    pub(crate) client_cpu: Option<usize>,
    pub(crate) connections: usize,
    pub(crate) sessions: u64,
    pub(crate) limit: Duration,
    pub(crate) stores: StoreUrls<'a>,
    pub(crate) client: &'a Client,
}

/// What the growth run saw.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct GrowthReport {
    /// Sessions created during the measured part.
    pub(crate) sessions: u64,
    /// Resident memory growth divided by the sessions created.
    pub(crate) bytes_per_session: f64,
    /// The longest single request (wrk's max latency over every chunk).
    pub(crate) max_ms: f64,
    /// The worst p99 of any chunk.
    pub(crate) p99_ms: f64,
    pub(crate) requests_per_second: f64,
    pub(crate) errors: u64,
}

/// Seconds of load per chunk: long enough to be steady, short enough to stop near the target.
const CHUNK: Duration = Duration::from_secs(10);

pub(crate) fn run(growth: &Growth<'_>) -> Result<GrowthReport, BoxError> {
    let process = ServerProcess::start(growth.exe, growth.server, growth.stores, growth.launch)?;
    // Warm up allocator and runtime before the baseline.
    growth.client.send(process.address, COUNTER, None, 1000)?;
    let baseline = process.resident_bytes()?;
    let started = Instant::now();
    let mut report = GrowthReport::default();
    while report.sessions < growth.sessions && started.elapsed() < growth.limit {
        let chunk = wrk::run(&Load {
            address: process.address,
            path: COUNTER,
            cookies: &[],
            duration: CHUNK,
            connections: growth.connections,
            cpu: growth.client_cpu,
        })?;
        report.sessions += chunk.requests;
        report.errors += chunk.errors;
        report.max_ms = report.max_ms.max(chunk.max_ms);
        report.p99_ms = report.p99_ms.max(chunk.p99_ms);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let grown = process.resident_bytes()?.saturating_sub(baseline);
    report.bytes_per_session = grown as f64 / report.sessions.max(1) as f64;
    report.requests_per_second = report.sessions as f64 / elapsed;
    Ok(report)
}
