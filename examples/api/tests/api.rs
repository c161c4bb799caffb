//! The curl session of `examples/README.md`, over HTTP against the running example: a login
//! returns `Authorization: Session <value>`, requests that send it back continue the session,
//! no response sets a cookie, and a logout returns an empty header after which the value is dead.

use fastsession_browser_tests::start_example;
use reqwest::header::{AUTHORIZATION, SET_COOKIE};
use serde_json::{Value, json};

const BINARY: &str = env!("CARGO_BIN_EXE_example-api");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_client_keeps_its_session_in_the_authorization_header() {
    let app = start_example(BINARY, &[])
        .await
        .expect("the example starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    let http = reqwest::Client::new();

    let login = http
        .post(format!("{base}/login"))
        .json(&json!({ "user": "ada" }))
        .send()
        .await
        .expect("the login answers");
    assert_eq!(login.status(), 200);
    assert!(login.headers().get(SET_COOKIE).is_none(), "never a cookie");
    let token = login.headers()[AUTHORIZATION].to_str().unwrap().to_owned();
    assert!(token.starts_with("Session "), "{token}");

    for requests in 1..=2 {
        let me = http
            .get(format!("{base}/me"))
            .header(AUTHORIZATION, &token)
            .send()
            .await;
        let me: Value = me.expect("me answers").json().await.expect("JSON");
        assert_eq!(me, json!({ "user": "ada", "requests": requests }));
    }
    let listed = http
        .get(format!("{base}/sessions"))
        .header(AUTHORIZATION, &token)
        .send()
        .await;
    let listed: Value = listed
        .expect("sessions answers")
        .json()
        .await
        .expect("JSON");
    assert_eq!(listed["sessions"].as_array().map(Vec::len), Some(1));

    let logout = http
        .post(format!("{base}/logout"))
        .header(AUTHORIZATION, &token)
        .send()
        .await;
    let logout = logout.expect("the logout answers");
    assert_eq!(
        logout.headers()[AUTHORIZATION],
        "",
        "an empty value: forget it"
    );
    let after = http
        .get(format!("{base}/me"))
        .header(AUTHORIZATION, &token)
        .send()
        .await;
    let after: Value = after.expect("me answers").json().await.expect("JSON");
    assert_eq!(
        after,
        json!({ "user": null, "requests": 1 }),
        "a new, anonymous session"
    );
}
