//! Every store call is one `tracing` event with its operation, latency and outcome (debug when
//! it succeeds, warn with the error's kind when it fails), and none carries a session ID, a key
//! or a value.

mod common;

use std::time::Duration;

use fastsession_core::store::{Changes, SessionStore};
use fastsession_core::testing::store_suite::{record, start};
use fastsession_core::testing::{LogCapture, SequentialIds};
use fastsession_redis::RedisStore;
use serde_json::json;

#[tokio::test]
async fn every_store_call_is_one_event_with_its_latency_and_no_session() {
    let capture = LogCapture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let store = common::store("observability").await;
    let (id, successor) = (SequentialIds::id(1), SequentialIds::id(2));
    let secret = "a secret value";
    store
        .create(&id, &record(&[("token", json!(secret))]), start())
        .await
        .unwrap();
    store.load(&id, start()).await.unwrap();
    let mut changes = Changes::new();
    changes.insert("token", json!(secret));
    store
        .apply(&id, &changes, &record(&[]).expiry, start())
        .await
        .unwrap();
    store
        .create(&successor, &record(&[]), start())
        .await
        .unwrap();
    store.retire(&id, &successor, start()).await.unwrap();
    store.delete(&id, start()).await.unwrap();
    let unreachable = RedisStore::builder("redis://127.0.0.1:1")
        .with_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    unreachable.load(&id, start()).await.unwrap_err();

    let text = capture.text();
    let lines: Vec<&str> = text.lines().collect();
    let calls: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|line| line.contains("store call") && line.contains("store=\"redis\""))
        .collect();
    let operations: Vec<&str> = calls
        .iter()
        .map(|line| {
            line.split("operation=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .expect("an operation field")
        })
        .collect();
    assert_eq!(
        operations,
        [
            "create", "load", "apply", "create", "retire", "delete", "load"
        ],
        "{lines:#?}"
    );
    assert!(calls.iter().all(|line| line.contains("elapsed_ms=")));
    assert!(calls[..6].iter().all(|line| line.contains("DEBUG")));
    let failed = calls[6];
    assert!(
        failed.contains("WARN") && failed.contains("failed") && failed.contains("Unavailable"),
        "{failed}"
    );
    let id_hex: String = id.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
    for line in &lines {
        for leak in [secret, store.key(&id).as_str(), id_hex.as_str()] {
            assert!(!line.contains(leak), "{line}");
        }
    }
}
