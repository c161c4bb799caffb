//! Micro-benchmarks of the hot paths: `begin` with a valid cookie, `finish` + commit of a
//! changed session, and `MemoryStore` load and apply.

#![allow(missing_docs, reason = "benchmark binary")]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use fastsession_core::testing::store_suite::start as fixed_now;
use fastsession_core::{
    Config, Key, MemoryStore, adapter::Sessions, id::SessionId, store::Changes, store::Expiry,
    store::Record, store::SessionStore,
};
use serde_json::json;

fn setup() -> (Sessions, MemoryStore, String, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let sessions = Sessions::new(Config::new(Key::try_from(&[7u8; 32][..]).unwrap())).unwrap();
    let store = MemoryStore::new();
    let now = fixed_now();
    let cookie = runtime.block_on(async {
        let handle = sessions.begin(&[]);
        handle
            .load(&store, now)
            .await
            .unwrap()
            .unwrap()
            .insert("test_counter", &1)
            .unwrap();
        let committed = sessions
            .finish(handle, 200, now)
            .commit(&store, now)
            .await
            .unwrap();
        let header = committed.set_cookie().unwrap().as_str().to_owned();
        header.split(';').next().unwrap().to_owned()
    });
    (sessions, store, cookie, runtime)
}

fn lifecycle(c: &mut Criterion) {
    let (sessions, store, cookie, runtime) = setup();
    let now = fixed_now();
    let header = format!("theme=dark; {cookie}; lang=en");

    // Finding the cookie only: what a route that never extracts the session pays.
    c.bench_function("begin/valid_cookie", |b| {
        b.iter(|| black_box(sessions.begin(&[("cookie", black_box(header.as_bytes()))])));
    });

    // Finding and verifying it (HMAC-SHA256 from the precomputed key state).
    c.bench_function("begin/valid_cookie_verified", |b| {
        b.iter(|| {
            black_box(
                sessions
                    .begin(&[("cookie", black_box(header.as_bytes()))])
                    .cause(),
            )
        });
    });

    c.bench_function("begin/no_cookie", |b| {
        b.iter(|| black_box(sessions.begin(&[("cookie", black_box(&b"theme=dark; lang=en"[..]))])));
    });

    c.bench_function("request/read_only", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let handle = sessions.begin(&[("cookie", header.as_bytes())]);
                let session = handle.load(&store, now).await.unwrap().unwrap();
                black_box(session.get::<u64>("test_counter").unwrap());
                let finish = sessions.finish(handle, 200, now);
                let _ = black_box(finish.commit(&store, now).await.unwrap());
            });
        });
    });

    c.bench_function("request/counter_write", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let handle = sessions.begin(&[("cookie", header.as_bytes())]);
                let session = handle.load(&store, now).await.unwrap().unwrap();
                let n: u64 = session.get("test_counter").unwrap().unwrap_or(0);
                session.insert("test_counter", &(n + 1)).unwrap();
                let finish = sessions.finish(handle, 200, now);
                let _ = black_box(finish.commit(&store, now).await.unwrap());
            });
        });
    });

    c.bench_function("request/new_session", |b| {
        let store = MemoryStore::new();
        b.iter(|| {
            runtime.block_on(async {
                let handle = sessions.begin(&[]);
                handle
                    .load(&store, now)
                    .await
                    .unwrap()
                    .unwrap()
                    .insert("test_counter", &1)
                    .unwrap();
                let finish = sessions.finish(handle, 200, now);
                let _ = black_box(finish.commit(&store, now).await.unwrap());
            });
        });
    });
}

fn memory_store(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let store = MemoryStore::new();
    let now = fixed_now();
    let id = SessionId::from_bytes([3; 32]);
    let record = Record {
        data: [("test_counter".to_owned(), json!(1))]
            .into_iter()
            .collect(),
        created_at: now,
        expiry: Expiry {
            refreshed_at: now,
            expires_at: now + Duration::from_secs(3600),
        },
        user: None,
    };
    runtime.block_on(store.create(&id, &record, now)).unwrap();
    c.bench_function("memory_store/load", |b| {
        b.iter(|| black_box(runtime.block_on(store.load(black_box(&id), now)).unwrap()));
    });
    let mut changes = Changes::new();
    changes.insert("test_counter", json!(2));
    c.bench_function("memory_store/apply", |b| {
        b.iter(|| {
            black_box(
                runtime
                    .block_on(store.apply(&id, &changes, &record.expiry, now))
                    .unwrap(),
            )
        });
    });
}

criterion_group!(benches, lifecycle, memory_store);
criterion_main!(benches);
