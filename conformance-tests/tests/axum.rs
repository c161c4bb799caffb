//! The conformance suite against axum on the in-memory store.

fastsession_conformance::conformance_suite!(fastsession_conformance::Target::memory(
    fastsession_conformance::Framework::Axum
));
