//! fastsession in a real browser: headless Chromium, driven through WebDriver, against each
//! framework's example app on 127.0.0.1.
//!
//! # How it works
//!
//! Each scenario in [`scenarios`] starts `chromedriver` (Debian's `chromium-driver`) on a free
//! loopback port, the example app's binary on another, and one or more headless Chromium
//! browsers, each with a fresh `--user-data-dir` (its own cookie jar). It drives the browser as
//! a person would (address bar, forms, buttons) and reads what the browser kept through its
//! cookie API and through `document.cookie`. Every process (`chromedriver`, the app, each
//! browser and its helpers) is killed and every profile deleted when the scenario ends, also
//! when it fails.
//!
//! # Quick start
//!
//! Each example crate runs every scenario against itself with one line in `tests/browser.rs`,
//! one `#[test]` per scenario:
//!
//! ```no_run
//! fastsession_browser_tests::browser_scenarios!(env!("CARGO_BIN_EXE_example-axum"));
//! ```
//!
//! # Requirements
//!
//! `chromedriver` on `PATH` (or [`CHROMEDRIVER_VARIABLE`]) and a Chromium it finds (or
//! [`CHROMIUM_VARIABLE`]). Without them every scenario fails with a message that says what to
//! install; `.ci/run` installs Debian's `chromium` and `chromium-driver` when they are missing.
//!
//! # Features
//!
//! This crate has no cargo features.
//!
//! # Minimum supported Rust version
//!
//! Rust 1.89, like the whole workspace.

mod browser;
mod error;
mod process;
pub mod scenarios;

pub use browser::{Browser, CHROMIUM_VARIABLE, INSECURE_HOST};
pub use error::BrowserTestError;
pub use process::{
    CHROMEDRIVER_VARIABLE, Chromedriver, Running, start_chromedriver, start_example,
};

/// Runs a scenario to completion on a runtime of its own; a setup failure fails the test with
/// its message.
pub fn run<F>(scenario: F)
where
    F: Future<Output = Result<(), BrowserTestError>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|error| panic!("could not build a Tokio runtime: {error}"));
    if let Err(error) = runtime.block_on(scenario) {
        panic!("{error}");
    }
}

/// Defines one `#[test]` per scenario in [`scenarios`], each against the example app binary
/// `$binary` (in an example's integration test: `env!("CARGO_BIN_EXE_<name>")`).
#[macro_export]
macro_rules! browser_scenarios {
    ($binary:expr) => {
        $crate::browser_scenarios!(@each $binary;
            counter_counts_per_profile,
            cookie_is_hidden_from_scripts_and_has_the_configured_attributes,
            max_age_gives_the_cookie_an_expiry,
            login_rotates_the_cookie_and_keeps_the_data,
            a_user_name_with_markup_is_shown_as_text,
            logout_removes_the_cookie_and_the_next_page_is_anonymous,
            secure_cookie_is_not_sent_back_over_plain_http,
            cookie_without_secure_is_sent_back_over_plain_http,
            secure_cookie_is_kept_on_loopback,
            two_processes_share_the_store_that_fastsession_store_names,
            logging_out_other_devices_ends_the_other_browser,
        );
    };
    (@each $binary:expr; $($scenario:ident,)*) => {
        $(
            #[test]
            fn $scenario() {
                $crate::run($crate::scenarios::$scenario($binary));
            }
        )*
    };
}
