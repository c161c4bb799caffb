//! What a real browser must see of fastsession, one function per check, each against the
//! example app at `binary` (see [`browser_scenarios!`](crate::browser_scenarios)).
//!
//! Every scenario starts its own `chromedriver`, its own app and fresh browser profiles, and
//! stops them all when it ends (by dropping them), also when it fails.

use std::time::{SystemTime, UNIX_EPOCH};

use cookie::{Cookie, SameSite};
use serde_json::{Value, json};

use crate::{
    Browser, BrowserTestError, Chromedriver, INSECURE_HOST, Running, start_chromedriver,
    start_example,
};

mod users;

pub use users::logging_out_other_devices_ends_the_other_browser;

/// The examples' cookie name: the default configuration's.
pub const COOKIE: &str = "sid";

/// A `chromedriver` and an example app started with `environment`.
struct Rig {
    driver: Chromedriver,
    app: Running,
}

impl Rig {
    async fn start(binary: &str, environment: &[(&str, &str)]) -> Result<Self, BrowserTestError> {
        let driver = start_chromedriver().await?;
        let app = start_example(binary, environment).await?;
        Ok(Self { driver, app })
    }

    /// The app's address at `path`, through 127.0.0.1.
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.app.port())
    }

    /// The app's address at `path`, through a host name the browser does not trust as secure.
    fn insecure_url(&self, path: &str) -> String {
        format!("http://{INSECURE_HOST}:{}{path}", self.app.port())
    }
}

/// The browser's counter from Python FastSession's `/session_test` page.
async fn counter(browser: &Browser, url: &str) -> Result<Value, BrowserTestError> {
    Ok(browser.json(url).await?["test_counter"].clone())
}

/// Loading `/session_test` three times shows 1, 2, 3; a second profile starts again at 1, and
/// the first one goes on from 3.
pub async fn counter_counts_per_profile(binary: &str) -> Result<(), BrowserTestError> {
    let rig = Rig::start(binary, &[]).await?;
    let url = rig.url("/session_test");
    let first = Browser::open(&rig.driver).await?;
    for expected in 1..=3 {
        assert_eq!(
            counter(&first, &url).await?,
            json!(expected),
            "load {expected} of the first profile"
        );
    }
    let second = Browser::open(&rig.driver).await?;
    assert_eq!(
        counter(&second, &url).await?,
        json!(1),
        "a second profile has a session of its own"
    );
    assert_eq!(
        counter(&first, &url).await?,
        json!(4),
        "the first profile keeps its own"
    );
    first.close().await?;
    second.close().await?;
    Ok(())
}

/// Page scripts cannot see the session cookie, and the browser stores it with the configured
/// attributes (the examples' defaults: `Path=/`, `HttpOnly`, `SameSite=Lax`, no `Secure`) and,
/// with `max_age` 0, as a browser-session cookie: no expiry.
pub async fn cookie_is_hidden_from_scripts_and_has_the_configured_attributes(
    binary: &str,
) -> Result<(), BrowserTestError> {
    let rig = Rig::start(binary, &[]).await?;
    let browser = Browser::open(&rig.driver).await?;
    assert_eq!(
        counter(&browser, &rig.url("/session_test")).await?,
        json!(1)
    );

    // A cookie a script may read is visible, so the check below can tell.
    browser
        .script("document.cookie = 'visible=yes; path=/'; return null")
        .await?;
    let seen_by_scripts = browser.document_cookie().await?;
    assert!(
        seen_by_scripts.contains("visible=yes"),
        "document.cookie works: {seen_by_scripts:?}"
    );
    assert!(
        !seen_by_scripts.contains(&format!("{COOKIE}=")),
        "the session cookie is invisible to scripts: {seen_by_scripts:?}"
    );

    let cookie = browser
        .cookie(COOKIE)
        .await?
        .expect("the browser stored the session cookie");
    assert_eq!(cookie.http_only(), Some(true), "HttpOnly: {cookie}");
    assert_eq!(cookie.path(), Some("/"), "Path: {cookie}");
    assert_eq!(
        cookie.same_site(),
        Some(SameSite::Lax),
        "SameSite: {cookie}"
    );
    assert_eq!(
        cookie.secure(),
        Some(false),
        "Secure is off in the examples: {cookie}"
    );
    assert_eq!(
        cookie.expires(),
        None,
        "max_age 0 makes a browser-session cookie: {cookie}"
    );
    browser.close().await?;
    Ok(())
}

/// With `max_age` set, the browser stores the cookie with an expiry that far ahead.
pub async fn max_age_gives_the_cookie_an_expiry(binary: &str) -> Result<(), BrowserTestError> {
    const MAX_AGE: u64 = 3600;
    let rig = Rig::start(binary, &[("FASTSESSION_MAX_AGE", "3600")]).await?;
    let browser = Browser::open(&rig.driver).await?;
    let before = unix_now();
    assert_eq!(
        counter(&browser, &rig.url("/session_test")).await?,
        json!(1)
    );
    let after = unix_now();

    let cookie = browser
        .cookie(COOKIE)
        .await?
        .expect("the browser stored the session cookie");
    let expiry = cookie
        .expires_datetime()
        .expect("a cookie with Max-Age has an expiry");
    let expiry = u64::try_from(expiry.unix_timestamp()).expect("the expiry is after 1970");
    // WebDriver reports whole seconds, so allow one second of rounding either way.
    assert!(
        (before + MAX_AGE - 1..=after + MAX_AGE + 1).contains(&expiry),
        "expiry {expiry} is Max-Age {MAX_AGE} s after the response ({before}..={after})"
    );
    browser.close().await?;
    Ok(())
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// A user name is whatever the login form received, so it must reach the page as text: markup in
/// it is shown, not run (a cross-site form post could otherwise plant a script).
pub async fn a_user_name_with_markup_is_shown_as_text(
    binary: &str,
) -> Result<(), BrowserTestError> {
    let rig = Rig::start(binary, &[]).await?;
    let browser = Browser::open(&rig.driver).await?;
    browser.visit(&rig.url("/")).await?;
    let name = "<img src=x onerror=alert(1)><b>ada</b>";
    browser.submit("/login", &[("user", name)]).await?;
    assert_eq!(
        browser.text_of("who").await?,
        format!("Logged in as {name}.")
    );
    let elements = browser
        .script("return document.querySelectorAll('#who *').length")
        .await?;
    assert_eq!(elements, json!(0), "the name made no element");
    browser.close().await?;
    Ok(())
}

/// Logging in through the page's form gives the browser a new cookie value (a new session ID)
/// and keeps what the session held.
pub async fn login_rotates_the_cookie_and_keeps_the_data(
    binary: &str,
) -> Result<(), BrowserTestError> {
    let rig = Rig::start(binary, &[]).await?;
    let browser = Browser::open(&rig.driver).await?;
    let counter_url = rig.url("/session_test");
    counter(&browser, &counter_url).await?;
    assert_eq!(counter(&browser, &counter_url).await?, json!(2));
    let anonymous = browser
        .cookie(COOKIE)
        .await?
        .expect("a session cookie before login");

    browser.visit(&rig.url("/")).await?;
    assert_eq!(browser.text_of("who").await?, "Nobody is logged in.");
    browser.submit("/login", &[("user", "ada")]).await?;

    let logged_in = browser
        .cookie(COOKIE)
        .await?
        .expect("a session cookie after login");
    assert_ne!(
        logged_in.value(),
        anonymous.value(),
        "login issues a new session ID"
    );
    assert_eq!(browser.text_of("who").await?, "Logged in as ada.");
    assert_eq!(
        browser.text_of("visits").await?,
        "2",
        "the counter survives the login"
    );
    assert_eq!(counter(&browser, &counter_url).await?, json!(3));
    browser.close().await?;
    Ok(())
}

/// Logging out through the page's form removes the cookie from the browser, and the next page
/// is anonymous (and creates no new cookie).
pub async fn logout_removes_the_cookie_and_the_next_page_is_anonymous(
    binary: &str,
) -> Result<(), BrowserTestError> {
    let rig = Rig::start(binary, &[]).await?;
    let browser = Browser::open(&rig.driver).await?;
    counter(&browser, &rig.url("/session_test")).await?;
    browser.visit(&rig.url("/")).await?;
    browser.submit("/login", &[("user", "ada")]).await?;
    assert_eq!(browser.text_of("who").await?, "Logged in as ada.");
    assert!(
        browser.cookie(COOKIE).await?.is_some(),
        "logged in, the browser holds a cookie"
    );

    browser.submit("/logout", &[]).await?;
    assert_eq!(
        browser.cookie(COOKIE).await?,
        None,
        "logout removes the cookie from the browser"
    );
    assert_eq!(browser.text_of("who").await?, "Nobody is logged in.");
    assert_eq!(
        browser.text_of("visits").await?,
        "0",
        "the data went with the session"
    );

    let whoami = browser.json(&rig.url("/whoami")).await?;
    assert_eq!(
        whoami,
        json!({ "user": null, "visits": 0 }),
        "the next page is anonymous"
    );
    assert_eq!(
        browser.cookie(COOKIE).await?,
        None,
        "an anonymous read creates no session"
    );
    browser.close().await?;
    Ok(())
}

/// Loads `/session_test` twice in one browser from an app started with `FASTSESSION_SECURE`
/// set to `secure`, at the address `url_of` gives ([`Rig::url`] or [`Rig::insecure_url`]).
/// Returns the two counters and the session cookie the browser kept.
async fn load_twice(
    binary: &str,
    secure: &str,
    url_of: fn(&Rig, &str) -> String,
) -> Result<([Value; 2], Option<Cookie<'static>>), BrowserTestError> {
    let rig = Rig::start(binary, &[("FASTSESSION_SECURE", secure)]).await?;
    let browser = Browser::open(&rig.driver).await?;
    let url = url_of(&rig, "/session_test");
    let counters = [
        counter(&browser, &url).await?,
        counter(&browser, &url).await?,
    ];
    let cookie = browser.cookie(COOKIE).await?;
    browser.close().await?;
    Ok((counters, cookie))
}

/// Python FastSession's own test: with `Secure` on, a browser on a plain-HTTP origin never sends the
/// cookie back, so every load starts a new session and shows 1.
pub async fn secure_cookie_is_not_sent_back_over_plain_http(
    binary: &str,
) -> Result<(), BrowserTestError> {
    let (counters, cookie) = load_twice(binary, "true", Rig::insecure_url).await?;
    assert_eq!(
        counters,
        [json!(1), json!(1)],
        "the Secure cookie did not come back"
    );
    assert_eq!(cookie, None, "the browser kept no Secure cookie");
    Ok(())
}

/// The control for the test above: the same origin, `Secure` off, and the cookie comes back.
pub async fn cookie_without_secure_is_sent_back_over_plain_http(
    binary: &str,
) -> Result<(), BrowserTestError> {
    let (counters, _) = load_twice(binary, "false", Rig::insecure_url).await?;
    assert_eq!(counters, [json!(1), json!(2)], "the cookie came back");
    Ok(())
}

/// Why the two tests above use [`INSECURE_HOST`]: browsers count 127.0.0.1 as a potentially
/// trustworthy origin, so they keep a `Secure` cookie from it over plain HTTP and send it back.
/// A development server on loopback works with `Secure` on; a plain-HTTP site elsewhere does
/// not.
pub async fn secure_cookie_is_kept_on_loopback(binary: &str) -> Result<(), BrowserTestError> {
    let (counters, cookie) = load_twice(binary, "true", Rig::url).await?;
    assert_eq!(
        counters,
        [json!(1), json!(2)],
        "127.0.0.1 counts as a secure origin"
    );
    let cookie = cookie.expect("the browser kept the Secure cookie");
    assert_eq!(cookie.secure(), Some(true), "Secure: {cookie}");
    Ok(())
}

/// The example on a shared store, as `FASTSESSION_STORE` chooses it: two processes of the app
/// with one key, on PostgreSQL (`FASTSESSION_POSTGRES_URL`, default the scratch database
/// `scripts/test` creates) and then on Redis (`FASTSESSION_REDIS_URL`, default
/// `redis://127.0.0.1:6379`). A browser counts on one, then on the other (a cookie is sent to
/// 127.0.0.1 whatever the port), and the count goes on: the sessions are in the store, not in
/// either process.
pub async fn two_processes_share_the_store_that_fastsession_store_names(
    binary: &str,
) -> Result<(), BrowserTestError> {
    let postgres = std::env::var("FASTSESSION_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/fastsession_test".to_owned());
    let redis = std::env::var("FASTSESSION_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let key = "5d".repeat(32);
    for store in [postgres, redis] {
        let environment = [
            ("FASTSESSION_STORE", store.as_str()),
            ("FASTSESSION_KEY", key.as_str()),
        ];
        let rig = Rig::start(binary, &environment).await?;
        let other = start_example(binary, &environment).await?;
        let other_url = format!("http://127.0.0.1:{}/session_test", other.port());
        let browser = Browser::open(&rig.driver).await?;
        for (url, expected) in [
            (rig.url("/session_test"), 1),
            (rig.url("/session_test"), 2),
            (other_url.clone(), 3),
            (rig.url("/session_test"), 4),
            (other_url, 5),
        ] {
            assert_eq!(counter(&browser, &url).await?, json!(expected), "{url}");
        }
        browser.close().await?;
    }
    Ok(())
}
