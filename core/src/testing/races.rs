//! Races through a [`SessionManager`], for any store: many requests of one session released
//! together, so that their store writes interleave, races staged step by step, and the request
//! helpers they are made of.

use std::sync::Arc;

use tokio::sync::Barrier;

use crate::Session;
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

/// One request that succeeds, with `cookie` (a `name=value` pair) if given, running `handler` on
/// its session; returns its `Set-Cookie` as the `name=value` pair a browser sends back (`sid=`
/// for a removal).
///
/// # Panics
///
/// When the session does not load or the request fails.
pub async fn request<S: SessionStore>(
    manager: &SessionManager<S>,
    cookie: Option<&str>,
    handler: impl FnOnce(&Session),
) -> Option<String> {
    let headers: Vec<(&str, &[u8])> = cookie
        .map(|cookie| ("cookie", cookie.as_bytes()))
        .into_iter()
        .collect();
    let request = manager.start(headers.as_slice());
    handler(&request.session().await.expect("the session loads"));
    let committed = request.finish(200).await.expect("every request succeeds");
    committed.set_cookie().map(|cookie| pair(cookie.as_str()))
}

/// The `name=value` pair of a `Set-Cookie` value.
pub fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or_default().to_owned()
}

/// A request that logs `ada` in (`user` = `"ada"`); returns its session cookie.
///
/// # Panics
///
/// When the request fails or sets no cookie.
pub async fn logged_in<S: SessionStore>(manager: &SessionManager<S>) -> String {
    request(manager, None, |session| {
        session.insert("user", "ada").expect("insert");
    })
    .await
    .expect("a cookie")
}

/// A race staged step by step on the session of `cookie`: a request loads it; `interloper` runs
/// a whole request; then the first request runs `late` and finishes, which succeeds. Returns the
/// `Set-Cookie` of the late request as [`request`] does.
///
/// # Panics
///
/// When a request fails.
pub async fn staged_race<S: SessionStore>(
    manager: &SessionManager<S>,
    cookie: &str,
    interloper: impl FnOnce(&Session),
    late: impl FnOnce(&Session),
) -> Option<String> {
    let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie.as_bytes())];
    let slow = manager.start(headers.as_slice());
    let session = slow.session().await.expect("loaded before the interloper");
    request(manager, Some(cookie), interloper).await;
    late(&session);
    let committed = slow
        .finish(200)
        .await
        .expect("the late request still succeeds");
    committed.set_cookie().map(|cookie| pair(cookie.as_str()))
}

/// 50 requests of one logged-in session, released together, each set a key of its own; every
/// key is there afterwards. Returns the session's cookie.
///
/// # Panics
///
/// When a request fails or a key is lost.
pub async fn fifty_writers_of_different_keys<S: SessionStore>(
    manager: &SessionManager<S>,
) -> String {
    let cookie: Arc<str> = logged_in(manager).await.into();
    let barrier = Arc::new(Barrier::new(50));
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..50 {
        let (manager, cookie, barrier) = (manager.clone(), cookie.clone(), barrier.clone());
        tasks.spawn(async move {
            let headers: Vec<(&str, &[u8])> = vec![("cookie", cookie.as_bytes())];
            let request = manager.start(headers.as_slice());
            barrier.wait().await;
            let session = request.session().await.expect("the session loads");
            session.insert(&format!("key{n}"), &n).expect("insert");
            request.finish(200).await.err().map(|error| error.status())
        });
    }
    while let Some(result) = tasks.join_next().await {
        assert_eq!(result.expect("the task ran"), None, "every write succeeds");
    }
    let mut keys = Vec::new();
    request(manager, Some(&cookie), |session| keys = session.keys()).await;
    assert_eq!(keys.len(), 51, "user plus 50 keys");
    cookie.to_string()
}

/// Two new sessions created together by a manager whose ID generator draws 7, 7, 7, then 8
/// ([`SequentialIds::scripted`](crate::testing::SequentialIds::scripted)): the store's
/// insert-if-absent gives 7 to one, and the other draws again until it gets a free ID. Each
/// session sees only its own data.
///
/// # Panics
///
/// When both sessions get one ID, or one sees the other's data.
pub async fn concurrent_creations_with_repeating_ids<S: SessionStore>(manager: &SessionManager<S>) {
    let barrier = Arc::new(Barrier::new(2));
    let mut tasks = tokio::task::JoinSet::new();
    for owner in ["first", "second"] {
        let (manager, barrier) = (manager.clone(), barrier.clone());
        tasks.spawn(async move {
            let request = manager.start(&[]);
            let session = request.session().await.expect("a new session");
            session.insert("owner", owner).expect("insert");
            barrier.wait().await;
            let committed = request.finish(200).await.expect("the request succeeds");
            (
                owner,
                pair(committed.set_cookie().expect("a cookie").as_str()),
            )
        });
    }
    let mut cookies = Vec::new();
    while let Some(result) = tasks.join_next().await {
        cookies.push(result.expect("the task ran"));
    }
    assert_ne!(cookies[0].1, cookies[1].1, "two sessions, two IDs");
    for (owner, cookie) in &cookies {
        let mut seen = None;
        request(manager, Some(cookie), |session| {
            seen = session.get::<String>("owner").expect("a string");
        })
        .await;
        assert_eq!(seen.as_deref(), Some(*owner), "each sees only its own data");
    }
}

/// A logged-in session, then a race staged on it ([`staged_race`]): a request loads it,
/// `interloper` runs a whole request (a logout or a rotation, say), then the first request sets
/// another key and finishes: it succeeds and sends no cookie. Returns the session's cookie.
///
/// # Panics
///
/// When a request fails, or the late request sends a cookie.
pub async fn write_after<S: SessionStore>(
    manager: &SessionManager<S>,
    interloper: impl FnOnce(&Session),
) -> String {
    let cookie = logged_in(manager).await;
    let late = staged_race(manager, &cookie, interloper, |session| {
        session.insert("cart", &5).expect("insert");
    })
    .await;
    assert!(late.is_none(), "the late request sends no cookie");
    cookie
}

/// "Log out everywhere" by user through `manager`, racing a rotation: `ada` logs in three
/// times (three devices); one device's request loads its session, an administrator ends every
/// session of `ada`, then that request rotates the session and finishes. No device's cookie
/// reaches a session afterwards, the rotation made no successor, and `ada` has no session left;
/// another user's session is left alone.
///
/// # Panics
///
/// When a session of `ada` survives, or the other user's does not.
pub async fn logging_out_everywhere_ends_every_device<S: SessionStore>(
    manager: &SessionManager<S>,
) {
    let mut devices = Vec::new();
    for user in ["ada", "ada", "ada", "bob"] {
        let cookie = request(manager, None, |session| {
            session.set_user(user).expect("set_user");
        })
        .await;
        devices.push(cookie.expect("a cookie"));
    }
    assert_eq!(manager.user_sessions("ada").await.expect("a list").len(), 3);
    let headers: Vec<(&str, &[u8])> = vec![("cookie", devices[0].as_bytes())];
    let slow = manager.start(headers.as_slice());
    let session = slow.session().await.expect("loaded before the logout");
    let ended = manager.end_user_sessions("ada").await.expect("ended");
    assert_eq!(ended, 3, "every device of ada");
    session.cycle_id().expect("cycle_id");
    let committed = slow.finish(200).await.expect("the late request succeeds");
    assert!(
        committed.set_cookie().is_none(),
        "no successor for an ended session"
    );
    for (n, device) in devices.iter().enumerate() {
        let mut seen = None;
        request(manager, Some(device), |session| {
            seen = Some((session.cause(), session.user()));
        })
        .await;
        let (cause, user) = seen.expect("the handler ran");
        if n < 3 {
            assert_eq!(cause, crate::Cause::NoStore, "device {n} of ada has ended");
            assert_eq!(user, None);
        } else {
            assert_eq!(
                (cause, user.as_deref()),
                (crate::Cause::Success, Some("bob"))
            );
        }
    }
    assert!(
        manager
            .user_sessions("ada")
            .await
            .expect("a list")
            .is_empty()
    );
}
