//! The reference app on each framework, served over real HTTP on 127.0.0.1.

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpListener};

use fastsession_core::{Config, ConfigError};

use crate::options::Framework;
use crate::store::AppStore;

mod actix;
mod axum;
mod poem;
mod rocket;

/// What a framework's app is built from.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The main session configuration (session object `session`), which each framework's
    /// session middleware validates as an application's does.
    pub config: Config,
    /// The store.
    pub store: AppStore,
    /// A second, stacked session middleware (test-only routes under `/second/`), with its own
    /// cookie and the session object name `second`.
    pub second: Option<(Config, AppStore)>,
}

/// A configuration the adapter refused, as the error a server's start reports.
fn refused(error: ConfigError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, error)
}

/// The session object name of the stacked second middleware.
pub const SECOND_OBJECT: &str = "second";

/// A server running in this process; dropping it stops it.
pub struct RunningServer {
    addr: SocketAddr,
    stop: Option<Box<dyn FnOnce() + Send>>,
}

impl fmt::Debug for RunningServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningServer")
            .field("addr", &self.addr)
            .finish()
    }
}

impl RunningServer {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop();
        }
    }
}

/// Starts the reference app on `framework`, on 127.0.0.1:`port` (0: any free port). Must be
/// called within a multi-threaded tokio runtime.
///
/// # Errors
///
/// The port cannot be bound, or the framework failed to start.
pub async fn start(framework: Framework, state: AppState, port: u16) -> io::Result<RunningServer> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    listener.set_nonblocking(true)?;
    match framework {
        Framework::Actix => actix::start(state, listener),
        Framework::Axum => axum::start(state, listener),
        Framework::Rocket => rocket::start(state, listener).await,
        Framework::Poem => poem::start(state, listener),
    }
}

/// The stop function of a server driven by a oneshot shutdown signal.
fn stopper(sender: tokio::sync::oneshot::Sender<()>) -> Option<Box<dyn FnOnce() + Send>> {
    Some(Box::new(move || {
        let _ = sender.send(());
    }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::fixture::Fixture;
    use crate::options::Framework;

    /// Each framework hands the query to `app::staged` and translates its answer: a plain
    /// status, its own error mechanism, and a 400 for a bad value.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_framework_honours_the_query_parameters() {
        for framework in Framework::ALL {
            let app = Fixture::start(framework).await;
            let client = app.client();
            let name = framework.name();
            let reply = client.get("/session_test?delay_ms=1&status=299").await;
            assert_eq!(reply.status, 299, "{name}");
            assert_eq!(reply.json(), json!({ "test_counter": 1 }), "{name}");
            let reply = client.get("/session_test?error=418").await;
            assert_eq!(reply.status, 418, "{name}: {}", reply.body);
            let reply = client.get("/session_test?x=1").await;
            assert_eq!(reply.json(), json!({ "test_counter": 3 }), "{name}");
            for (query, body) in [
                (
                    "status=abc",
                    "Bad query: status=\"abc\" is not a status code from 100 to 599.",
                ),
                (
                    "error=302",
                    "Bad query: error=\"302\" is not an error status code from 400 to 599.",
                ),
                (
                    "delay_ms=soon",
                    "Bad query: delay_ms=\"soon\" is not a whole number of milliseconds.",
                ),
            ] {
                let reply = client.get(&format!("/session_test?{query}")).await;
                assert_eq!((reply.status, reply.body.as_str()), (400, body), "{name}");
                assert_eq!(
                    reply.header("content-type").as_deref(),
                    Some("text/plain; charset=utf-8"),
                    "{name}"
                );
            }
            let reply = client.get("/whoami").await;
            assert_eq!(reply.json()["keys"], json!(["test_counter"]), "{name}");
            let reply = client.get("/get/test_counter").await;
            assert_eq!(
                reply.json(),
                json!({ "value": 3 }),
                "{name}: no bad query acted"
            );
        }
    }
}
