//! The `reference-server` binary, driven as a user would: flags, the `listening on` line, every
//! route on every framework, clean shutdown, and exit status 2 with one clear line for bad
//! input.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use fastsession_conformance::Framework;
use fastsession_conformance::client::Client;
use serde_json::json;

const BINARY: &str = env!("CARGO_BIN_EXE_reference-server");

struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(BINARY)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("a first line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .expect("the listening line")
            .to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{line}");
        Self { child, url }
    }

    fn stop(mut self) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let exit = self.child.wait().expect("the server exits");
        assert!(exit.success(), "SIGTERM stops it cleanly: {exit}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_on_every_framework() {
    for framework in Framework::ALL {
        let server = Server::start(&[
            "--framework",
            framework.name(),
            "--port",
            "0",
            "--secure",
            "false",
        ]);
        let client = Client::new(&server.url);
        let name = framework.name();

        assert_eq!(
            client.get("/session_test").await.json(),
            json!({ "test_counter": 1 }),
            "{name}"
        );
        assert_eq!(
            client.get("/a/b/c").await.json(),
            json!({ "test_counter": 2 }),
            "{name}"
        );
        let plain = client.get("/plain").await;
        assert_eq!(
            (plain.status, plain.body.as_str()),
            (200, "Hello, world!"),
            "{name}"
        );
        assert_eq!(
            client
                .post("/set/color", Some(json!({ "r": 1 })))
                .await
                .json(),
            json!({ "ok": true }),
            "{name}"
        );
        assert_eq!(
            client.get("/get/color").await.json(),
            json!({ "value": { "r": 1 } }),
            "{name}"
        );
        assert_eq!(
            client.get("/get/missing").await.json(),
            json!({ "value": null }),
            "{name}"
        );
        assert_eq!(
            client.post("/remove/color", None).await.json(),
            json!({ "ok": true }),
            "{name}"
        );
        assert_eq!(
            client.get("/get/color").await.json(),
            json!({ "value": null }),
            "{name}"
        );
        assert_eq!(
            client.post("/incr-slow/n", None).await.json(),
            json!({ "value": 1 }),
            "{name}"
        );
        assert_eq!(
            client.post("/login/ada", None).await.json(),
            json!({ "ok": true }),
            "{name}"
        );
        let me = client.get("/whoami").await.json();
        assert_eq!(me["cause"], "success", "{name}");
        assert_eq!(me["keys"], json!(["n", "test_counter", "user"]), "{name}");
        assert_eq!(me["id"].as_str().map(str::len), Some(43), "{name}");
        assert_eq!(
            client.post("/clear", None).await.json(),
            json!({ "ok": true }),
            "{name}"
        );
        assert_eq!(
            client.get("/whoami").await.json()["keys"],
            json!([]),
            "{name}"
        );
        assert_eq!(client.get("/fail").await.status, 500, "{name}");
        let cookies = client.get("/app-cookies").await;
        assert_eq!(cookies.json(), json!({ "ok": true }), "{name}");
        assert_eq!(
            cookies.set_cookies_named("app").len() + cookies.set_cookies_named("app2").len(),
            2,
            "{name}"
        );
        let cacheable = client.get("/cacheable").await;
        assert_eq!(cacheable.json(), json!({ "test_counter": 1 }), "{name}");
        assert_eq!(
            cacheable.header("cache-control").as_deref(),
            Some("public, max-age=3600"),
            "{name}: no cookie set, so the app's own value stays"
        );
        assert_eq!(
            client.get("/optional").await.json(),
            json!({ "session": true }),
            "{name}"
        );
        assert_eq!(
            client
                .post("/logout-then-set/flash", Some(json!("bye")))
                .await
                .json(),
            json!({ "ok": true }),
            "{name}"
        );
        let me = client.get("/whoami").await.json();
        assert_eq!(me["keys"], json!(["flash"]), "{name}: only the flash");
        assert_eq!(
            client.post("/logout", None).await.json(),
            json!({ "ok": true }),
            "{name}"
        );
        let me = client.get("/whoami").await.json();
        assert_eq!(
            (me["id"].clone(), me["cause"].clone()),
            (json!(null), json!("new")),
            "{name}"
        );
        server.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_shape_the_cookie_and_skip_rules() {
    for framework in Framework::ALL {
        let server = Server::start(&[
            "--framework",
            framework.name(),
            "--cookie-name",
            "app_session",
            "--max-age",
            "600",
            "--same-site",
            "strict",
            "--path",
            "/",
            "--key",
            &"ab".repeat(32),
            "--skip-header",
            "X-Skip=yes",
            "--eager",
        ]);
        let client = Client::new(&server.url);
        let reply = client.get("/plain").await;
        let cookie = reply.set_cookie("app_session").expect("eager creation");
        for part in [
            "Max-Age=600",
            "SameSite=Strict",
            "Secure",
            "HttpOnly",
            "Path=/",
        ] {
            assert!(cookie.contains(part), "{}: {cookie}", framework.name());
        }
        let skipped = client
            .raw(
                reqwest::Method::GET,
                "/optional",
                None,
                &[("x-skip", b"yes")],
            )
            .await;
        assert_eq!(skipped.json(), json!({ "session": false }));
        server.stop();
    }
}

fn rejected(args: &[&str]) -> String {
    let output = Command::new(BINARY)
        .args(args)
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2), "{args:?}");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.stdout.is_empty(),
        "no listening line for a rejected start"
    );
    stderr
}

#[test]
fn bad_flags_and_configurations_exit_2_with_a_clear_line() {
    assert!(rejected(&["--framework", "flask"]).contains("flask"));
    assert!(rejected(&["--framework", "axum", "--port", "http"]).contains("http"));
    assert!(rejected(&["--framework", "axum", "--key", "zz"]).contains("hex"));
    assert!(
        rejected(&["--framework", "axum", "--serialized-requests", "no"])
            .contains("--serialized-requests")
    );
    assert!(
        rejected(&["--framework", "axum", "--transport", "carrier-pigeon"]).contains("--transport")
    );
    let cases: [(&[&str], &str); 8] = [
        (&["--max-age", "-1"], "max_age is -1 seconds"),
        (&["--max-age", "40000000"], "400 days"),
        (&["--key", "abcd"], "2 bytes"),
        (
            &["--same-site", "none", "--secure", "false"],
            "SameSite=None requires Secure",
        ),
        (&["--skip-header", "=skip"], "skip rule"),
        (&["--cookie-name", "a b"], "invalid cookie name \"a b\""),
        (&["--store-timeout-ms", "0"], "the store timeout is zero"),
        (
            &["--transport", "header", "--header-name", "Set-Cookie"],
            "the session header \"Set-Cookie\" is not allowed",
        ),
    ];
    for (flags, message) in cases {
        let mut args = vec!["--framework", "axum"];
        args.extend_from_slice(flags);
        let stderr = rejected(&args);
        assert!(stderr.contains(message), "{flags:?}: {stderr}");
        assert_eq!(
            stderr
                .trim()
                .lines()
                .filter(|line| !line.contains("warning"))
                .count(),
            1,
            "one line: {stderr}"
        );
    }
    assert!(rejected(&["--framework", "axum", "--store", "postgres://x"]).contains("--store"));
    let stderr = rejected(&[
        "--framework",
        "axum",
        "--store",
        "redis://127.0.0.1:6379/0",
        "--store-prefix",
        "a{b",
    ]);
    assert!(stderr.contains("prefix \"a{b\""), "{stderr}");
    let stderr = rejected(&["--framework", "axum", "--store", "redis-cluster://host"]);
    assert!(stderr.contains("seed node"), "{stderr}");
    let stderr = rejected(&[
        "--framework",
        "axum",
        "--store",
        "redis-sentinel://host:26379",
    ]);
    assert!(stderr.contains("MASTER_NAME"), "{stderr}");
    let missing = std::env::temp_dir().join("fastsession-no-such-ca.pem");
    let missing = missing.to_str().expect("a UTF-8 temporary path");
    for (store, message) in [
        ("rediss://127.0.0.1:6390/0", "cannot read it"),
        ("redis://127.0.0.1:6379/0", "does not use TLS"),
    ] {
        let stderr = rejected(&[
            "--framework",
            "axum",
            "--store",
            store,
            "--redis-ca",
            missing,
        ]);
        assert!(stderr.contains(message), "{store}: {stderr}");
        if store.starts_with("rediss") {
            assert!(stderr.contains("fastsession-no-such-ca.pem"), "{stderr}");
        }
    }
}
