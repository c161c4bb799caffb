//! Every adapter's constructor validates its `Config` as `Sessions::new` does: a bad value is a
//! `ConfigError` naming it, before any request, on all four frameworks.

use fastsession_conformance::Framework;
use fastsession_conformance::servers::{self, AppState};
use fastsession_conformance::store::Backend;
use fastsession_core::{Config, Key};

#[tokio::test]
async fn every_adapter_refuses_a_bad_configuration_at_construction() {
    for framework in Framework::ALL {
        let key = Key::try_from(&[5u8; 32][..]).expect("a key");
        let state = AppState {
            config: Config::new(key).with_max_age_secs(-5),
            store: Backend::memory(),
            second: None,
        };
        let error = servers::start(framework, state, 0)
            .await
            .err()
            .unwrap_or_else(|| panic!("{} started with max_age -5", framework.name()));
        assert_eq!(
            error.kind(),
            std::io::ErrorKind::InvalidInput,
            "{}",
            framework.name()
        );
        assert!(
            error.to_string().contains("max_age is -5 seconds"),
            "{}: {error}",
            framework.name()
        );
    }
}
