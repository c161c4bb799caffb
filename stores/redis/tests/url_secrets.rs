//! Secrets in Redis URLs never reach an error or a `Debug` rendering: passwords in the userinfo
//! (with `/`, `@`, `?`, `#` or percent-encoding) and `pass=`/`password=` query parameters of
//! `redis+unix://` and `unix://` URLs, while the host or socket path stays visible.
//! No Redis is needed: nothing here connects.

use fastsession_redis::RedisStore;

/// URLs the builder must reject: `(url, secrets that must not appear, a part that must appear)`.
const REJECTED: &[(&str, &[&str], &str)] = &[
    // A '/' in the password: the URL no longer parses, and its first '/' is not the path's.
    (
        "redis://user:pa/ss@host:6379/0",
        &["pa/ss", "user:pa"],
        "host:6379",
    ),
    (
        "redis://:a/b@c@host:6379/0",
        &["a/b@c", ":a/b"],
        "host:6379",
    ),
    // A '?' in the password: the URL parser sees an empty host and a port "se".
    (
        "redis://:se?cret@host:6379/0",
        &["se?cret", "cret"],
        "host:6379",
    ),
    // '@' in the password, and a bad database number.
    ("redis://:pa@ss@host:6379/x", &["pa@ss"], "host:6379"),
    // '#' in the password of a TLS URL: the parser sees a fragment other than #insecure.
    (
        "rediss://:se#cret@host:6379/0",
        &["se#cret", "cret"],
        "host:6379",
    ),
    // Percent-encoded: neither form may appear.
    (
        "redis://:s%2Fcr%40t@host:6379/x",
        &["s%2Fcr%40t", "s/cr@t"],
        "host:6379",
    ),
    // A scheme that is not Redis's: the whole URL is still redacted.
    (
        "http://user:pw/d@host:6379/0",
        &["pw/d", "user:pw"],
        "host:6379",
    ),
    // Unix sockets: the password is a query parameter.
    (
        "redis+unix:///tmp/r.sock?pass=S3CRET&db=x",
        &["S3CRET"],
        "/tmp/r.sock",
    ),
    (
        "unix:///tmp/r.sock?db=x&pass=S3CRET",
        &["S3CRET"],
        "/tmp/r.sock",
    ),
    (
        "redis+unix:///tmp/r.sock?password=S3CRET&db=x",
        &["S3CRET"],
        "/tmp/r.sock",
    ),
    (
        "redis+unix:///tmp/r.sock?p%61ss=S3CRET&db=x",
        &["S3CRET"],
        "/tmp/r.sock",
    ),
    (
        "unix:///tmp/r.sock?pass=S3%40CRET&db=x",
        &["S3%40CRET", "S3@CRET", "CRET"],
        "/tmp/r.sock",
    ),
    // The password pasted into another parameter too, which redis-rs's error detail echoes.
    (
        "unix:///tmp/r.sock?pass=S3CRET&protocol=S3CRET",
        &["S3CRET"],
        "/tmp/r.sock",
    ),
    // A user name alone is hidden with the rest of the userinfo.
    ("redis://admin@host:6379/x", &["admin"], "host:6379"),
    // Nothing to hide.
    ("redis://host:6379/x", &[], "redis://host:6379/x"),
];

/// URLs the builder must accept (it does not connect), whose builder `Debug` hides the secret.
const ACCEPTED: &[(&str, &[&str], &str)] = &[
    ("redis://user:s3cret@host:6379/0", &["s3cret"], "host:6379"),
    ("redis://:pa@ss@host:6379/0", &["pa@ss"], "host:6379"),
    (
        "redis://:pa%2Fss@host:6379/0",
        &["pa%2Fss", "pa/ss"],
        "host:6379",
    ),
    (
        "redis+unix:///tmp/r.sock?pass=SECRET&db=1",
        &["SECRET"],
        "/tmp/r.sock",
    ),
    ("unix:///tmp/r.sock?pass=SECRET", &["SECRET"], "/tmp/r.sock"),
    // redis-rs reads the password "S3@CR"; whatever the user meant, none of it shows.
    (
        "unix:///tmp/r.sock?pass=S3@CR&ET#x&db=x",
        &["S3@CR", "CR&ET", "ET#x"],
        "/tmp/r.sock",
    ),
];

/// What is wrong with `rendering` of `url`, if anything.
fn problems(rendering: &str, url: &str, secrets: &[&str], shown: &str) -> Vec<String> {
    let mut problems: Vec<String> = secrets
        .iter()
        .filter(|secret| rendering.contains(*secret))
        .map(|secret| format!("{url}: {secret:?} appears in {rendering:?}"))
        .collect();
    if !rendering.contains(shown) {
        problems.push(format!("{url}: {shown:?} is missing from {rendering:?}"));
    }
    problems
}

#[tokio::test]
async fn rejected_urls_hide_their_secrets_in_errors() {
    let mut found = Vec::new();
    for &(url, secrets, shown) in REJECTED {
        let Err(error) = RedisStore::open(url) else {
            found.push(format!("{url}: accepted"));
            continue;
        };
        found.extend(problems(&error.to_string(), url, secrets, shown));
        found.extend(problems(&format!("{error:?}"), url, secrets, shown));
        let builder = format!("{:?}", RedisStore::builder(url));
        found.extend(problems(&builder, url, secrets, shown));
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[tokio::test]
async fn accepted_urls_hide_their_secrets_in_debug() {
    let mut found = Vec::new();
    for &(url, secrets, shown) in ACCEPTED {
        let builder = RedisStore::builder(url);
        found.extend(problems(&format!("{builder:?}"), url, secrets, shown));
        match builder.build() {
            Ok(store) => found.extend(problems(&format!("{store:?}"), url, secrets, "")),
            Err(error) => found.push(format!("{url}: rejected: {error}")),
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn a_rejected_scheme_names_the_allowed_ones() {
    let error = RedisStore::open("http://127.0.0.1:6379")
        .unwrap_err()
        .to_string();
    for scheme in ["redis://", "rediss://", "redis+unix://", "unix://"] {
        assert!(error.contains(scheme), "{error}");
    }
}
