//! The soak test: a bounded mixed load against the reference app on each framework, on the
//! in-memory store, on Redis and on PostgreSQL, checking at the end that every client's view matches what it
//! wrote and that the store holds exactly one record per client still logged in.
//!
//! ```text
//! cargo run -p fastsession-conformance --bin soak -- --seconds 60
//! ```
//!
//! The time is split evenly over the twelve runs (four frameworks, three stores). Each run has
//! several thousand simulated browsers, each driven by one worker at a time (a browser's own
//! requests are sequential, as a user's are), doing sets, reads, removals, logins (which rotate
//! the ID) and logouts over loopback. Any non-200 answer, lost write or leaked record fails the
//! run with exit status 1. Redis is read from `FASTSESSION_REDIS_URL` (default
//! `redis://127.0.0.1:6379`), under a key prefix of its own; PostgreSQL from
//! `FASTSESSION_POSTGRES_URL` (default the scratch database `scripts/test` creates), in a table
//! of its own.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use fastsession_conformance::client::Client;
use fastsession_conformance::options::{Framework, Options};
use fastsession_conformance::scenarios::SID;
use fastsession_conformance::servers;
use fastsession_conformance::target::{postgres_url, redis_url};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::Mutex;

#[derive(Debug, Parser)]
#[command(
    name = "soak",
    about = "A bounded mixed load against the reference app"
)]
struct Args {
    /// Total seconds over all twelve runs (at least 1).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    seconds: u64,
    /// Simulated browsers per run (at least 1).
    #[arg(long, default_value_t = 3000, value_parser = clap::value_parser!(u32).range(1..))]
    browsers: u32,
    /// Concurrent workers per run (at least 1).
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..))]
    workers: u32,
}

/// One simulated browser: its session cookie and what it believes its session holds.
#[derive(Debug, Default)]
struct Browser {
    cookie: Option<String>,
    model: BTreeMap<String, Value>,
    ids_issued: usize,
}

#[derive(Debug, Default)]
struct Tally {
    requests: u64,
    logins: u64,
    logouts: u64,
    failures: Vec<String>,
}

/// What one simulated request does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Set,
    Get,
    Remove,
    Login,
    Logout,
    WhoAmI,
}

impl Action {
    /// 40 % sets, 30 % reads, 6 % removals, 8 % logins, 6 % logouts, 10 % `whoami`.
    fn pick() -> Self {
        match rand::random_range(0..100u8) {
            0..40 => Self::Set,
            40..70 => Self::Get,
            70..76 => Self::Remove,
            76..84 => Self::Login,
            84..90 => Self::Logout,
            _ => Self::WhoAmI,
        }
    }
}

/// One random request for `browser`, checked against what it wrote before.
async fn step(client: &Client, browser: &mut Browser, id: usize) -> Result<Action, String> {
    let action = Action::pick();
    let key = format!("k{}", rand::random_range(0..4u8));
    let (method, path, body) = match action {
        Action::Set => {
            let value = json!(rand::random_range(0..1_000_000u32));
            browser.model.insert(key.clone(), value.clone());
            (Method::POST, format!("/set/{key}"), Some(value))
        }
        Action::Get => (Method::GET, format!("/get/{key}"), None),
        Action::Remove => {
            browser.model.remove(&key);
            (Method::POST, format!("/remove/{key}"), None)
        }
        Action::Login => {
            let user = format!("u{id}");
            browser.model.insert("user".to_owned(), json!(user));
            (Method::POST, format!("/login/{user}"), None)
        }
        Action::Logout => {
            browser.model.clear();
            (Method::POST, "/logout".to_owned(), None)
        }
        Action::WhoAmI => (Method::GET, "/whoami".to_owned(), None),
    };
    let headers: Vec<(&str, &[u8])> = browser
        .cookie
        .iter()
        .map(|cookie| ("cookie", cookie.as_bytes()))
        .collect();
    let body = body.map(|value| value.to_string().into_bytes());
    let reply = client
        .try_raw(method, &path, body, &headers)
        .await
        .map_err(|error| format!("{action:?}: {error}"))?;
    let cookies = reply.set_cookies_named(SID);
    if cookies.len() > 1 {
        return Err(format!("{action:?}: several session cookies {cookies:?}"));
    }
    if let Some(cookie) = cookies.first() {
        let pair = cookie.split(';').next().unwrap_or_default().to_owned();
        let pair = (!cookie.contains("Max-Age=0")).then_some(pair);
        if pair.is_some() && pair != browser.cookie {
            browser.ids_issued += 1;
        }
        browser.cookie = pair;
    }
    let body = reply.json();
    if reply.status != 200 {
        return Err(format!(
            "{action:?}: status {}: {}",
            reply.status, reply.body
        ));
    }
    match action {
        Action::Get => {
            let expected = browser.model.get(&key).cloned().unwrap_or(Value::Null);
            if body["value"] != expected {
                return Err(format!(
                    "get {key}: server {} but wrote {expected}",
                    body["value"]
                ));
            }
        }
        Action::WhoAmI => {
            let expected: Vec<&String> = browser.model.keys().collect();
            let keys: Vec<String> =
                serde_json::from_value(body["keys"].clone()).unwrap_or_default();
            if keys.iter().collect::<Vec<_>>() != expected {
                return Err(format!("whoami: server {keys:?} but wrote {expected:?}"));
            }
        }
        Action::Logout if browser.cookie.is_some() => {
            return Err("logout left a session cookie".to_owned());
        }
        _ => {}
    }
    Ok(action)
}

/// One run: the app on `framework` with `store`, for `duration`.
async fn run(
    framework: Framework,
    store: &str,
    args: &Args,
    duration: Duration,
) -> Result<String, String> {
    let is_postgres = store.starts_with("postgres");
    // A Redis key prefix, or a PostgreSQL table name.
    let prefix = if is_postgres {
        format!("soak_{}_{}", std::process::id(), framework.name())
    } else {
        format!(
            "fastsession-soak:{}:{}:",
            std::process::id(),
            framework.name()
        )
    };
    let options = Options::parse_from([
        "soak",
        "--framework",
        framework.name(),
        "--secure",
        "false",
        "--store",
        store,
        "--store-prefix",
        &prefix,
    ]);
    let state = options.app_state().map_err(|error| error.to_string())?;
    let app_store = state.store.clone();
    app_store
        .inner()
        .prepare()
        .await
        .map_err(|error| error.to_string())?;
    let server = servers::start(framework, state, 0)
        .await
        .map_err(|error| error.to_string())?;
    // One client for every browser: `try_raw` sends exactly the headers given, never its jar.
    let client = Arc::new(Client::new(&server.url()));
    let browsers: Arc<Vec<Mutex<Browser>>> = Arc::new(
        (0..args.browsers)
            .map(|_| Mutex::new(Browser::default()))
            .collect(),
    );
    let tally = Arc::new(Mutex::new(Tally::default()));
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..args.workers {
        let (client, browsers, tally) = (client.clone(), browsers.clone(), tally.clone());
        workers.spawn(async move {
            while Instant::now() < deadline {
                let id = rand::random_range(0..browsers.len());
                let mut browser = browsers[id].lock().await;
                let result = step(&client, &mut browser, id).await;
                let mut tally = tally.lock().await;
                tally.requests += 1;
                match result {
                    Ok(Action::Login) => tally.logins += 1,
                    Ok(Action::Logout) => tally.logouts += 1,
                    Ok(_) => {}
                    Err(failure) => tally.failures.push(format!("browser {id}: {failure}")),
                }
            }
        });
    }
    while let Some(joined) = workers.join_next().await {
        if let Err(error) = joined {
            tally
                .lock()
                .await
                .failures
                .push(format!("a worker died: {error}"));
        }
    }
    let elapsed = started.elapsed();
    let tally = tally.lock().await;
    let mut logged_in = 0;
    let mut ids_issued = 0;
    for browser in browsers.iter() {
        let browser = browser.lock().await;
        logged_in += usize::from(browser.cookie.is_some());
        ids_issued += browser.ids_issued;
    }
    let stored = app_store.inner().count().await;
    app_store.inner().clear().await;
    let store_name = match store {
        "memory" => "memory",
        _ if is_postgres => "PostgreSQL",
        _ => "Redis",
    };
    if !tally.failures.is_empty() {
        let shown: Vec<&String> = tally.failures.iter().take(10).collect();
        return Err(format!(
            "{} {store_name}: {} failures, first: {shown:#?}",
            framework.name(),
            tally.failures.len()
        ));
    }
    if stored != logged_in {
        return Err(format!(
            "{} {store_name}: the store holds {stored} records for {logged_in} browsers with a session",
            framework.name()
        ));
    }
    Ok(format!(
        "| {} | {store_name} | {:.1} | {} | {:.0} | {ids_issued} | {} | {} | {stored} | 0 |",
        framework.name(),
        elapsed.as_secs_f64(),
        tally.requests,
        tally.requests as f64 / elapsed.as_secs_f64(),
        tally.logins,
        tally.logouts,
    ))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("soak: {error}");
            return ExitCode::FAILURE;
        }
    };
    let each = Duration::from_secs_f64(args.seconds as f64 / 12.0);
    let (redis, postgres) = (redis_url(), postgres_url());
    println!(
        "| framework | store | seconds | requests | requests/s | IDs issued | logins | logouts | records at end | errors |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut failed = false;
    for store in ["memory", redis.as_str(), postgres.as_str()] {
        for framework in Framework::ALL {
            match runtime.block_on(run(framework, store, &args, each)) {
                Ok(row) => println!("{row}"),
                Err(failure) => {
                    eprintln!("soak: FAILED: {failure}");
                    failed = true;
                }
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
