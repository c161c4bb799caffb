//! Any bytes as `Cookie` headers (split at newlines into several fields): `begin` never panics,
//! asks for at most four loads, and only for a value it verified.

#![no_main]

use fastsession_fuzz::{drain_loads, now, sessions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let sessions = sessions();
    let handle = sessions.begin(data.split(|byte| *byte == b'\n'), now());
    let _ = handle.cause();
    let loads = drain_loads(&handle);
    // Without a record, the session is new whatever was sent.
    if loads > 0 {
        assert!(handle.session().is_some());
    }
});
