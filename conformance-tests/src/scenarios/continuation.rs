//! B. Continuation and concurrency (Python FastSession's scenarios 8 to 10; checklist 36).

use std::sync::Arc;

use serde_json::json;

use super::{SID, count, whoami};
use crate::client::Client;
use crate::fixture::Fixture;
use crate::target::Target;

/// Scenario 8: the counter goes 1, 2, 3 on one session with a cookie only on the first
/// response; a second browser starts over and never sees the first one's data.
pub async fn counter_continues_and_clients_are_isolated(target: Target) {
    let app = Fixture::start(target).await;
    let first = app.client();
    let before = whoami(&first).await;
    assert_eq!((before.id, before.cause.as_str()), (None, "new"));
    for expected in 1..=3 {
        let (n, reply) = count(&first, "/session_test").await;
        assert_eq!(n, expected);
        assert_eq!(
            reply.set_cookie(SID).is_some(),
            expected == 1,
            "cookie only on the first response"
        );
    }
    let mine = whoami(&first).await;
    assert_eq!(mine.cause, "success");
    let second = app.client();
    assert_eq!(count(&second, "/session_test").await.0, 1);
    let theirs = whoami(&second).await;
    assert_ne!(mine.id, theirs.id);
    assert_eq!(theirs.keys, ["test_counter"]);
    assert_eq!(app.stored().await, 2);
}

async fn in_parallel<F, Fut>(client: &Arc<Client>, times: usize, request: F)
where
    F: Fn(Arc<Client>, usize) -> Fut,
    Fut: Future<Output = u16> + Send + 'static,
{
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..times {
        tasks.spawn(request(client.clone(), n));
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.expect("the task finishes"), 200);
    }
}

/// Scenario 9: 20 parallel counter requests on one session end at 20 more (the counter uses
/// `Session::increment`, with no session locking).
pub async fn concurrent_counters_lose_no_update(target: Target) {
    let app = Fixture::start(target).await;
    let client = Arc::new(app.client());
    count(&client, "/session_test").await;
    in_parallel(&client, 20, |client, _| async move {
        client.get("/session_test").await.status
    })
    .await;
    assert_eq!(count(&client, "/session_test").await.0, 22);
}

/// Scenario 10: with per-session serialization opted in, 20 parallel read, yield, write
/// requests on one session lose no update.
pub async fn concurrent_read_yield_write_loses_no_update(target: Target) {
    let app = Fixture::with_flags(target, &["--serialized-requests", "true"]).await;
    let client = Arc::new(app.client());
    client.post("/set/m", Some(json!(0))).await;
    in_parallel(&client, 20, |client, _| async move {
        client.post("/incr-slow/m", None).await.status
    })
    .await;
    assert_eq!(client.get("/get/m").await.json(), json!({ "value": 20 }));
}

/// Checklist 36: 50 parallel requests each setting a different key keep all 50.
pub async fn concurrent_writers_of_different_keys_lose_nothing(target: Target) {
    let app = Fixture::start(target).await;
    let client = Arc::new(app.client());
    client.post("/set/first", Some(json!(true))).await;
    in_parallel(&client, 50, |client, n| async move {
        client
            .post(&format!("/set/k{n:02}"), Some(json!(n)))
            .await
            .status
    })
    .await;
    let keys = whoami(&client).await.keys;
    assert_eq!(keys.len(), 51, "{keys:?}");
}
