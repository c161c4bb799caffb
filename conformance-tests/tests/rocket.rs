//! The conformance suite against rocket.

fastsession_conformance::conformance_suite!(fastsession_conformance::Framework::Rocket);
