//! The conformance suite against actix-web behind Redis Sentinel
//! (`FASTSESSION_REDIS_SENTINEL_URL`, default the three sentinels on 127.0.0.1:26400-26402 that
//! `scripts/test` starts, watching a master and its replica; they must answer: these tests never
//! skip).

fastsession_conformance::conformance_suite!(fastsession_conformance::Target::redis_sentinel(
    fastsession_conformance::Framework::Actix
));
