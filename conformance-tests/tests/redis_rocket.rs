//! The conformance suite against rocket on Redis (`FASTSESSION_REDIS_URL`, default
//! `redis://127.0.0.1:6379`; it must answer: these tests never skip).

fastsession_conformance::conformance_suite!(fastsession_conformance::Target::redis(
    fastsession_conformance::Framework::Rocket
));
