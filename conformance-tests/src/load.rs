//! Clients that count under a disruption: each counts in a session of its own while the store
//! is stopped, crashed or restarted, and afterwards every count it saw acknowledged is still
//! there. Used by the fault tests of the Redis and PostgreSQL stores.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::client::Reply;
use crate::fixture::Fixture;

/// Generous: a request must come back, not hang.
pub const HANG: Duration = Duration::from_secs(15);

/// What the clients saw while the store was disrupted.
#[derive(Clone, Copy, Debug)]
pub struct Outcome {
    /// Requests answered 500 or 503.
    pub failed: u64,
    /// The slowest answer.
    pub slowest: Duration,
}

/// The counter `/session_test` answered, if it answered 200; `None` for 500 or 503.
///
/// # Panics
///
/// On any other status.
pub fn counted(reply: &Reply) -> Option<u64> {
    match reply.status {
        200 => Some(reply.json()["test_counter"].as_u64().expect("a counter")),
        500 | 503 => None,
        status => panic!("unexpected status {status}: {}", reply.body),
    }
}

/// `clients` clients count on `app` (`/session_test`, each in its own session, every 5 ms);
/// after 1 s, `disruption` runs (what it returns is handed back); 2 s after it ends, they stop. Then each client counts once
/// more, which must succeed with a higher count than any it saw acknowledged (a count whose
/// answer the disruption lost may have been kept too), and still finds its session.
///
/// # Panics
///
/// When a request hangs past [`HANG`], a count goes back, a client never got an answer, or an
/// acknowledged count is lost.
pub async fn counting_through<T>(
    app: &Fixture,
    clients: usize,
    disruption: impl Future<Output = T>,
) -> (Outcome, T) {
    let running = Arc::new(AtomicBool::new(true));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..clients {
        let (client, running) = (app.client(), running.clone());
        tasks.spawn(async move {
            // The highest count acknowledged, the slowest answer, how many requests failed.
            let (mut acknowledged, mut slowest, mut failed) = (0, Duration::ZERO, 0);
            while running.load(Ordering::Relaxed) {
                let began = Instant::now();
                let reply = tokio::time::timeout(HANG, client.get("/session_test"))
                    .await
                    .expect("no request hangs");
                slowest = slowest.max(began.elapsed());
                match counted(&reply) {
                    Some(count) => {
                        assert!(count > acknowledged, "a count went back: {count}");
                        acknowledged = count;
                    }
                    None => failed += 1,
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            (client, acknowledged, slowest, failed)
        });
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let disrupted = disruption.await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    running.store(false, Ordering::Relaxed);

    let mut outcome = Outcome {
        failed: 0,
        slowest: Duration::ZERO,
    };
    while let Some(result) = tasks.join_next().await {
        let (client, acknowledged, slowest, failed) = result.expect("a client");
        assert!(acknowledged > 0, "a client never got an answer");
        outcome.slowest = outcome.slowest.max(slowest);
        outcome.failed += failed;
        let reply = client.get("/session_test").await;
        let next = counted(&reply).expect("the store answers again");
        assert!(
            next > acknowledged,
            "count {next} after {acknowledged} acknowledged"
        );
        assert_eq!(client.get("/whoami").await.json()["cause"], "success");
    }
    (outcome, disrupted)
}

/// A free port on 127.0.0.1, for a server a fault test starts and restarts itself.
///
/// # Panics
///
/// When no port can be bound.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}
