//! Each store call's future stays small: every layer between the store and the framework moves
//! it, so a future of kilobytes costs a request tens of thousands of instructions in `memcpy`
//! (measured 2026-12-07 with callgrind on the HTTP harness's axum server: 9 KB futures made
//! `memcpy` half of a counter request's instructions). The store boxes its pooled work; these
//! sizes are exact, so the bound can be asserted.

use std::time::SystemTime;

use fastsession_core::id::SessionId;
use fastsession_core::store::{Changes, Expiry, SessionStore};
use fastsession_core::testing::store_suite::record;
use fastsession_postgres::PostgresStore;

/// The most bytes a store call's future may take.
const MOST: usize = 1536;

#[test]
fn store_call_futures_stay_small() {
    // Built, not connected: the futures are measured, never polled.
    let store = PostgresStore::open("postgres://postgres@127.0.0.1:5432/postgres").unwrap();
    let (id, now) = (SessionId::from_bytes([1; 32]), SystemTime::now());
    let expiry = Expiry {
        refreshed_at: now,
        expires_at: now,
    };
    let (changes, record) = (Changes::new(), record(&[]));
    let sizes = [
        ("create", size_of_val(&store.create(&id, &record, now))),
        ("load", size_of_val(&store.load(&id, now))),
        (
            "apply",
            size_of_val(&store.apply(&id, &changes, &expiry, now)),
        ),
        ("touch", size_of_val(&store.touch(&id, &expiry, now))),
        ("retire", size_of_val(&store.retire(&id, &id, now))),
        ("delete", size_of_val(&store.delete(&id, now))),
    ];
    for (operation, size) in sizes {
        assert!(size <= MOST, "{operation}: {size} bytes");
    }
}
