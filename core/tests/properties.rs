//! Property tests: tampering is always caught, arbitrary headers never panic, and signing
//! round-trips under every key of a ring.

mod common;

use common::{KEY, OLD_KEY, key};
use fastsession_core::testing::store_suite::start as fixed_now;
use fastsession_core::{Cause, Config, Key, KeyRing, adapter::Sessions};
use proptest::prelude::*;

fn sessions(keys: KeyRing) -> Sessions {
    Sessions::new(Config::new(keys).with_secure(false)).unwrap()
}

/// A cookie value signed by `sessions` for the ID with these bytes.
fn signed(keys: KeyRing, id: [u8; 32]) -> String {
    use fastsession_core::{id::IdError, id::IdGenerator, id::SessionId};
    #[derive(Debug)]
    struct Fixed([u8; 32]);
    impl IdGenerator for Fixed {
        fn generate(&self) -> Result<SessionId, IdError> {
            Ok(SessionId::from_bytes(self.0))
        }
    }
    let sessions = Sessions::new(
        Config::new(keys)
            .with_secure(false)
            .with_id_generator(Fixed(id)),
    )
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = fastsession_core::MemoryStore::new();
        let now = fixed_now();
        let handle = sessions.begin(&[]);
        handle
            .load(&store, now)
            .await
            .unwrap()
            .unwrap()
            .insert("k", &1)
            .unwrap();
        let committed = sessions
            .finish(handle, 200, now)
            .commit(&store, now)
            .await
            .unwrap();
        committed.set_cookie().unwrap().value().to_owned()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_changed_byte_is_rejected(id in any::<[u8; 32]>(), at in 0usize..87, byte in any::<u8>()) {
        let value = signed(KeyRing::from(key(KEY)), id);
        prop_assume!(value.as_bytes()[at] != byte);
        let mut tampered = value.into_bytes();
        tampered[at] = byte;
        let mut header = b"sid=".to_vec();
        header.extend_from_slice(&tampered);
        let handle = sessions(KeyRing::from(key(KEY))).begin(&[("cookie", header.as_slice())]);
        prop_assert_eq!(handle.next_load(), None);
        prop_assert!(matches!(handle.cause(), Cause::InvalidSignature | Cause::Malformed));
    }

    #[test]
    fn arbitrary_cookie_headers_never_panic(headers in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..6)) {
        let sessions = sessions(KeyRing::from(key(KEY)));
        let fields: Vec<(&str, &[u8])> = headers.iter().map(|value| ("cookie", value.as_slice())).collect();
        let handle = sessions.begin(fields.as_slice());
        prop_assert_eq!(handle.next_load(), None, "random bytes never carry a valid signature");
    }

    #[test]
    fn structured_cookie_noise_never_panics(pairs in proptest::collection::vec(("[ a-z=;\"%]{0,6}", "[ -~]{0,100}"), 0..40)) {
        let header: String = pairs.iter().map(|(name, value)| format!("{name}={value}; ")).collect();
        let handle = sessions(KeyRing::from(key(KEY))).begin(&[("cookie", header.as_bytes())]);
        prop_assert_eq!(handle.next_load(), None);
    }

    #[test]
    fn every_key_of_a_ring_verifies_its_cookies(id in any::<[u8; 32]>(), signer in 0usize..3) {
        let keys = [key(KEY), key(OLD_KEY), Key::try_from(&[9u8; 48][..]).unwrap()];
        let value = signed(KeyRing::from(keys[signer].clone()), id);
        let header = format!("sid={value}");
        let ring = KeyRing::new(keys).unwrap();
        let handle = sessions(ring).begin(&[("cookie", header.as_bytes())]);
        let loaded = handle.next_load().map(|id| *id.as_bytes());
        prop_assert_eq!(loaded, Some(id));
    }
}
