//! The conformance suite against axum.

fastsession_conformance::conformance_suite!(fastsession_conformance::Framework::Axum);
