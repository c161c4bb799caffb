//! Abuse bounds over HTTP: huge and repetitive `Cookie` headers and floods of cookieless
//! requests end in the documented outcome on every framework, and the server keeps serving.

use reqwest::Method;

use super::{SID, count, log_in, whoami_with};
use crate::fixture::Fixture;
use crate::target::Target;

/// A 1 MiB `Cookie` header of 100,000 pairs with the session cookie last: every framework
/// refuses it with 431 (Request Header Fields Too Large) before the app runs, so the library
/// never sees it (actix-web may instead close the connection while the client is still sending;
/// it is never a timeout); the next ordinary request is served, still logged in. The core's own
/// bound on such a header is in `core/tests/abuse.rs`.
pub async fn a_one_mebibyte_cookie_header_is_bounded(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    let ours = log_in(&client, "ada").await;
    let mut header = String::with_capacity(1 << 21);
    for n in 0..100_000 {
        header.push_str(&format!("k{n:05}=v{n}; "));
    }
    header.push_str(&ours);
    assert!(header.len() >= 1 << 20);
    let outcome = client
        .try_raw(
            Method::GET,
            "/whoami",
            None,
            &[("cookie", header.as_bytes())],
        )
        .await;
    match outcome {
        Ok(reply) => {
            assert_eq!(reply.status, 431, "{}", reply.body);
            assert!(reply.set_cookies().is_empty());
        }
        Err(error) => assert!(!error.is_timeout(), "{error}"),
    }
    // A new client: the refused request's connection may be closed under a pooled one.
    let me = whoami_with(&app.client(), &ours).await;
    assert_eq!(me.keys, ["user"], "still served, still logged in");
}

/// 1,000 cookies of our name: only the first four are candidates (checklist 22), so a valid
/// session cookie among the first four is used and one after them is not; the request never
/// fails and no store entry is created.
pub async fn a_thousand_same_name_cookies_are_bounded(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    let ours = log_in(&client, "ada").await;
    let forged: Vec<String> = (0..999)
        .map(|n| format!("{SID}={}.{n:0>43}", "A".repeat(43)))
        .collect();
    let early = format!(
        "{}; {ours}; {}",
        forged[..3].join("; "),
        forged[3..].join("; ")
    );
    let late = format!("{}; {ours}", forged.join("; "));
    let reply = client.get_with_cookie("/whoami", &early).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body.contains("\"user\""), "{}", reply.body);
    let reply = client.get_with_cookie("/whoami", &late).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(!reply.body.contains("\"user\""), "{}", reply.body);
    assert_eq!(app.stored().await, 1, "only the logged-in session");
}

/// Checklist 22, cookie tossing: ten junk cookies of our name before the real one (empty, too short,
/// a `!` or padding where only base64url belongs, a misplaced or missing dot; six of them 87
/// characters long, as ours) take none of the four candidate slots: the session continues.
pub async fn junk_same_name_cookies_do_not_crowd_out_the_session(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    count(&client, "/session_test").await;
    assert_eq!(count(&client, "/session_test").await.0, 2);
    let ours = client.session_pair(SID).expect("a session cookie");
    let a = |n: usize| "A".repeat(n);
    // Six of the ten are 87 characters long, as ours: all but the first three and the 43.42 split
    // (86 characters).
    let junk = [
        String::new(),
        "x".to_owned(),
        "a.b".to_owned(),
        format!("{}!{}", a(43), a(43)),
        format!("{}!.{}", a(42), a(43)),
        format!("{}.{}!", a(43), a(42)),
        format!("{}.{}==", a(43), a(41)),
        format!("{}.{}", a(44), a(42)),
        format!("{}.{}", a(43), a(42)),
        a(87),
    ];
    let junk: Vec<String> = junk.iter().map(|value| format!("{SID}={value}")).collect();
    let header = format!("{}; {ours}", junk.join("; "));
    let reply = client.get_with_cookie("/session_test", &header).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["test_counter"], 3, "continued, not restarted");
    assert!(reply.set_cookie(SID).is_none(), "no new session");
    assert_eq!(app.stored().await, 1);
}

/// 1,000 cookieless requests that read the session store nothing and set no cookie
/// (checklist 25; the core test runs 100,000).
pub async fn cookieless_floods_store_nothing(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    for _ in 0..1000 {
        let reply = client.raw(Method::GET, "/whoami", None, &[]).await;
        assert_eq!(reply.status, 200);
        assert!(reply.set_cookies().is_empty());
    }
    assert_eq!(app.stored().await, 0);
    // A write still works afterwards.
    assert_eq!(count(&client, "/session_test").await.0, 1);
}
