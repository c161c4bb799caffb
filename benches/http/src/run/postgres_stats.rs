//! The benchmark's own PostgreSQL database, emptied before each server, and the size and cleanup
//! speed of each library's table. It shells out to `psql`. (Statements per request are counted
//! on the wire: [`postgres_wire`](super::postgres_wire).)

use std::process::Command;
use std::time::Instant;

use crate::serve::{BoxError, FASTSESSION_TABLE};
use crate::target::Library;

/// The table tower-sessions-sqlx-store creates by default.
const PEER_TABLE: &str = "tower_sessions.session";

#[derive(Debug)]
pub(crate) struct Postgres {
    /// The same server's `postgres` database, from which the benchmark's is watched.
    admin_url: String,
    url: String,
}

impl Postgres {
    /// The server at `url`, whose database (the URL's path) is created if missing.
    pub(crate) fn connect(url: &str) -> Result<Self, BoxError> {
        let (server, database) = url
            .rsplit_once('/')
            .filter(|(_, database)| !database.is_empty() && !database.contains('?'))
            .ok_or_else(|| format!("{url}: name the benchmark's database in the URL's path"))?;
        let postgres = Self {
            admin_url: format!("{server}/postgres"),
            url: url.to_owned(),
        };
        let exists = postgres.admin(&format!(
            "SELECT 1 FROM pg_database WHERE datname = '{database}'"
        ))?;
        if exists.is_empty() {
            postgres.admin(&format!("CREATE DATABASE \"{database}\""))?;
        }
        Ok(postgres)
    }

    /// Drops every table of the benchmark's database that a library created.
    pub(crate) fn reset(&self) -> Result<(), BoxError> {
        self.run(&format!(
            "DROP TABLE IF EXISTS {FASTSESSION_TABLE}; DROP SCHEMA IF EXISTS tower_sessions CASCADE"
        ))?;
        Ok(())
    }

    /// The server's version, for the report.
    pub(crate) fn version(&self) -> Result<String, BoxError> {
        self.admin("SHOW server_version")
    }

    /// The table `library` keeps its sessions in: its rows and its bytes on disk per row
    /// (`pg_total_relation_size`: the heap, its indexes and TOAST).
    pub(crate) fn table(&self, library: Library) -> Result<(u64, f64), BoxError> {
        let table = table_of(library)?;
        let answer = self.run(&format!(
            "SELECT count(*) || ' ' || pg_total_relation_size('{table}') FROM {table}"
        ))?;
        let (rows, bytes) = answer
            .split_once(' ')
            .ok_or_else(|| format!("an unexpected answer: {answer}"))?;
        let rows: u64 = rows.parse()?;
        Ok((rows, bytes.parse::<f64>()? / rows.max(1) as f64))
    }

    /// Ends every session in `library`'s table (moves each row's end into the past), so that
    /// its cleanup has every row to delete.
    pub(crate) fn end_every_session(&self, library: Library) -> Result<(), BoxError> {
        let table = table_of(library)?;
        let column = if library == Library::FastsessionPostgres {
            "expires_at"
        } else {
            "expiry_date"
        };
        self.run(&format!(
            "UPDATE {table} SET {column} = now() - interval '1 minute'"
        ))?;
        self.run(&format!("VACUUM ANALYZE {table}"))?;
        Ok(())
    }

    /// Runs `cleanup` and returns the rows it deleted per second (the rows gone from the table
    /// over the time it took).
    pub(crate) fn cleanup_rate(
        &self,
        library: Library,
        cleanup: impl FnOnce() -> Result<(), BoxError>,
    ) -> Result<f64, BoxError> {
        let (before, _) = self.table(library)?;
        let started = Instant::now();
        cleanup()?;
        let elapsed = started.elapsed();
        let (after, _) = self.table(library)?;
        Ok(before.saturating_sub(after) as f64 / elapsed.as_secs_f64())
    }

    /// The URL of the benchmark's database.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// Runs `sql` on the benchmark's database; its answer, as `psql -At` prints it.
    pub(crate) fn run(&self, sql: &str) -> Result<String, BoxError> {
        psql(&self.url, sql)
    }

    fn admin(&self, sql: &str) -> Result<String, BoxError> {
        psql(&self.admin_url, sql)
    }
}

fn table_of(library: Library) -> Result<&'static str, BoxError> {
    match library {
        Library::FastsessionPostgres => Ok(FASTSESSION_TABLE),
        Library::TowerSessionsPostgres => Ok(PEER_TABLE),
        other => Err(format!("{} keeps no table", other.name()).into()),
    }
}

/// `sql` through `psql` on `url`: the unaligned, tuples-only answer, trimmed.
fn psql(url: &str, sql: &str) -> Result<String, BoxError> {
    let output = Command::new("psql")
        .args([url, "-XqAt", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .env("PGOPTIONS", "-c client_min_messages=warning")
        .output()?;
    if !output.status.success() {
        return Err(format!(
            "psql failed on {sql:?}: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )
        .into());
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}
