//! This example in headless Chromium: see the `fastsession-browser-tests` crate.

fastsession_browser_tests::browser_scenarios!(env!("CARGO_BIN_EXE_example-hyper"));
