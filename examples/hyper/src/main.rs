//! fastsession on plain hyper 1, with no framework and no driver: `cargo run -p example-hyper`,
//! then open http://127.0.0.1:3004.
//!
//! The other examples go through an adapter, and so through fastsession-core's driver
//! (`SessionManager`, feature `driver`). This one uses only the core's sans-IO API, to show it is
//! enough: it depends on fastsession-core with `default-features = false` and the features
//! `memory-store`, `http` and `timeouts` (`TimeLimited`, each store call bounded by the
//! configured store timeout, as the driver does), so the driver is not compiled into this binary
//! (`.ci/run` checks it with `cargo tree`). Only its tests build it, through the dev-dependency's
//! `test-util` (`FaultyStore`, for the error paths).
//!
//! - [`lifecycle`]: one request's session, `begin_request` to `finish` and `commit`, and the
//!   headers the commit asks for;
//! - [`routes`]: the app, the same as the other examples'.
//!
//! One thing the driver can do is not done here: the opt-in serialization of concurrent requests
//! of one session (`Config::serializes_requests`, off by default). Without it, concurrent
//! requests merge their changes key by key in the store, and the counter's
//! `Session::increment` loses no count.

mod lifecycle;
mod response;
mod routes;

use std::convert::Infallible;
use std::sync::Arc;

use fastsession_core::adapter::Sessions;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::lifecycle::App;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sessions = Sessions::new(example_support::config_from_env()?)?;
    let app = Arc::new(App::new(sessions, example_support::store_from_env().await?));

    let port = example_support::port_from_env(3004)?;
    let listener = TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("listening on http://{}", listener.local_addr()?);
    loop {
        let (stream, _peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                eprintln!("accepting a connection failed: {error}");
                continue;
            }
        };
        let app = app.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let app = app.clone();
                async move { Ok::<_, Infallible>(app.serve(request).await) }
            });
            let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            if let Err(error) = connection.await {
                eprintln!("serving a connection failed: {error}");
            }
        });
    }
}
