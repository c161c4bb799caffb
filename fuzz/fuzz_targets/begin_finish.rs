//! Whole requests through the whole lifecycle against an empty in-memory store: skip rules,
//! cookie parsing, verification, load, an optional write or destroy, the finish plan and its
//! commit. Never panics; any cookie sent has the canonical shape or is a removal; nothing is
//! stored for a 5xx response.
//!
//! Input: byte 0 holds flags (bit 0: insert `"k"`, bit 1: destroy), bytes 1 and 2 the status
//! (big-endian), then header lines separated by `\n`, each `name:value` (a line without a colon
//! is a `cookie` header). `@VALID@` stands for a value the engine issued.

#![no_main]

use fastsession_core::MemoryStore;
use fastsession_fuzz::{block_on, is_canonical_shape, now, sessions, with_valid_value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [flags, high, low, rest @ ..] = data else {
        return;
    };
    let status = u16::from_be_bytes([*high, *low]);
    let lines = with_valid_value(rest);
    let headers: Vec<(&str, &[u8])> = lines
        .split(|byte| *byte == b'\n')
        .map(|line| match line.iter().position(|byte| *byte == b':') {
            Some(colon) => (
                std::str::from_utf8(&line[..colon]).unwrap_or("x-not-utf8"),
                &line[colon + 1..],
            ),
            None => ("cookie", line),
        })
        .collect();
    let store = MemoryStore::new();
    block_on(async {
        let handle = sessions().begin(headers.as_slice());
        let _ = handle.cause();
        if let Ok(Some(session)) = handle.load(&store, now()).await {
            if flags & 1 != 0 {
                // Refusals (the payload cap, a destroyed session) are errors, never panics.
                let _ = session.insert("k", &String::from_utf8_lossy(rest));
            }
            if flags & 2 != 0 {
                let _ = session.destroy();
            }
        }
        let committed = sessions()
            .finish(handle, status, now())
            .commit(&store, now())
            .await;
        if let Ok(committed) = &committed
            && let Some(cookie) = committed.set_cookie()
        {
            assert!(cookie.as_str().starts_with("sid="));
            assert!(cookie.is_removal() || is_canonical_shape(cookie.value()));
        }
    });
    if status >= 500 {
        assert!(store.is_empty(), "nothing is stored for a 5xx response");
    }
});
