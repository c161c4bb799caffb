//! The conformance suite against actix on the in-memory store.

fastsession_conformance::conformance_suite!(fastsession_conformance::Target::memory(
    fastsession_conformance::Framework::Actix
));
