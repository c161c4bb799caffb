//! Two app instances (two `reference-server` processes on different ports, one key ring, one
//! Redis) share sessions: log in on one, read and log out on the other. Afterwards, Redis holds
//! no key that reveals a session ID or cookie value, and every key has a TTL. Races across the
//! two instances (which share no lock) end with no session revived and at most one successor.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fastsession_conformance::Framework;
use fastsession_conformance::client::{Client, cookie_value};
use fastsession_conformance::target::redis_url;
use fastsession_redis::RedisStore;

const BINARY: &str = env!("CARGO_BIN_EXE_reference-server");
const KEY: &str = "5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c";

struct Instance {
    child: Child,
    url: String,
}

impl Instance {
    fn start(framework: Framework, prefix: &str) -> Self {
        let mut child = Command::new(BINARY)
            .args([
                "--framework",
                framework.name(),
                "--port",
                "0",
                "--secure",
                "false",
                "--key",
                KEY,
            ])
            .args([
                "--store",
                &format!("{}/0", redis_url().trim_end_matches('/')),
                "--store-prefix",
                prefix,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("a line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .expect("the listening line")
            .to_owned();
        Self { child, url }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_session_through_redis() {
    for (first, second) in [
        (Framework::Axum, Framework::Actix),
        (Framework::Rocket, Framework::Poem),
        (Framework::Poem, Framework::Axum),
    ] {
        let (store, a, b) = two_instances(first, second, "share").await;
        assert_ne!(a.url, b.url);
        let on_a = Client::new(&a.url);
        let reply = on_a.post("/login/ada", None).await;
        assert_eq!(reply.status, 200);
        let cookie = on_a.session_pair("sid").expect("a session cookie");
        on_a.post("/set/cart", Some(serde_json::json!([1, 2])))
            .await;

        let on_b = Client::new(&b.url);
        on_b.plant("sid", &cookie_value(&format!("{cookie};")));
        let me = on_b.get("/whoami").await.json();
        assert_eq!(
            (me["cause"].as_str(), me["keys"].clone()),
            (Some("success"), serde_json::json!(["cart", "user"]))
        );
        assert_eq!(on_b.get("/get/user").await.json()["value"], "ada");

        let secrets = [
            cookie_value(&format!("{cookie};")),
            me["id"].as_str().unwrap_or_default().to_owned(),
        ];
        let client = redis::Client::open(redis_url()).expect("a URL");
        let mut connection = client
            .get_multiplexed_async_connection()
            .await
            .expect("Redis answers");
        let keys = store.admin().keys().await.expect("a scan");
        assert_eq!(keys.len(), 1, "one session, one key: {keys:?}");
        for key in &keys {
            for secret in &secrets {
                for window in secret.as_bytes().windows(8) {
                    assert!(
                        !key.contains(std::str::from_utf8(window).unwrap_or_default()),
                        "{key} reveals a secret"
                    );
                }
            }
            let ttl: i64 = redis::cmd("PTTL")
                .arg(key)
                .query_async(&mut connection)
                .await
                .expect("PTTL");
            assert!(ttl > 0, "{key} has no TTL");
        }

        assert_eq!(on_b.post("/logout", None).await.status, 200);
        let me = on_a.get("/whoami").await.json();
        assert_eq!(
            me["cause"], "valid_cookie_but_no_store",
            "A no longer knows the user"
        );
        assert!(store.admin().keys().await.expect("a scan").is_empty());
    }
}

/// A store handle on a fresh prefix, and two instances of different frameworks on it.
async fn two_instances(
    first: Framework,
    second: Framework,
    test: &str,
) -> (RedisStore, Instance, Instance) {
    let prefix = format!(
        "fastsession-instances:{}:{test}:{}:",
        std::process::id(),
        first.name()
    );
    let store = RedisStore::builder(redis_url())
        .with_prefix(&prefix)
        .build()
        .expect("a valid URL");
    store
        .ping()
        .await
        .expect("Redis answers (set FASTSESSION_REDIS_URL)");
    (
        store,
        Instance::start(first, &prefix),
        Instance::start(second, &prefix),
    )
}

/// Only orders a request after another one's load, on another process; nothing is timed.
const ORDERING_PAUSE: Duration = Duration::from_millis(200);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_on_one_instance_racing_a_logout_on_another_revives_nothing() {
    for (first, second) in [
        (Framework::Axum, Framework::Actix),
        (Framework::Rocket, Framework::Poem),
        (Framework::Poem, Framework::Rocket),
        (Framework::Actix, Framework::Axum),
    ] {
        let (store, a, b) = two_instances(first, second, "login-logout").await;
        let on_a = Arc::new(Client::new(&a.url));
        assert_eq!(on_a.post("/login/ada", None).await.status, 200);
        let cookie = on_a.session_pair("sid").expect("a session cookie");
        let login = {
            let (on_a, cookie) = (Arc::clone(&on_a), cookie.clone());
            tokio::spawn(async move {
                on_a.post_with_cookie("/login/v?delay_ms=600", &cookie)
                    .await
            })
        };
        tokio::time::sleep(ORDERING_PAUSE).await;
        let logout = Client::new(&b.url)
            .post_with_cookie("/logout", &cookie)
            .await;
        assert_eq!(logout.status, 200, "{}", first.name());
        let login = login.await.expect("the login finishes");
        assert_eq!(login.status, 200, "{}", first.name());
        assert_eq!(
            login.set_cookies_named("sid"),
            Vec::<String>::new(),
            "{}: no cookie for a successor",
            first.name()
        );
        assert_eq!(
            store.admin().sessions().await.expect("a scan"),
            Vec::<String>::new(),
            "{}: no session is left",
            first.name()
        );
        store.admin().clear().await.expect("Redis answers");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_logins_on_two_instances_leave_exactly_one_session() {
    for (first, second) in [
        (Framework::Axum, Framework::Actix),
        (Framework::Rocket, Framework::Poem),
    ] {
        let (store, a, b) = two_instances(first, second, "two-logins").await;
        let (on_a, on_b) = (Client::new(&a.url), Client::new(&b.url));
        assert_eq!(on_a.post("/login/ada", None).await.status, 200);
        let cookie = on_a.session_pair("sid").expect("a session cookie");
        let (one, other) = tokio::join!(
            on_a.post_with_cookie("/login/u?delay_ms=400", &cookie),
            on_b.post_with_cookie("/login/u?delay_ms=400", &cookie),
        );
        assert_eq!((one.status, other.status), (200, 200), "{}", first.name());
        let cookies = [one.set_cookies_named("sid"), other.set_cookies_named("sid")].concat();
        assert_eq!(
            cookies.len(),
            1,
            "{}: one successor: {cookies:?}",
            first.name()
        );
        assert_eq!(
            store.admin().sessions().await.expect("a scan").len(),
            1,
            "{}: exactly one session",
            first.name()
        );
        store.admin().clear().await.expect("Redis answers");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_parallel_increments_over_two_instances_count_a_hundred() {
    let (store, a, b) = two_instances(Framework::Axum, Framework::Actix, "increments").await;
    let on_a = Arc::new(Client::new(&a.url));
    let on_b = Arc::new(Client::new(&b.url));
    assert_eq!(on_a.get("/session_test").await.json()["test_counter"], 1);
    let cookie: Arc<str> = on_a.session_pair("sid").expect("a session cookie").into();
    let mut requests = tokio::task::JoinSet::new();
    for n in 0..100 {
        let client = Arc::clone(if n % 2 == 0 { &on_a } else { &on_b });
        let cookie = Arc::clone(&cookie);
        requests.spawn(async move {
            client
                .get_with_cookie("/session_test", &cookie)
                .await
                .status
        });
    }
    while let Some(status) = requests.join_next().await {
        assert_eq!(status.expect("no panic"), 200);
    }
    let reply = on_b.get_with_cookie("/get/test_counter", &cookie).await;
    assert_eq!(
        reply.json()["value"],
        101,
        "no session locking, and no count lost across the two instances"
    );
    store.admin().clear().await.expect("Redis answers");
}
