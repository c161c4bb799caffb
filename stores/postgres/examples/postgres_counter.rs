//! A visit counter on PostgreSQL, through the same `SessionManager` every adapter uses: the
//! table is created if missing, three requests of one browser count 1, 2, 3, a logout ends the
//! session, and the ended rows are cleaned up.
//!
//! ```text
//! cargo run -p fastsession-postgres --example postgres_counter -- postgres://postgres@127.0.0.1:5432/postgres
//! ```

use std::time::{Duration, SystemTime};

use fastsession_core::adapter::{SessionManager, Sessions};
use fastsession_core::{Config, Key};
use fastsession_postgres::PostgresStore;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let store = PostgresStore::builder(url)
        .with_table("example_counter_sessions")
        .with_timeout(Duration::from_secs(2))
        .build()?;
    store.migrate().await?;
    let config = Config::new(Key::generate()?).with_secure(false);
    let manager = SessionManager::new(Sessions::new(config)?, store.clone());

    let mut cookie: Option<String> = None;
    for _ in 0..3 {
        let headers: Vec<(&str, &[u8])> = cookie
            .iter()
            .map(|cookie| ("cookie", cookie.as_bytes()))
            .collect();
        let request = manager.start(headers.as_slice());
        let visits = request.session().await?.increment("visits", 1)?;
        let committed = request
            .finish(200)
            .await
            .map_err(|error| error.to_string())?;
        if let Some(set_cookie) = committed.set_cookie() {
            let pair = set_cookie.as_str().split(';').next().unwrap_or_default();
            cookie = Some(pair.to_owned());
        }
        println!(
            "visit {visits}: {} session row(s)",
            store.session_count().await?
        );
    }

    let headers: Vec<(&str, &[u8])> = cookie
        .iter()
        .map(|cookie| ("cookie", cookie.as_bytes()))
        .collect();
    let request = manager.start(headers.as_slice());
    request.session().await?.destroy()?;
    let committed = request
        .finish(200)
        .await
        .map_err(|error| error.to_string())?;
    let removed = committed
        .set_cookie()
        .is_some_and(|cookie| cookie.is_removal());
    println!(
        "logged out (removal cookie: {removed}): {} session row(s)",
        store.session_count().await?
    );
    println!(
        "cleanup deleted {} ended row(s)",
        store.delete_expired(SystemTime::now()).await?
    );
    Ok(())
}
