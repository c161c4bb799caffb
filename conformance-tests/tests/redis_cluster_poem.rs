//! The conformance suite against poem on a Redis Cluster (`FASTSESSION_REDIS_CLUSTER_URL`,
//! default the three masters on 127.0.0.1:7000-7002 that `scripts/test` starts with their
//! replicas; it must answer: these tests never skip).

fastsession_conformance::conformance_suite!(fastsession_conformance::Target::redis_cluster(
    fastsession_conformance::Framework::Poem
));
