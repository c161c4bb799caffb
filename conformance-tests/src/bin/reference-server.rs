//! The reference app (see `docs/reference-app.md`) on any of the four frameworks.
//!
//! ```text
//! cargo run --release -p fastsession-conformance --bin reference-server -- --framework axum --port 0
//! ```

use std::process::ExitCode;

use clap::Parser;
use fastsession_conformance::options::Options;
use fastsession_conformance::servers;

fn fail(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("reference-server: {error}");
    ExitCode::from(2)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let (Ok(mut terminate), Ok(mut interrupt)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

fn main() -> ExitCode {
    let options = Options::parse();
    if options.uses_test_key() {
        eprintln!(
            "reference-server: warning: no --key given; using a fixed test key that anyone can read"
        );
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(&error),
    };
    let _guard = runtime.enter();
    let state = match options.app_state() {
        Ok(state) => state,
        Err(error) => return fail(&error),
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    runtime.block_on(async {
        if let Err(error) = state.store.inner().prepare().await {
            return fail(&format!("--store: the store is not ready: {error}"));
        }
        let server = match servers::start(options.framework, state, options.port).await {
            Ok(server) => server,
            Err(error) => {
                return fail(&format!(
                    "cannot listen on 127.0.0.1:{}: {error}",
                    options.port
                ));
            }
        };
        println!("listening on {}", server.url());
        shutdown_signal().await;
        drop(server);
        ExitCode::SUCCESS
    })
}
