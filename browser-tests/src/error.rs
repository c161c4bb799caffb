//! The one error type of the browser tests.

use std::io;

/// Why a browser test could not set up or drive its browser or app.
///
/// A failed expectation about the session is a panic in the scenario, as in any test; this type
/// is for the parts around it: a missing `chromedriver`, an example app that did not start, a
/// WebDriver command that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BrowserTestError {
    /// A program could not be started (most often: it is not installed).
    #[error("could not start `{program}`: {source} ({hint})")]
    Spawn {
        /// The program that was run.
        program: String,
        /// What to do about it.
        hint: &'static str,
        /// What the operating system said.
        source: io::Error,
    },
    /// A started program exited, or did not print its ready line in time.
    #[error("`{program}` did not become ready: {reason}")]
    NotReady {
        /// The program that was started.
        program: String,
        /// What happened instead.
        reason: String,
    },
    /// The WebDriver session could not be created.
    #[error("chromedriver refused a new session: {0}")]
    NewSession(#[from] fantoccini::error::NewSessionError),
    /// A WebDriver command failed.
    #[error("a WebDriver command failed: {0}")]
    Command(#[from] fantoccini::error::CmdError),
    /// A temporary profile directory could not be created, or another I/O step failed.
    #[error("an I/O step failed: {0}")]
    Io(#[from] io::Error),
    /// A page that should hold JSON did not.
    #[error("the page at {url} is not the expected JSON: {text:?}")]
    NotJson {
        /// The page's address.
        url: String,
        /// The page's visible text.
        text: String,
    },
}
