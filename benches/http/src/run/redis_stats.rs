//! Redis round trips per request, seen by Redis itself, and a clean database before each server.
//!
//! `INFO commandstats` cannot tell a client's command from one a Lua script runs, so round trips
//! are counted with `MONITOR`, which marks a script's commands `[db lua]`: only the lines from a
//! client address are round trips. MONITOR slows Redis down, so it watches a short sequential
//! run, never a load run.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::serve::BoxError;

pub(crate) struct Redis {
    url: String,
    database: i64,
    connection: redis::Connection,
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redis")
            .field("database", &self.database)
            .finish_non_exhaustive()
    }
}

impl Redis {
    pub(crate) fn connect(url: &str) -> Result<Self, BoxError> {
        let client = redis::Client::open(url)?;
        let database = client.get_connection_info().redis_settings().db();
        let connection = client.get_connection()?;
        Ok(Self {
            url: url.to_owned(),
            database,
            connection,
        })
    }

    /// Empty the benchmark's database (the URL's database number).
    pub(crate) fn flush(&mut self) -> Result<(), BoxError> {
        redis::cmd("FLUSHDB").exec(&mut self.connection)?;
        Ok(())
    }

    /// The server's version, for the report.
    pub(crate) fn version(&mut self) -> Result<String, BoxError> {
        let info: String = redis::cmd("INFO")
            .arg("server")
            .query(&mut self.connection)?;
        Ok(info
            .lines()
            .find_map(|line| line.strip_prefix("redis_version:"))
            .unwrap_or("unknown")
            .trim()
            .to_owned())
    }

    /// The client commands sent to the benchmark's database while `traffic` runs.
    pub(crate) fn round_trips(
        &self,
        traffic: impl FnOnce() -> Result<(), BoxError>,
    ) -> Result<u64, BoxError> {
        let mut monitor = Command::new("redis-cli")
            .args(["-u", &self.url, "monitor"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = monitor
            .stdout
            .take()
            .ok_or("redis-cli's stdout is not piped")?;
        let (sender, receiver) = mpsc::channel();
        let reader = thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line == "OK" {
                    let _ = sender.send(());
                } else {
                    lines.push(line);
                }
            }
            lines
        });
        let result = receiver
            .recv_timeout(Duration::from_secs(10))
            .map_err(|_| BoxError::from("redis-cli monitor did not start"))
            .and_then(|()| traffic());
        thread::sleep(Duration::from_millis(300)); // the last commands reach the monitor
        let _ = monitor.kill();
        let _ = monitor.wait();
        let lines = reader.join().map_err(|_| "the monitor reader panicked")?;
        result?;
        Ok(count_client_commands(&lines, self.database))
    }
}

/// MONITOR lines look like `1700000000.123456 [9 127.0.0.1:50000] "EVALSHA" ...`; a script's
/// commands show `[9 lua]` instead of the client's address.
fn count_client_commands(lines: &[String], database: i64) -> u64 {
    let prefix = format!("[{database} ");
    lines
        .iter()
        .filter_map(|line| line.split_once(' ').map(|(_, rest)| rest))
        .filter_map(|rest| rest.strip_prefix(&prefix))
        .filter(|rest| !rest.starts_with("lua]"))
        .count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_client_commands_on_the_database_only() {
        let lines: Vec<String> = [
            r#"1700000000.000001 [9 127.0.0.1:50000] "EVALSHA" "abc" "1" "k""#,
            r#"1700000000.000002 [9 lua] "HSET" "k" "f" "v""#,
            r#"1700000000.000003 [9 127.0.0.1:50000] "HGETALL" "k""#,
            r#"1700000000.000004 [0 127.0.0.1:50001] "GET" "other""#,
        ]
        .map(str::to_owned)
        .to_vec();
        assert_eq!(count_client_commands(&lines, 9), 2);
    }
}
