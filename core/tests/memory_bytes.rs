//! The memory store's byte accounting is the heap it holds: for every shape of data, the bytes
//! it accounts are between 0.85 and 1.05 times the live heap dhat measures, and its byte bound
//! therefore bounds the real heap.
//!
//! dhat's counting allocator measures the heap. Each test builds its records from JSON text,
//! hands them to the store and drops them, so what remains is the store's own copy; the store
//! is created before the first measure, so only what its sessions cost is measured. One
//! profiler runs at a time, so the tests take turns.

use fastsession_core::testing::SequentialIds;
use fastsession_core::testing::store_suite::{record, start};
use fastsession_core::{MemoryStore, store::Record, store::SessionData, store::SessionStore};
use tokio::sync::Mutex;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

/// dhat allows one profiler at a time, and a measure must not see another test's allocations.
static TURN: Mutex<()> = Mutex::const_new(());

fn live_heap() -> usize {
    dhat::HeapStats::get().curr_bytes
}

/// A record whose data is parsed from `text`, as a store's caller would hold it.
fn parsed(text: &str) -> Record {
    let data: SessionData = serde_json::from_str(text).unwrap();
    Record {
        data,
        ..record(&[])
    }
}

/// Session `n`'s data in one shape, as JSON text.
struct Shape {
    name: &'static str,
    sessions: u64,
    text: fn(u64) -> String,
}

const SHAPES: [Shape; 6] = [
    Shape {
        name: "no data",
        sessions: 5000,
        text: |_| "{}".to_owned(),
    },
    Shape {
        name: "flat strings",
        sessions: 5000,
        text: |n| {
            format!(
                r#"{{"user":"user-{n}","role":"admin","theme":"dark","lang":"en-GB","csrf":"{n:032x}"}}"#
            )
        },
    },
    Shape {
        name: "array of 20 small objects",
        sessions: 2000,
        text: |n| {
            let items: Vec<String> = (0..20)
                .map(|i| format!(r#"{{"a":{},"b":"x"}}"#, n + i))
                .collect();
            format!(r#"{{"cart":[{}]}}"#, items.join(","))
        },
    },
    Shape {
        name: "objects nested 12 deep",
        sessions: 2000,
        text: |n| {
            let mut value = format!(r#"{{"v":{n}}}"#);
            for depth in 0..12 {
                value = format!(r#"{{"d{depth}":{value},"n":{n}}}"#);
            }
            format!(r#"{{"tree":{value}}}"#)
        },
    },
    Shape {
        name: "an object of 100 keys",
        sessions: 500,
        text: |n| {
            let keys: Vec<String> = (0..100).map(|i| format!(r#""key{i}":{n}"#)).collect();
            format!(r#"{{"prefs":{{{}}}}}"#, keys.join(","))
        },
    },
    Shape {
        name: "a 64 KiB string",
        sessions: 100,
        text: |n| format!(r#"{{"blob":"{}{n}"}}"#, "x".repeat(64 << 10)),
    },
];

#[tokio::test]
async fn accounted_bytes_are_close_to_the_measured_heap_for_every_shape() {
    let _turn = TURN.lock().await;
    let _profiler = dhat::Profiler::builder().testing().build();
    let mut failures = Vec::new();
    for shape in &SHAPES {
        let store = MemoryStore::new();
        let before = live_heap();
        for n in 1..=shape.sessions {
            let record = parsed(&(shape.text)(n));
            assert!(
                store
                    .create(&SequentialIds::id(n), &record, start())
                    .await
                    .unwrap()
            );
        }
        let heap = live_heap() - before;
        let accounted = store.bytes();
        let ratio = accounted as f64 / heap as f64;
        println!(
            "{:<28} {:>6} sessions: accounted {accounted:>11} B, measured {heap:>11} B, ratio {ratio:.2}",
            shape.name, shape.sessions
        );
        if !(heap * 85 / 100..=heap * 105 / 100).contains(&accounted) {
            failures.push(format!(
                "{}: accounted {accounted} B, measured {heap} B",
                shape.name
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn a_one_mebibyte_bound_keeps_array_heavy_sessions_under_two_mebibytes_of_heap() {
    let _turn = TURN.lock().await;
    let _profiler = dhat::Profiler::builder().testing().build();
    let store = MemoryStore::new().with_max_bytes(1 << 20);
    let before = live_heap();
    let mut peak = 0;
    for n in 1..=5000 {
        let text = (SHAPES[2].text)(n);
        let record = parsed(&text);
        drop(text);
        store
            .create(&SequentialIds::id(n), &record, start())
            .await
            .unwrap();
        drop(record);
        peak = peak.max(live_heap() - before);
        assert!(store.bytes() <= 1 << 20);
    }
    println!(
        "max_bytes 1 MiB: {} sessions, accounted {} B, live heap at most {peak} B",
        store.len(),
        store.bytes()
    );
    assert!(peak < 2 << 20, "the store held {peak} B of heap");
    // Each session is accounted about 14.1 KB, so 74 fit: fewer would mean an over-count.
    assert!(store.len() >= 70, "the bound is used: {}", store.len());
}
