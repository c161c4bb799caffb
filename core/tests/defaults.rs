//! The checklist's build-time and default guarantees, on an unmodified `Config::new`: ID
//! randomness (item 1), the exact default cookie (13), the prefix rules (14) and the default
//! store timeout (44).

use fastsession_core::testing::store_suite::start as fixed_now;
use fastsession_core::{
    Config, ConfigError, Key, KeyRing, MemoryStore, adapter::Sessions, id::IdGenerator,
    id::OsRandom,
};

fn keys() -> KeyRing {
    KeyRing::from(Key::try_from(&[0x42; 32][..]).unwrap())
}

/// Item 1: 100,000 IDs from the OS random source are 32 bytes, all distinct, and every one of
/// the 256 bits is set in 50 % ± 1 % of them (about six standard deviations of slack).
#[test]
fn os_random_ids_are_32_bytes_distinct_and_unbiased() {
    const N: usize = 100_000;
    let mut seen = std::collections::HashSet::with_capacity(N);
    let mut ones = [0usize; 256];
    for _ in 0..N {
        let id = OsRandom.generate().unwrap();
        let bytes: [u8; 32] = *id.as_bytes();
        for (bit, count) in ones.iter_mut().enumerate() {
            *count += usize::from(bytes[bit / 8] >> (bit % 8) & 1);
        }
        assert!(seen.insert(bytes), "a repeated ID");
    }
    for (bit, count) in ones.iter().enumerate() {
        let share = *count as f64 / N as f64;
        assert!((0.49..=0.51).contains(&share), "bit {bit} set in {share}");
    }
}

/// Item 13: the first write under the defaults sends exactly
/// `sid=VALUE; Path=/; HttpOnly; Secure; SameSite=Lax` (no Domain, Max-Age or Expires).
#[tokio::test]
async fn the_default_cookie_has_exactly_the_safe_attributes() {
    let sessions = Sessions::new(Config::new(keys())).unwrap();
    let store = MemoryStore::new();
    let now = fixed_now();
    let handle = sessions.begin(&[]);
    let session = handle.load(&store, now).await.unwrap().unwrap();
    session.insert("user", "ada").unwrap();
    let committed = sessions
        .finish(handle, 200, now)
        .commit(&store, now)
        .await
        .unwrap();
    let cookie = committed.set_cookie().unwrap().as_str().to_owned();
    let (pair, attributes) = cookie.split_once("; ").unwrap();
    assert!(pair.starts_with("sid=") && pair.len() == 4 + 87, "{pair}");
    let mut attributes: Vec<&str> = attributes.split("; ").collect();
    attributes.sort_unstable();
    assert_eq!(attributes, ["HttpOnly", "Path=/", "SameSite=Lax", "Secure"]);
}

/// Item 44: every store call the manager makes is limited to 2 s unless configured.
#[test]
fn the_default_store_timeout_is_two_seconds() {
    let config = Config::new(keys());
    assert_eq!(config.store_timeout(), std::time::Duration::from_secs(2));
    assert_eq!(
        config.store_timeout(),
        fastsession_core::limits::DEFAULT_STORE_TIMEOUT
    );
}

/// The README's promises: a user keeps at most 100 sessions unless configured, and the session
/// travels in the cookie unless a header transport is chosen (`Authorization` by default).
#[test]
fn a_user_keeps_100_sessions_and_the_cookie_is_the_transport_by_default() {
    let config = Config::new(keys());
    assert_eq!(config.max_sessions_per_user(), 100);
    assert_eq!(config.transport(), fastsession_core::Transport::Cookie);
    assert_eq!(config.session_header(), "authorization");
}

/// Item 14: a prefixed name without `Secure`, `__Host-` with a `Domain` or a `Path` other than
/// `/` are rejected when the engine is built, with a message naming the value.
#[test]
fn prefix_rules_are_enforced_at_build_time() {
    let rejected = |config: Config| Sessions::new(config).unwrap_err();
    let host = || Config::new(keys()).with_cookie_name("__Host-sid");
    assert!(matches!(
        rejected(host().with_secure(false)),
        ConfigError::PrefixWithoutSecure { .. }
    ));
    assert!(matches!(
        rejected(host().with_domain("example.com")),
        ConfigError::HostPrefixWithDomain { .. }
    ));
    let error = rejected(host().with_path("/app"));
    assert!(matches!(error, ConfigError::HostPrefixWithPath { .. }));
    assert!(error.to_string().contains("/app"), "{error}");
    assert!(matches!(
        rejected(
            Config::new(keys())
                .with_cookie_name("__secure-sid")
                .with_secure(false)
        ),
        ConfigError::PrefixWithoutSecure { .. }
    ));
    assert!(
        Sessions::new(host()).is_ok(),
        "the valid __Host- setup builds"
    );
}
