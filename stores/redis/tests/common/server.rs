//! A private `redis-server` for the tests that need one of their own (a Unix socket, TLS).

use std::ffi::OsStr;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

/// Starts `redis-server` with `args` (and nothing kept on disk), killed on drop, and waits for
/// the line saying it accepts connections; `what` names it in a failure.
pub async fn start<I, S>(args: I, what: &str) -> Child
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut child = Command::new("redis-server")
        .args(args)
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("redis-server is installed (.ci/run installs it)");
    let mut lines = BufReader::new(child.stdout.take().expect("a piped stdout")).lines();
    // A deadline that only stops a hung run; the server is ready when it says so ("Ready to
    // accept connections" on TCP and TLS, "ready to accept connections at PATH" on a socket).
    let ready = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.expect("the server's output") {
            if line
                .to_ascii_lowercase()
                .contains("ready to accept connections")
            {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(ready, Ok(true), "redis-server did not start: {what}");
    // Keep reading, so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    child
}
