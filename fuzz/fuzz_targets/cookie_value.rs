//! Edits to a valid cookie value (each input byte pair: a position and a new byte; or the raw
//! input as the whole value): the result verifies if and only if what the `Cookie` grammar makes
//! of it (the bytes before any `;`, without surrounding spaces and tabs) is the issued value.

#![no_main]

use fastsession_fuzz::{NAME, is_canonical_shape, sessions, valid_value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let valid = valid_value().as_bytes();
    let value: Vec<u8> = match data.split_first() {
        // Mode 0: edit the valid value in place, append or truncate.
        Some((0, edits)) => {
            let mut value = valid.to_vec();
            for pair in edits.chunks(2) {
                match *pair {
                    [at, byte] if usize::from(at) < value.len() => value[usize::from(at)] = byte,
                    [at, byte] if at == 255 => value.push(byte),
                    [_, _] => {
                        value.pop();
                    }
                    _ => {}
                }
            }
            value
        }
        _ => data.to_vec(),
    };
    let mut header = format!("{NAME}=").into_bytes();
    header.extend_from_slice(&value);
    let handle = sessions().begin(&[("cookie", header.as_slice())]);
    let accepted = handle.next_load().is_some();
    let pair_value = value.split(|byte| *byte == b';').next().unwrap_or_default();
    let is_blank = |byte: &u8| *byte == b' ' || *byte == b'\t';
    let start = pair_value.iter().position(|byte| !is_blank(byte));
    let end = pair_value.iter().rposition(|byte| !is_blank(byte));
    let effective = match (start, end) {
        (Some(start), Some(end)) => &pair_value[start..=end],
        _ => &[][..],
    };
    assert_eq!(
        accepted,
        effective == valid,
        "only the issued value verifies: {:?}",
        String::from_utf8_lossy(&value)
    );
    if accepted {
        assert!(is_canonical_shape(valid_value()));
    }
});
