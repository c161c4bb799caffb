//! A. Creation and cookie shape (Python FastSession's scenarios 1 to 7; checklist 1, 4, 13).

use std::collections::HashSet;

use base64::Engine as _;

use super::{SID, count};
use crate::client::{attribute, cookie_value};
use crate::fixture::Fixture;
use crate::target::Target;

/// Scenario 1, lazy by default: a visit that never writes creates no session and no cookie.
pub async fn lazy_visits_create_nothing(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    let reply = client.get("/plain").await;
    assert_eq!((reply.status, reply.body.as_str()), (200, "Hello, world!"));
    assert!(reply.set_cookies().is_empty(), "{:?}", reply.set_cookies());
    let reply = client.get("/whoami").await;
    assert!(reply.set_cookie(SID).is_none(), "reading creates nothing");
    assert_eq!(app.stored().await, 0);
}

/// Scenario 1, eager (Python FastSession's behaviour): the first response carries exactly one session
/// cookie, and the store holds exactly that session.
pub async fn eager_visit_creates_a_session(target: Target) {
    let app = Fixture::with_flags(target, &["--eager"]).await;
    let client = app.client();
    let reply = client.get("/plain").await;
    assert_eq!(reply.body, "Hello, world!");
    assert_eq!(reply.set_cookies_named(SID).len(), 1);
    assert_eq!(app.stored().await, 1);
    let id = super::whoami(&client)
        .await
        .id
        .expect("the eager session is stored");
    let cookie = reply.set_cookie(SID).expect("a cookie");
    assert!(
        cookie_value(&cookie).starts_with(&id),
        "the cookie carries the stored ID"
    );
}

/// Scenario 2 and checklist 1: IDs are 256 random bits, distinct, and never in a response the
/// handler did not put them in.
pub async fn ids_are_distinct_random_and_never_shown(target: Target) {
    let app = Fixture::builder(target).real_ids().start().await;
    let mut seen = HashSet::new();
    let mut ones = [0u32; 256];
    let visits = 1000;
    for _ in 0..visits {
        let client = app.client();
        let (_, reply) = count(&client, "/session_test").await;
        let value = cookie_value(&reply.set_cookie(SID).expect("a cookie"));
        let id = &value[..43];
        assert!(!reply.body.contains(id), "the ID never appears in the body");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(id)
            .expect("base64url");
        assert_eq!(bytes.len(), 32);
        for (bit, count) in ones.iter_mut().enumerate() {
            *count += u32::from(bytes[bit / 8] >> (bit % 8) & 1);
        }
        assert!(seen.insert(bytes), "IDs are distinct");
    }
    // Each bit is set in about half of the IDs (a loose bound: 1000 samples).
    for (bit, count) in ones.iter().enumerate() {
        assert!(
            (380..=620).contains(count),
            "bit {bit} set in {count} of {visits} IDs"
        );
    }
}

/// Scenario 3 and checklist 4: the value is `b64url(id).b64url(mac)`, 87 URL-safe characters;
/// sent back unchanged it continues the session.
pub async fn cookie_value_is_opaque_url_safe_and_signed(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    let (n, reply) = count(&client, "/session_test").await;
    assert_eq!(n, 1);
    let value = cookie_value(&reply.set_cookie(SID).expect("a cookie"));
    assert_eq!(value.len(), 87);
    let (id, mac) = value.split_once('.').expect("a dot");
    assert_eq!((id.len(), mac.len()), (43, 43));
    assert!(
        value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    );
    assert_eq!(count(&client, "/session_test").await.0, 2);
}

/// Scenario 4: `HttpOnly`, `Secure`, `Max-Age` and `Expires` follow the configuration.
pub async fn cookie_attributes_follow_the_configuration(target: Target) {
    let app = Fixture::with_flags(target, &["--secure", "true"]).await;
    let (_, reply) = count(&app.client(), "/session_test").await;
    let cookie = reply.set_cookie(SID).expect("a cookie");
    assert!(
        attribute(&cookie, "HttpOnly").is_some() && attribute(&cookie, "Secure").is_some(),
        "{cookie}"
    );
    assert!(
        attribute(&cookie, "Max-Age").is_none() && attribute(&cookie, "Expires").is_none(),
        "{cookie}"
    );
    assert_eq!(attribute(&cookie, "Path").as_deref(), Some("/"));
    assert!(attribute(&cookie, "Domain").is_none());

    let app = Fixture::with_flags(target, &["--max-age", "3600"]).await;
    let (_, reply) = count(&app.client(), "/session_test").await;
    let cookie = reply.set_cookie(SID).expect("a cookie");
    assert_eq!(attribute(&cookie, "Max-Age").as_deref(), Some("3600"));
    assert!(attribute(&cookie, "Expires").is_some());

    let app = Fixture::with_flags(target, &["--http-only", "false", "--secure", "false"]).await;
    let (_, reply) = count(&app.client(), "/session_test").await;
    let cookie = reply.set_cookie(SID).expect("a cookie");
    assert!(
        attribute(&cookie, "HttpOnly").is_none() && attribute(&cookie, "Secure").is_none(),
        "{cookie}"
    );
}

/// Scenario 5: `SameSite` is emitted as configured, `Lax` by default.
pub async fn same_site_values_and_default(target: Target) {
    for (flags, expected) in [
        (&[][..], "Lax"),
        (&["--same-site", "strict"][..], "Strict"),
        (&["--same-site", "lax"][..], "Lax"),
        (&["--same-site", "none", "--secure", "true"][..], "None"),
    ] {
        let app = Fixture::with_flags(target, flags).await;
        let (_, reply) = count(&app.client(), "/session_test").await;
        let cookie = reply.set_cookie(SID).expect("a cookie");
        assert_eq!(
            attribute(&cookie, "SameSite").as_deref(),
            Some(expected),
            "{flags:?}"
        );
    }
}

/// Scenario 6: `Path=/` by default, so a deep path and `/` share one session.
pub async fn path_is_root_by_default(target: Target) {
    let app = Fixture::start(target).await;
    let client = app.client();
    let (n, reply) = count(&client, "/a/b/c").await;
    assert_eq!(n, 1);
    assert_eq!(
        attribute(&reply.set_cookie(SID).expect("a cookie"), "Path").as_deref(),
        Some("/")
    );
    assert_eq!(count(&client, "/session_test").await.0, 2);
    assert_eq!(app.stored().await, 1);
}

/// Scenario 7: a configured path scopes the cookie, as a browser applies it.
pub async fn configured_path_scopes_the_cookie(target: Target) {
    let app = Fixture::with_flags(target, &["--path", "/a"]).await;
    let client = app.client();
    let (n, reply) = count(&client, "/a/b/c").await;
    assert_eq!(n, 1);
    assert_eq!(
        attribute(&reply.set_cookie(SID).expect("a cookie"), "Path").as_deref(),
        Some("/a")
    );
    assert_eq!(count(&client, "/a/b/c").await.0, 2);
    assert_eq!(
        count(&client, "/session_test").await.0,
        1,
        "outside the path the browser sends no cookie"
    );
}
