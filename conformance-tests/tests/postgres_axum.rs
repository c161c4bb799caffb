//! The conformance suite against axum on PostgreSQL (`FASTSESSION_POSTGRES_URL`, default the
//! scratch database `scripts/test` creates; it must answer: these tests never skip).

fastsession_conformance::conformance_suite!(fastsession_conformance::Target::postgres(
    fastsession_conformance::Framework::Axum
));
