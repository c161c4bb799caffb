//! The conformance suite against actix.

fastsession_conformance::conformance_suite!(fastsession_conformance::Framework::Actix);
