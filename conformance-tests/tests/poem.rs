//! The conformance suite against poem.

fastsession_conformance::conformance_suite!(fastsession_conformance::Framework::Poem);
