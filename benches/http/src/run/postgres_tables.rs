//! The PostgreSQL stores' tables: bytes per session row and rows deleted per second by each
//! library's cleanup, after a load of new sessions.

use std::path::Path;
use std::time::{Duration, SystemTime};

use super::postgres_stats::Postgres;
use super::process::{Launch, ServerProcess, StoreUrls};
use super::wrk::{self, Load};
use crate::serve::{BoxError, FASTSESSION_TABLE};
use crate::target::{Library, Scenario, Server};

/// What one library's table showed.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct TableReport {
    /// Rows after the load of new sessions.
    pub(crate) rows: u64,
    /// `pg_total_relation_size` (heap, indexes, TOAST) divided by the rows.
    pub(crate) bytes_per_row: f64,
    /// Rows the library's cleanup deleted per second, every row having ended.
    pub(crate) cleanup_rows_per_second: f64,
}

/// What a table measurement needs.
#[derive(Debug)]
pub(crate) struct Tables<'a> {
    pub(crate) exe: &'a Path,
    pub(crate) stores: StoreUrls<'a>,
    pub(crate) launch: &'a Launch,
    pub(crate) client_cpu: Option<usize>,
    pub(crate) connections: usize,
    pub(crate) seconds: u64,
}

/// Fills `server`'s table with new sessions (scenario (d) for the run's seconds), then measures
/// it and its cleanup.
pub(crate) fn measure(
    postgres: &Postgres,
    tables: &Tables<'_>,
    server: Server,
) -> Result<TableReport, BoxError> {
    postgres.reset()?;
    let process = ServerProcess::start(tables.exe, server, tables.stores, tables.launch)?;
    wrk::run(&Load {
        address: process.address,
        path: Scenario::NewSession.path(),
        cookies: &[],
        duration: Duration::from_secs(tables.seconds),
        connections: tables.connections,
        cpu: tables.client_cpu,
    })?;
    drop(process);
    let (rows, bytes_per_row) = postgres.table(server.library)?;
    postgres.end_every_session(server.library)?;
    let cleanup_rows_per_second = postgres.cleanup_rate(server.library, || match server.library {
        Library::FastsessionPostgres => fastsession_cleanup(postgres.url()),
        // What tower-sessions-sqlx-store's `delete_expired` runs.
        _ => postgres
            .run("delete from tower_sessions.session where expiry_date < (now() at time zone 'utc')")
            .map(drop),
    })?;
    postgres.reset()?;
    Ok(TableReport {
        rows,
        bytes_per_row,
        cleanup_rows_per_second,
    })
}

/// fastsession's own cleanup, `PostgresStore::delete_expired`, in this process.
fn fastsession_cleanup(url: &str) -> Result<(), BoxError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = fastsession_postgres::PostgresStore::builder(url)
            .with_table(FASTSESSION_TABLE)
            .with_timeout(Duration::from_secs(60))
            .build()?;
        store.delete_expired(SystemTime::now()).await?;
        Ok(())
    })
}
