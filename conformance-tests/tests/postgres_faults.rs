//! PostgreSQL stopped mid-run: requests that use the session answer 503 (bounded by the store's
//! timeout, never hanging), requests that do not use it still answer 200, and once the
//! database is back the next request works with the same app and the same session. Restarted
//! under load (an immediate shutdown, as a crash), it keeps every write the store acknowledged.
//! The tests run a PostgreSQL of their own (Debian's server binaries, `initdb` into a temporary
//! directory, a free loopback port), so they can stop and restart it.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use fastsession_conformance::Framework;
use fastsession_conformance::fixture::Fixture;
use fastsession_conformance::load::{self, HANG, free_port};
use fastsession_conformance::store::{AppStore, Backend};
use fastsession_postgres::PostgresStore;

/// A PostgreSQL server of this test's own, in a temporary directory; stopped and removed on
/// drop. As root (the CI machines), its processes run as the `postgres` user, since PostgreSQL
/// refuses to run as root.
struct PrivatePostgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

impl PrivatePostgres {
    /// Creates the cluster (trust authentication, user `postgres`) and starts it.
    fn start(name: &str) -> Self {
        let bin = server_binaries();
        let dir =
            std::env::temp_dir().join(format!("fastsession-pg-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        if is_root() {
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&dir)
                .status()
                .expect("chown runs");
            assert!(status.success(), "chown of {}", dir.display());
        }
        let server = Self {
            bin,
            dir,
            port: free_port(),
        };
        let data = server.dir.join("data");
        server.run(
            "initdb",
            &[
                "-D",
                path(&data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
            ],
        );
        server.resume();
        server
    }

    /// Starts the server on its port and waits until it accepts connections (`pg_ctl -w`).
    fn resume(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            self.port,
            path(&self.dir)
        );
        let data = self.dir.join("data");
        let log = self.dir.join("log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                path(&data),
                "-l",
                path(&log),
                "-o",
                &options,
                "-w",
                "start",
            ],
        );
    }

    /// Stops the server at once, as a crash would (`pg_ctl -m immediate`): no checkpoint, and
    /// recovery from the write-ahead log on the next start.
    fn crash(&self) {
        let data = self.dir.join("data");
        self.run(
            "pg_ctl",
            &["-D", path(&data), "-m", "immediate", "-w", "stop"],
        );
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Runs one of the server's programs, as `postgres` when this process is root.
    fn run(&self, program: &str, args: &[&str]) {
        let binary = self.bin.join(program);
        let mut command = if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&binary);
            command
        } else {
            Command::new(&binary)
        };
        let output = command.args(args).output().expect("the program runs");
        assert!(
            output.status.success(),
            "{program} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = Command::new(self.bin.join("pg_ctl"))
            .args(["-D", path(&data), "-m", "immediate", "stop"])
            .output();
        if is_root() {
            let _ = Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(self.bin.join("pg_ctl"))
                .args(["-D", path(&data), "-m", "immediate", "stop"])
                .output();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The newest of Debian's PostgreSQL server installations (`/usr/lib/postgresql/N/bin`).
fn server_binaries() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("Debian's postgresql is installed (.ci/run installs it)")
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort();
    versions.pop().expect("a PostgreSQL version").1
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.starts_with(b"0\n"))
}

fn path(path: &std::path::Path) -> &str {
    path.to_str().expect("a UTF-8 temporary path")
}

/// A store on `server` with a 500 ms timeout and its table.
async fn store_on(server: &PrivatePostgres) -> PostgresStore {
    let store = PostgresStore::builder(server.url())
        .with_timeout(Duration::from_millis(500))
        .build()
        .expect("a URL");
    store.migrate().await.expect("the private server answers");
    store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_outage_gives_503_and_recovers_with_the_session() {
    let server = PrivatePostgres::start("outage");
    for framework in Framework::ALL {
        let app = Fixture::builder(framework)
            .store(AppStore::new(Backend::Postgres(store_on(&server).await)))
            .start()
            .await;
        let client = app.client();
        assert_eq!(client.post("/login/ada", None).await.status, 200);
        assert_eq!(client.get("/whoami").await.json()["cause"], "success");

        server.crash();
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
        }

        server.resume();
        // The database kept the session: the same app, unrestarted, finds it again.
        let reply = tokio::time::timeout(HANG, client.get("/whoami"))
            .await
            .expect("no hang");
        assert_eq!(reply.status, 200, "{}: {}", framework.name(), reply.body);
        assert_eq!(reply.json()["cause"], "success", "{}", framework.name());
        assert_eq!(client.get("/get/user").await.json()["value"], "ada");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restarted_under_load_keeps_every_acknowledged_write() {
    let server = PrivatePostgres::start("restart");
    let app = Fixture::builder(Framework::Axum)
        .store(AppStore::new(Backend::Postgres(store_on(&server).await)))
        .start()
        .await;
    let (outcome, ()) = load::counting_through(&app, 8, async {
        server.crash();
        tokio::time::sleep(Duration::from_secs(1)).await;
        server.resume();
    })
    .await;
    assert!(outcome.failed > 0, "the crash was seen");
    eprintln!(
        "PostgreSQL restart under load: {} requests failed (500/503) while it was down; \
         the slowest answer took {:?} (store timeout 500 ms)",
        outcome.failed, outcome.slowest
    );
}
