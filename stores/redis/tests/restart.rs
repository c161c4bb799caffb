//! Tightened timeouts reach sessions created before a restart: an app restarted with a lower idle
//! timeout, an added absolute timeout or a lower `max_age`, over the same Redis, expires the
//! sessions the old policy would still keep. The clock is manual; Redis's own TTLs are not
//! reached.

mod common;

use std::time::Duration;

use fastsession_core::testing::ManualClock;
use fastsession_core::{Cause, Config, adapter::SessionManager};
use fastsession_redis::RedisStore;

/// An app instance on `prefix`, with the shared `clock` and this policy.
async fn app(
    prefix: &str,
    clock: &ManualClock,
    policy: impl FnOnce(Config) -> Config,
) -> SessionManager<RedisStore> {
    let store = common::store_at(prefix).await;
    common::manager_on(store, |config| policy(config.with_clock(clock.clone())))
}

/// One request that counts; returns the cookie pair it set, if any, and the cause it saw.
async fn visit(
    manager: &SessionManager<RedisStore>,
    cookie: Option<&str>,
) -> (Option<String>, Cause) {
    let mut cause = None;
    let cookie = common::request(manager, cookie, |session| {
        cause = Some(session.cause());
        let n: u64 = session.get("n").expect("a number").unwrap_or(0);
        session.insert("n", &(n + 1)).expect("insert");
    })
    .await;
    (cookie, cause.expect("the handler ran"))
}

async fn restarted_sees(
    before: impl FnOnce(Config) -> Config,
    after: impl FnOnce(Config) -> Config,
    elapsed: Duration,
) -> Cause {
    let (prefix, clock) = (common::unique_prefix("restart"), ManualClock::new());
    let first = app(&prefix, &clock, before).await;
    let (cookie, cause) = visit(&first, None).await;
    assert_eq!(cause, Cause::New);
    clock.advance(elapsed);
    drop(first);
    let second = app(&prefix, &clock, after).await;
    let (_, cause) = visit(&second, cookie.as_deref()).await;
    second.store().admin().clear().await.expect("cleanup");
    cause
}

#[tokio::test]
async fn a_lowered_idle_timeout_applies_after_a_restart() {
    let hour = Duration::from_secs(3600);
    let five_minutes = Duration::from_secs(300);
    let six_minutes = Duration::from_secs(360);
    assert_eq!(
        restarted_sees(
            |c| c.with_idle_timeout(hour),
            |c| c.with_idle_timeout(hour),
            six_minutes
        )
        .await,
        Cause::Success,
        "the control: the same policy keeps the session"
    );
    assert_eq!(
        restarted_sees(
            |c| c.with_idle_timeout(hour),
            |c| c.with_idle_timeout(five_minutes),
            six_minutes
        )
        .await,
        Cause::Expired
    );
}

#[tokio::test]
async fn an_added_absolute_timeout_applies_after_a_restart() {
    let cause = restarted_sees(
        |c| c,
        |c| c.with_absolute_timeout(Duration::from_secs(600)),
        Duration::from_secs(601),
    )
    .await;
    assert_eq!(cause, Cause::Expired);
}

#[tokio::test]
async fn a_lowered_max_age_applies_after_a_restart() {
    let cause = restarted_sees(
        |c| c.with_max_age_secs(86_400),
        |c| c.with_max_age_secs(60),
        Duration::from_secs(61),
    )
    .await;
    assert_eq!(cause, Cause::Expired);
}
