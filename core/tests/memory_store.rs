//! `MemoryStore`: the generic store suite, plus its bounds, eviction and sweeping.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::Duration;

use fastsession_core::testing::SequentialIds;
use fastsession_core::testing::store_suite::{self, record, start};
use fastsession_core::{MemoryStore, store::SessionStore};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passes_the_store_suite() {
    store_suite::run_all(|| async { MemoryStore::new() }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passes_the_user_index_suite() {
    store_suite::users::run_all(|| async { MemoryStore::new() }).await;
}

#[tokio::test]
async fn the_entry_bound_holds_and_new_sessions_are_always_admitted() {
    let store = MemoryStore::new().with_max_entries(1000);
    for n in 1..=5000 {
        let id = SequentialIds::id(n);
        assert!(
            store
                .create(&id, &record(&[("n", json!(n))]), start())
                .await
                .unwrap()
        );
        assert!(
            store.load(&id, start()).await.unwrap().is_some(),
            "a just-created session is loadable"
        );
        assert!(store.len() <= 1000);
    }
    assert_eq!(store.len(), 1000);
}

#[tokio::test]
async fn the_byte_bound_holds() {
    let store = MemoryStore::new().with_max_bytes(100_000);
    let big = "x".repeat(1000);
    for n in 1..=1000 {
        store
            .create(
                &SequentialIds::id(n),
                &record(&[("blob", json!(big))]),
                start(),
            )
            .await
            .unwrap();
        assert!(
            store.bytes() <= 100_000,
            "{} bytes after {n}",
            store.bytes()
        );
    }
    assert!(
        store.len() >= 50,
        "the bound is used, not starved: {}",
        store.len()
    );
}

#[tokio::test]
async fn expired_sessions_are_evicted_before_live_ones() {
    let store = MemoryStore::new().with_max_entries(100);
    // 50 sessions that expire after a minute, 50 that live an hour.
    for n in 1..=100 {
        let mut session = record(&[]);
        if n <= 50 {
            session.expiry.expires_at = start() + Duration::from_secs(60);
        }
        store
            .create(&SequentialIds::id(n), &session, start())
            .await
            .unwrap();
    }
    let later = start() + Duration::from_secs(120);
    for n in 101..=150 {
        store
            .create(&SequentialIds::id(n), &record(&[]), later)
            .await
            .unwrap();
    }
    for n in 51..=150 {
        assert!(
            store
                .load(&SequentialIds::id(n), later)
                .await
                .unwrap()
                .is_some(),
            "live session {n} was evicted"
        );
    }
}

#[tokio::test]
async fn sweeping_removes_expired_sessions() {
    let store = MemoryStore::new().with_sweep_interval(Duration::from_secs(60));
    for n in 1..=500 {
        let mut session = record(&[]);
        session.expiry.expires_at = start() + Duration::from_secs(30);
        store
            .create(&SequentialIds::id(n), &session, start())
            .await
            .unwrap();
    }
    assert_eq!(store.len(), 500);
    let later = start() + Duration::from_secs(61);
    // Use every shard once, as traffic does.
    for n in 1000..1300 {
        store.load(&SequentialIds::id(n), later).await.unwrap();
    }
    assert_eq!(
        store.len(),
        0,
        "every shard swept its expired sessions within one interval"
    );
    assert_eq!(store.bytes(), 0);

    store
        .create(&SequentialIds::id(1), &record(&[]), later)
        .await
        .unwrap();
    assert_eq!(store.purge_expired(later + Duration::from_secs(7200)), 1);
}

#[tokio::test]
async fn clones_share_sessions_and_separate_stores_do_not() {
    let store = MemoryStore::new();
    let clone = store.clone();
    store
        .create(&SequentialIds::id(1), &record(&[]), start())
        .await
        .unwrap();
    assert!(
        clone
            .load(&SequentialIds::id(1), start())
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        MemoryStore::new()
            .load(&SequentialIds::id(1), start())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn sessions_nobody_came_back_to_are_evicted_first() {
    let store = MemoryStore::new().with_max_entries(100);
    // 50 sessions in use (loaded by a later request), then 50 created and never used again.
    for n in 1..=100 {
        store
            .create(&SequentialIds::id(n), &record(&[]), start())
            .await
            .unwrap();
        if n <= 50 {
            store.load(&SequentialIds::id(n), start()).await.unwrap();
        }
    }
    // 50 more: the unused ones go, oldest first.
    for n in 101..=150 {
        store
            .create(&SequentialIds::id(n), &record(&[]), start())
            .await
            .unwrap();
    }
    for n in 1..=150 {
        let kept = store
            .load(&SequentialIds::id(n), start())
            .await
            .unwrap()
            .is_some();
        assert_eq!(kept, !(51..=100).contains(&n), "session {n}");
    }
}

#[tokio::test]
async fn sessions_in_use_are_evicted_least_recently_used_first_by_a_real_sample() {
    let store = MemoryStore::new().with_max_entries(1000);
    let at = |millis: u64| start() + Duration::from_millis(millis);
    // 1,000 sessions in use, session n last used at n ms.
    for n in 1..=1000 {
        store
            .create(&SequentialIds::id(n), &record(&[]), start())
            .await
            .unwrap();
    }
    for n in 1..=1000 {
        store.load(&SequentialIds::id(n), at(n)).await.unwrap();
    }
    // 300 more sessions, each used as soon as it is made: each evicts one in use.
    for n in 1001..=1300 {
        let id = SequentialIds::id(n);
        store.create(&id, &record(&[]), at(n)).await.unwrap();
        store.load(&id, at(n)).await.unwrap();
    }
    assert_eq!(store.len(), 1000);
    let mut evicted = Vec::new();
    for n in 1..=1000 {
        if store
            .load(&SequentialIds::id(n), at(2000))
            .await
            .unwrap()
            .is_none()
        {
            evicted.push(n);
        }
    }
    assert!(evicted.len() >= 290, "{} evicted", evicted.len());
    // The least recently used of a sample of 8: victims come from the oldest part; a victim
    // taken without regard to use would average 500.
    let mean = evicted.iter().sum::<u64>() / evicted.len() as u64;
    assert!(mean < 300, "victims average {mean}: {evicted:?}");
}

/// Runs a store call on this thread: the memory store never waits, so one poll finishes it.
fn now_or_never<F: Future>(call: F) -> F::Output {
    match pin!(call).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("a memory store call waited"),
    }
}

#[test]
fn the_counts_stay_exact_while_a_session_is_retired_and_deleted_at_once() {
    const KEPT: u64 = 100;
    const ROUNDS: u64 = 50_000;
    let store = MemoryStore::new();
    for n in 1..=KEPT {
        now_or_never(store.create(&SequentialIds::id(n), &record(&[("n", json!(n))]), start()))
            .unwrap();
    }
    let kept_bytes = store.bytes();
    let (kept, stop) = (KEPT as usize, Arc::new(AtomicBool::new(false)));
    let (lowest, highest) = (
        Arc::new(AtomicUsize::new(kept)),
        Arc::new(AtomicUsize::new(0)),
    );
    let watcher = {
        let (store, stop) = (store.clone(), Arc::clone(&stop));
        let (lowest, highest) = (Arc::clone(&lowest), Arc::clone(&highest));
        thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                lowest.fetch_min(store.len(), Ordering::Relaxed);
                highest.fetch_max(store.len(), Ordering::Relaxed);
                assert!(store.bytes() >= kept_bytes, "{} bytes", store.bytes());
            }
        })
    };
    // Round r creates session r, then retires it and deletes it at once, from two threads.
    let session = |r: u64| SequentialIds::id(KEPT + 1 + r);
    let barrier = Arc::new(Barrier::new(2));
    let retirer = {
        let (store, barrier) = (store.clone(), Arc::clone(&barrier));
        thread::spawn(move || {
            for r in 0..ROUNDS {
                let record = record(&[("n", json!(r))]);
                now_or_never(store.create(&session(r), &record, start())).unwrap();
                barrier.wait();
                let successor = SequentialIds::id(u64::MAX - r);
                now_or_never(store.retire(&session(r), &successor, start())).unwrap();
            }
        })
    };
    for r in 0..ROUNDS {
        barrier.wait();
        now_or_never(store.delete(&session(r), start())).unwrap();
    }
    retirer.join().unwrap();
    stop.store(true, Ordering::Relaxed);
    watcher.join().unwrap();
    // At most one session of a round is stored, and the kept ones always are.
    let (lowest, highest) = (
        lowest.load(Ordering::Relaxed),
        highest.load(Ordering::Relaxed),
    );
    assert_eq!((lowest, store.len()), (kept, kept), "highest {highest}");
    assert!(highest <= kept + 1, "{highest} sessions counted");
    assert_eq!(store.bytes(), kept_bytes);
}
