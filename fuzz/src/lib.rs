//! What the fuzz targets share: one engine with a fixed key, and one valid cookie it issued.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use fastsession_core::{Config, Key, MemoryStore, SessionHandle, Sessions, SkipRule};

/// The session cookie's name in every target.
pub const NAME: &str = "sid";

/// A fixed instant, so runs are reproducible.
pub fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

/// The engine under test: a fixed key, the default cookie name, a skip rule.
pub fn sessions() -> &'static Sessions {
    static SESSIONS: OnceLock<Sessions> = OnceLock::new();
    SESSIONS.get_or_init(|| {
        let key = Key::try_from(&[0x5a; 32][..]).expect("a 32-byte key");
        let config = Config::new(key.into())
            .with_cookie_name(NAME)
            .with_skip_rule(SkipRule::parse("x-skip-session"));
        Sessions::new(config).expect("a valid configuration")
    })
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

/// A value this engine issued for a live session (the cookie's value, without the name).
pub fn valid_value() -> &'static str {
    static VALUE: OnceLock<String> = OnceLock::new();
    VALUE.get_or_init(|| {
        block_on(async {
            let store = MemoryStore::new();
            let sessions = sessions();
            let handle = sessions.begin(std::iter::empty(), now());
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
/// [`fastsession_core::MAX_CANDIDATES`] of them, whatever the headers held. Returns how many.
pub fn drain_loads(handle: &SessionHandle) -> usize {
    let mut loads = 0;
    while handle.next_load().is_some() {
        loads += 1;
        assert!(
            loads <= fastsession_core::MAX_CANDIDATES,
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
