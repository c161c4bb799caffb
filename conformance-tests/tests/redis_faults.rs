//! Redis stopped mid-run: requests that use the session answer 503 (bounded by the store's
//! timeout, never hanging), requests that do not use it still answer 200, nothing panics, and
//! once Redis is back the next request works. With append-only persistence, a Redis killed and
//! restarted under load keeps every write the store acknowledged before the kill. The tests run
//! their own `redis-server` on a free loopback port, so they can stop and restart it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fastsession_conformance::Framework;
use fastsession_conformance::fixture::Fixture;
use fastsession_conformance::load::{self, HANG, free_port};
use fastsession_conformance::store::{AppStore, Backend};
use fastsession_redis::RedisStore;

struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    /// A server that keeps nothing on disk.
    async fn start(port: u16) -> Self {
        Self::start_with(port, &["--appendonly", "no"]).await
    }

    /// A server whose append-only file, in `dir`, is written and synced before each write is
    /// acknowledged (`appendfsync always`).
    async fn start_persistent(port: u16, dir: &Path) -> Self {
        let dir = dir.to_str().expect("a UTF-8 temporary path");
        let persistence = [
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--dir",
            dir,
        ];
        Self::start_with(port, &persistence).await
    }

    async fn start_with(port: u16, persistence: &[&str]) -> Self {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
            ])
            .args(persistence)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed (.ci/run installs it)");
        let server = Self { child, port };
        let probe = RedisStore::builder(server.url())
            .with_timeout(Duration::from_millis(200))
            .build()
            .expect("a URL");
        // Waiting for another process to come up is the one place a bounded poll is needed.
        for _ in 0..200 {
            if probe.ping().await.is_ok() {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("redis-server did not start on port {port}");
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_outage_gives_503_and_recovers() {
    for framework in Framework::ALL {
        let port = free_port();
        let redis = RedisServer::start(port).await;
        let store = RedisStore::builder(redis.url())
            .with_timeout(Duration::from_millis(500))
            .build()
            .expect("a URL");
        let app = Fixture::builder(framework)
            .store(AppStore::new(Backend::Redis(store)))
            .start()
            .await;
        let client = app.client();
        assert_eq!(client.post("/login/ada", None).await.status, 200);
        assert_eq!(client.get("/whoami").await.json()["cause"], "success");

        redis.stop();
        for _ in 0..3 {
            let reply = tokio::time::timeout(HANG, client.get("/whoami"))
                .await
                .expect("no hang");
            assert_eq!(reply.status, 503, "{}: {}", framework.name(), reply.body);
            assert_eq!(reply.body, fastsession_core::adapter::ERROR_BODY);
            assert!(reply.set_cookies().is_empty());
            let plain = tokio::time::timeout(HANG, client.get("/plain"))
                .await
                .expect("no hang");
            assert_eq!(plain.status, 200, "routes without the session keep working");
            let write = tokio::time::timeout(HANG, app.client().get("/session_test"))
                .await
                .expect("no hang");
            assert!(
                write.status == 503 || write.status == 500,
                "{}",
                write.status
            );
        }

        let redis = RedisServer::start(port).await;
        // The restarted Redis is empty: the session is gone, but the request works.
        let reply = tokio::time::timeout(HANG, client.get("/whoami"))
            .await
            .expect("no hang");
        assert_eq!(
            reply.status,
            200,
            "{}: the first request after the restart works: {}",
            framework.name(),
            reply.body
        );
        assert_eq!(reply.json()["cause"], "valid_cookie_but_no_store");
        assert_eq!(client.get("/session_test").await.json()["test_counter"], 1);
        drop(app);
        redis.stop();
    }
}

/// A directory of its own for a persistent server, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("fastsession-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restarted_under_load_keeps_every_acknowledged_write() {
    let dir = TempDir::new("aof");
    let port = free_port();
    let redis = RedisServer::start_persistent(port, &dir.0).await;
    let store = RedisStore::builder(redis.url())
        .with_timeout(Duration::from_millis(500))
        .build()
        .expect("a URL");
    let app = Fixture::builder(Framework::Axum)
        .store(AppStore::new(Backend::Redis(store)))
        .start()
        .await;
    let (outcome, redis) = load::counting_through(&app, 8, async {
        redis.stop(); // SIGKILL: no shutdown, no final save
        tokio::time::sleep(Duration::from_secs(1)).await;
        RedisServer::start_persistent(port, &dir.0).await
    })
    .await;
    eprintln!(
        "restart under load: {} requests failed (500/503) while Redis was down; the \
         slowest answer took {:?} (store timeout 500 ms)",
        outcome.failed, outcome.slowest
    );
    drop(app);
    redis.stop();
}
