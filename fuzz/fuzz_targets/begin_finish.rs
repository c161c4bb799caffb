//! Arbitrary header sets and response statuses through the whole lifecycle against an empty
//! in-memory store: skip rules, cookie parsing, verification, load, an optional write or
//! destroy, the finish plan and its commit. Never panics; any cookie sent has the canonical shape
//! or is a removal; nothing is stored for a 5xx response.

#![no_main]

use arbitrary::Arbitrary;
use fastsession_core::MemoryStore;
use fastsession_fuzz::{NAME, block_on, is_canonical_shape, now, sessions, valid_value};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Request {
    headers: Vec<(String, Vec<u8>)>,
    with_valid_cookie: bool,
    write: Option<(String, String)>,
    destroy: bool,
    status: u16,
}

fuzz_target!(|request: Request| {
    let sessions = sessions();
    let valid = format!("{NAME}={}", valid_value());
    let mut headers: Vec<(&str, &[u8])> = request
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_slice()))
        .collect();
    if request.with_valid_cookie {
        headers.push(("cookie", valid.as_bytes()));
    }
    let store = MemoryStore::new();
    block_on(async {
        let handle = sessions.begin_request(headers.as_slice(), now());
        let _ = handle.cause();
        if let Ok(Some(session)) = handle.load(&store, now()).await {
            if let Some((key, value)) = &request.write {
                // Refusals (the payload cap, a destroyed session) are errors, never panics.
                let _ = session.insert(key, value);
            }
            if request.destroy {
                let _ = session.destroy();
            }
        }
        let committed = sessions
            .finish(handle, request.status, now())
            .commit(&store, now())
            .await;
        if let Ok(committed) = &committed
            && let Some(cookie) = committed.set_cookie()
        {
            assert!(cookie.as_str().starts_with("sid="));
            assert!(cookie.is_removal() || is_canonical_shape(cookie.value()));
        }
    });
    if request.status >= 500 {
        assert!(store.is_empty(), "nothing is stored for a 5xx response");
    }
});
