//! Any bytes as `Cookie` headers (split at newlines into several fields; `@VALID@` stands for a
//! value the engine issued): `begin` never panics, asks for at most four loads, and asks for one
//! only when the headers carry the issued value, the one value that can verify.

#![no_main]

use fastsession_fuzz::{contains_valid_value, drain_loads, sessions, with_valid_value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let headers = with_valid_value(data);
    let fields: Vec<(&str, &[u8])> = headers
        .split(|byte| *byte == b'\n')
        .map(|value| ("cookie", value))
        .collect();
    let handle = sessions().begin(fields.as_slice());
    let _ = handle.cause();
    let loads = drain_loads(&handle);
    if loads > 0 {
        assert!(
            contains_valid_value(&headers),
            "a load for a value never issued"
        );
        // Without a record, the session is new whatever was sent.
        assert!(handle.session().is_some());
    }
});
