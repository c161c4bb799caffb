//! `redis+unix://` and `unix://` URLs reach a real Redis over its Unix socket, with the password
//! in the `pass` parameter; a wrong password fails without showing either password. The test runs
//! its own `redis-server`, on a socket only, with a password that needs percent-encoding.

#![cfg(unix)]

mod common;

use std::path::PathBuf;
use std::time::Duration;

use fastsession_core::store::SessionStore;
use fastsession_core::testing::SequentialIds;
use fastsession_core::testing::store_suite::{record, start};
use fastsession_redis::RedisStore;
use serde_json::json;
use tokio::process::Child;

/// The server's password, and as the URL carries it.
const PASSWORD: &str = "s3/cr?t#1";
const ENCODED: &str = "s3%2Fcr%3Ft%231";

/// A `redis-server` listening on a Unix socket only, killed on drop.
struct SocketServer {
    child: Child,
    path: PathBuf,
}

impl SocketServer {
    /// Starts the server and waits for the line saying it accepts connections.
    async fn start() -> Self {
        let name = common::unique_prefix("redis").replace(':', "-");
        let path = std::env::temp_dir().join(format!("{name}sock"));
        let _ = std::fs::remove_file(&path);
        let child = common::server::start(
            [
                "--port".as_ref(),
                "0".as_ref(),
                "--unixsocket".as_ref(),
                path.as_os_str(),
                "--requirepass".as_ref(),
                PASSWORD.as_ref(),
            ],
            &format!("on the socket {path:?}"),
        )
        .await;
        Self { child, path }
    }

    fn url(&self, scheme: &str, query: &str) -> String {
        format!("{scheme}://{}?{query}", self.path.display())
    }
}

impl Drop for SocketServer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = std::fs::remove_file(&self.path);
    }
}

#[tokio::test]
async fn unix_socket_urls_reach_redis_with_the_pass_parameter() {
    let server = SocketServer::start().await;
    for scheme in ["redis+unix", "unix"] {
        let url = server.url(scheme, &format!("pass={ENCODED}&db=1"));
        let store = RedisStore::builder(&url)
            .with_prefix(common::unique_prefix("unix"))
            .build()
            .unwrap_or_else(|error| panic!("{error}"));
        store
            .ping()
            .await
            .unwrap_or_else(|error| panic!("{scheme}: {error}"));
        let id = SequentialIds::id(1);
        let session = record(&[("user", json!("ada"))]);
        assert!(store.create(&id, &session, start()).await.unwrap());
        let loaded = store
            .load(&id, start())
            .await
            .unwrap()
            .expect("the session");
        assert_eq!(loaded.data, session.data);
        assert_eq!(store.admin().clear().await.unwrap(), 1);
    }
}

#[tokio::test]
async fn a_wrong_password_fails_without_showing_a_password() {
    let server = SocketServer::start().await;
    let url = server.url("redis+unix", "pass=wr0ng%2Fpass");
    let store = RedisStore::builder(&url)
        .with_timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|error| panic!("{error}"));
    let error = store.ping().await.expect_err("a wrong password is refused");
    for rendering in [error.to_string(), format!("{error:?}")] {
        for secret in ["wr0ng", PASSWORD, ENCODED] {
            assert!(!rendering.contains(secret), "{rendering}");
        }
    }
}
