//! Python FastSession's counter, driven by hand: three requests from one browser, then a second browser.
//!
//! ```text
//! cargo run -p fastsession-core --example counter
//! ```

use fastsession_core::{Config, Key, MemoryStore, adapter::SessionManager, adapter::Sessions};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sessions = Sessions::new(Config::new(Key::generate()?).with_secure(false))?;
    let manager = SessionManager::new(sessions, MemoryStore::new());

    for browser in ["first", "second"] {
        let mut cookie: Option<String> = None;
        for _ in 0..3 {
            let headers: Vec<(&str, &[u8])> =
                cookie.iter().map(|c| ("cookie", c.as_bytes())).collect();
            let request = manager.start(headers.as_slice());
            let session = request.session().await?;
            let counter = session.increment("test_counter", 1)?;
            let committed = request.finish(200).await?;
            if let Some(set_cookie) = committed.set_cookie() {
                cookie = set_cookie.as_str().split(';').next().map(str::to_owned);
            }
            println!("{browser} browser: {{\"test_counter\": {counter}}}");
        }
    }
    println!("sessions stored: {}", manager.store().len());
    Ok(())
}
