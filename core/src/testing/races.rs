//! Races through a [`SessionManager`], for any store: many requests of one session released
//! together, so that their store writes interleave.

use std::sync::Arc;

use tokio::sync::Barrier;

use crate::driver::SessionManager;
use crate::store::SessionStore;

/// Sends `rotations` requests with `cookie` (a `name=value` pair) that each load the session,
/// wait for one another, then rotate it (`cycle_id`); with `logout`, one more request loads it
/// the same way and destroys it. Returns the `name=value` pairs of the session cookies the
/// rotations sent (removals left out). Every request must succeed.
///
/// Run it on a multi-threaded runtime so the writes really interleave. With request
/// serialization on, the requests queue instead and only the first rotation finds the session.
///
/// # Panics
///
/// When a request fails to load its session or answers an error, or a task panics.
pub async fn concurrent_rotations<S: SessionStore>(
    manager: &SessionManager<S>,
    cookie: &str,
    rotations: usize,
    logout: bool,
) -> Vec<String> {
    let requests = rotations + usize::from(logout);
    let barrier = Arc::new(Barrier::new(requests));
    let cookie: Arc<str> = cookie.into();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..requests {
        let (manager, cookie, barrier) = (manager.clone(), cookie.clone(), barrier.clone());
        tasks.spawn(async move {
            let headers: [(&str, &[u8]); 1] = [("cookie", cookie.as_bytes())];
            let request = manager.start(&headers[..]);
            let session = request.session().await.expect("the session loads");
            barrier.wait().await;
            if n == rotations {
                session.destroy().expect("destroy");
            } else {
                session.cycle_id().expect("cycle_id");
            }
            let committed = request.finish(200).await.expect("every request succeeds");
            committed
                .set_cookie()
                .filter(|cookie| !cookie.is_removal())
                .map(|cookie| {
                    let value = cookie.as_str();
                    value[..value.find(';').unwrap_or(value.len())].to_owned()
                })
        });
    }
    let mut issued = Vec::new();
    while let Some(result) = tasks.join_next().await {
        issued.extend(result.expect("no request panics"));
    }
    issued
}
