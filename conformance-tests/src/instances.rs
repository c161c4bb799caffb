//! Two app instances on one shared store: two `reference-server` processes of different
//! frameworks, one key ring, one Redis prefix or one PostgreSQL table. The scenarios here are
//! run by `tests/redis_instances.rs` and `tests/postgres_instances.rs`, which add what each
//! store shows of its sessions.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use crate::client::{Client, cookie_value};
use crate::options::Framework;
use crate::store::Backend;

/// The key ring both instances share.
const KEY: &str = "5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c";

/// Only orders a request after another one's load, on another process; nothing is timed.
const ORDERING_PAUSE: Duration = Duration::from_millis(200);

/// A `reference-server` process; killed when dropped.
#[derive(Debug)]
pub struct Instance {
    child: Child,
    /// Where it listens.
    pub url: String,
}

impl Instance {
    /// Starts `binary` (the `reference-server` of the calling test) for `framework` on `store`
    /// (`--store`), with `prefix` as its `--store-prefix`.
    ///
    /// # Panics
    ///
    /// When the binary does not start or does not say where it listens.
    pub fn start(binary: &Path, framework: Framework, store: &str, prefix: &str) -> Self {
        let mut child = Command::new(binary)
            .args(["--framework", framework.name(), "--port", "0"])
            .args(["--secure", "false", "--key", KEY])
            .args(["--store", store, "--store-prefix", prefix])
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
            .unwrap_or_else(|| panic!("the listening line, not {line:?}"))
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

/// Two instances on one store, and a handle on that store for the checks.
#[derive(Debug)]
pub struct Pair {
    /// The store both instances use, as the test sees it.
    pub store: Backend,
    /// The first instance.
    pub a: Instance,
    /// The second instance.
    pub b: Instance,
}

impl Pair {
    /// `first` and `second` on `store` (reached at `url`, under `prefix`).
    pub fn start(
        binary: &Path,
        store: Backend,
        url: &str,
        prefix: &str,
        (first, second): (Framework, Framework),
    ) -> Self {
        Self {
            store,
            a: Instance::start(binary, first, url, prefix),
            b: Instance::start(binary, second, url, prefix),
        }
    }
}

/// A session logged in on A (`user` = ada, `cart` = [1, 2]) and read on B, which sees it whole.
#[derive(Debug)]
pub struct SharedSession {
    /// A browser on A, holding the session.
    pub on_a: Client,
    /// A browser on B, given the same cookie.
    pub on_b: Client,
    /// The cookie's value and the session ID: no stored key or row may contain them.
    pub secrets: [String; 2],
}

/// Logs in on A and reads the session on B.
///
/// # Panics
///
/// When B does not see the session A wrote.
pub async fn log_in_on_a_and_read_on_b(pair: &Pair) -> SharedSession {
    let on_a = Client::new(&pair.a.url);
    assert_eq!(on_a.post("/login/ada", None).await.status, 200);
    let cookie = on_a.session_pair("sid").expect("a session cookie");
    on_a.post("/set/cart", Some(serde_json::json!([1, 2])))
        .await;
    let on_b = Client::new(&pair.b.url);
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
    assert_eq!(pair.store.count().await, 1, "one session");
    SharedSession {
        on_a,
        on_b,
        secrets,
    }
}

/// Logs out on B; A no longer knows the user, and the store holds nothing.
///
/// # Panics
///
/// When A still sees the session or the store still holds it.
pub async fn log_out_on_b(pair: &Pair, shared: &SharedSession) {
    assert_eq!(shared.on_b.post("/logout", None).await.status, 200);
    let me = shared.on_a.get("/whoami").await.json();
    assert_eq!(
        me["cause"], "valid_cookie_but_no_store",
        "A no longer knows the user"
    );
    assert_eq!(pair.store.count().await, 0);
}

/// A login (ID rotation) on A, slowed so that a logout on B lands between its load and its
/// write: no cookie for a successor, and no session left.
///
/// # Panics
///
/// When a session survives the logout.
pub async fn login_racing_logout_revives_nothing(pair: &Pair) {
    let on_a = Arc::new(Client::new(&pair.a.url));
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
    let logout = Client::new(&pair.b.url)
        .post_with_cookie("/logout", &cookie)
        .await;
    assert_eq!(logout.status, 200);
    let login = login.await.expect("the login finishes");
    assert_eq!(login.status, 200);
    assert_eq!(
        login.set_cookies_named("sid"),
        Vec::<String>::new(),
        "no cookie for a successor"
    );
    assert_eq!(pair.store.count().await, 0, "no session is left");
    pair.store.clear().await;
}

/// Two slowed logins of one session, one on each instance: one successor, one session.
///
/// # Panics
///
/// When both logins issue a successor.
pub async fn concurrent_logins_leave_one_session(pair: &Pair) {
    let (on_a, on_b) = (Client::new(&pair.a.url), Client::new(&pair.b.url));
    assert_eq!(on_a.post("/login/ada", None).await.status, 200);
    let cookie = on_a.session_pair("sid").expect("a session cookie");
    let (one, other) = tokio::join!(
        on_a.post_with_cookie("/login/u?delay_ms=400", &cookie),
        on_b.post_with_cookie("/login/u?delay_ms=400", &cookie),
    );
    assert_eq!((one.status, other.status), (200, 200));
    let cookies = [one.set_cookies_named("sid"), other.set_cookies_named("sid")].concat();
    assert_eq!(cookies.len(), 1, "one successor: {cookies:?}");
    assert_eq!(pair.store.count().await, 1, "exactly one session");
    pair.store.clear().await;
}

/// 100 parallel increments of one session, alternating between the instances, count 100.
///
/// # Panics
///
/// When a request fails or a count is lost.
pub async fn parallel_increments_count_every_one(pair: &Pair) {
    let on_a = Arc::new(Client::new(&pair.a.url));
    let on_b = Arc::new(Client::new(&pair.b.url));
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
    pair.store.clear().await;
}

/// A user logged in on both instances ends every other session from A ("log out other
/// devices"): the session on B is over, A's lives on, and a request of B's session in flight
/// when it ended writes nothing back.
///
/// # Panics
///
/// When the session on B survives, or A's does not.
pub async fn logging_out_other_devices_reaches_the_other_instance(pair: &Pair) {
    let (on_a, on_b) = (Client::new(&pair.a.url), Arc::new(Client::new(&pair.b.url)));
    assert_eq!(on_a.post("/login/ada", None).await.status, 200);
    assert_eq!(on_b.post("/login/ada", None).await.status, 200);
    let listed = on_a.get("/my-sessions").await.json();
    assert_eq!(
        listed["sessions"].as_array().map(Vec::len),
        Some(2),
        "{listed}"
    );
    let late_write = {
        let on_b = Arc::clone(&on_b);
        tokio::spawn(async move {
            on_b.post("/set/late?delay_ms=600", Some(serde_json::json!(1)))
                .await
        })
    };
    tokio::time::sleep(ORDERING_PAUSE).await;
    let ended = on_a.post("/logout-others", None).await;
    assert_eq!(ended.json(), serde_json::json!({ "ended": 1 }));
    let late_write = late_write.await.expect("the write finishes");
    assert_eq!(late_write.status, 200);
    assert!(
        late_write.set_cookies_named("sid").is_empty(),
        "no cookie for it"
    );
    let me = on_b.get("/whoami").await.json();
    assert_eq!(
        me["cause"], "valid_cookie_but_no_store",
        "B's session is over"
    );
    assert_eq!(on_a.get("/whoami").await.json()["cause"], "success");
    assert_eq!(pair.store.count().await, 1, "only A's session");
    pair.store.clear().await;
}

/// Framework pairs for the scenarios that run on several (first on A, second on B).
pub const PAIRS: [(Framework, Framework); 4] = [
    (Framework::Axum, Framework::Actix),
    (Framework::Rocket, Framework::Poem),
    (Framework::Poem, Framework::Rocket),
    (Framework::Actix, Framework::Axum),
];

/// Asserts that no stored text (a Redis key, a PostgreSQL row) holds any 8-byte window of the
/// session's secrets (its cookie value and its ID).
///
/// # Panics
///
/// When one does.
pub fn assert_reveals_no_secret(stored: &[String], shared: &SharedSession) {
    for text in stored {
        for secret in &shared.secrets {
            for window in secret.as_bytes().windows(8) {
                assert!(
                    !text.contains(std::str::from_utf8(window).unwrap_or_default()),
                    "{text} reveals a secret"
                );
            }
        }
    }
}
