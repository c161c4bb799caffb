//! What the fuzz targets share: one engine with a fixed key and sequential IDs (so every run,
//! and every crash input, is reproducible), one valid cookie it issued, and the [`VALID`]
//! placeholder that lets seeds and the fuzzer put that cookie anywhere in an input.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use fastsession_core::testing::SequentialIds;
use fastsession_core::{
    Config, Key, MemoryStore, SkipRule, adapter::SessionHandle, adapter::Sessions,
};

/// The session cookie's name in every target.
pub const NAME: &str = "sid";

/// In an input, stands for [`valid_value`] (the issued value is only known at run time).
pub const VALID: &[u8] = b"@VALID@";

/// A fixed instant, so runs are reproducible.
pub fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

/// A new engine: a fixed key, the default cookie name, sequential IDs, a skip rule.
fn engine() -> Sessions {
    let key = Key::try_from(&[0x5a; 32][..]).expect("a 32-byte key");
    let config = Config::new(key)
        .with_cookie_name(NAME)
        .with_id_generator(SequentialIds::new())
        .with_skip_rule(SkipRule::parse("x-skip-session"));
    Sessions::new(config).expect("a valid configuration")
}

/// The engine under test, shared by every input of a run.
pub fn sessions() -> &'static Sessions {
    static SESSIONS: OnceLock<Sessions> = OnceLock::new();
    SESSIONS.get_or_init(engine)
}

/// Runs `future` to completion on this thread's runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    thread_local! {
        static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
    }
    RUNTIME.with(|runtime| runtime.block_on(future))
}

/// `input` with every [`VALID`] replaced by the issued value.
pub fn with_valid_value(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut rest = input;
    while let Some(at) = rest.windows(VALID.len()).position(|window| window == VALID) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(valid_value().as_bytes());
        rest = &rest[at + VALID.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// Whether `haystack` contains the issued value.
pub fn contains_valid_value(haystack: &[u8]) -> bool {
    let valid = valid_value().as_bytes();
    haystack.windows(valid.len()).any(|window| window == valid)
}

/// A value this engine issued for a live session (the cookie's value, without the name): the
/// first ID of the sequence, so the same in every run.
pub fn valid_value() -> &'static str {
    static VALUE: OnceLock<String> = OnceLock::new();
    VALUE.get_or_init(|| {
        block_on(async {
            // An engine of its own, so the value does not depend on what the inputs created.
            let store = MemoryStore::new();
            let sessions = &engine();
            let handle = sessions.begin(&[]);
            let session = handle
                .load(&store, now())
                .await
                .expect("a memory store does not fail")
                .expect("a new session");
            session.insert("user", "fuzz").expect("a small value");
            let committed = sessions
                .finish(handle, 200, now())
                .commit(&store, now())
                .await
                .expect("a memory store does not fail");
            committed
                .set_cookie()
                .expect("a new session's cookie")
                .value()
                .to_owned()
        })
    })
}

/// Drains the handle's loads as a store with no records would: at most
/// [`fastsession_core::limits::MAX_CANDIDATES`] of them, whatever the headers held. Returns how many.
pub fn drain_loads(handle: &SessionHandle) -> usize {
    let mut loads = 0;
    while handle.next_load().is_some() {
        loads += 1;
        assert!(
            loads <= fastsession_core::limits::MAX_CANDIDATES,
            "more loads than candidates allowed"
        );
        handle.complete_load(None, now());
    }
    loads
}

/// Whether `value` has the only shape an issued cookie value can have:
/// 43 base64url characters, a dot, 43 more.
pub fn is_canonical_shape(value: &str) -> bool {
    let bytes = value.as_bytes();
    let part = |range: &[u8]| {
        range
            .iter()
            .all(|byte| byte.is_ascii_alphanumeric() || *byte == b'-' || *byte == b'_')
    };
    bytes.len() == 87 && bytes[43] == b'.' && part(&bytes[..43]) && part(&bytes[44..])
}
