//! The conformance suite against axum on Redis over TLS (`FASTSESSION_REDIS_TLS_URL`, default
//! `rediss://127.0.0.1:6390`, with the certificate authority in `FASTSESSION_REDIS_TLS_CA`;
//! `scripts/test` starts that server and sets both: these tests never skip).

fastsession_conformance::conformance_suite!(fastsession_conformance::Target::redis_tls(
    fastsession_conformance::Framework::Axum
));
