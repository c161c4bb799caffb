//! fastsession on axum: `cargo run -p example-axum`, then open http://127.0.0.1:3000.

use axum::extract::Form;
use axum::response::{Html, Redirect};
use axum::routing::{get, post};
use axum::{Json, Router};
use fastsession_axum::{Session, SessionRejection, UserSessions};
use serde::Deserialize;
use serde_json::{Value, json};

/// Python FastSession's README example: count this browser's visits.
async fn session_test(session: Session) -> Result<Json<Value>, SessionRejection> {
    // Added by the store itself: parallel requests of one session lose no count.
    let counter = session.increment("test_counter", 1)?;
    Ok(Json(json!({ "test_counter": counter })))
}

async fn home(session: Session) -> Result<Html<String>, SessionRejection> {
    let user: Option<String> = session.get("user")?;
    let visits: u64 = session.get("test_counter")?.unwrap_or(0);
    let page = example_support::home_page("axum", user.as_deref(), visits);
    Ok(Html(page))
}

#[derive(Deserialize)]
struct Login {
    user: String,
}

async fn login(session: Session, Form(login): Form<Login>) -> Result<Redirect, SessionRejection> {
    session.cycle_id()?; // a new ID on every privilege change defeats session fixation
    session.insert("user", &login.user)?;
    session.set_user(&login.user)?; // so the user's sessions can be listed and ended
    Ok(Redirect::to("/"))
}

/// "Log out other devices": every other session of this user ends.
async fn logout_others(devices: UserSessions) -> Result<Redirect, SessionRejection> {
    devices.end_others().await?;
    Ok(Redirect::to("/"))
}

async fn logout(session: Session) -> Result<Redirect, SessionRejection> {
    session.destroy()?;
    Ok(Redirect::to("/"))
}

async fn whoami(session: Session) -> Result<Json<Value>, SessionRejection> {
    let user: Option<String> = session.get("user")?;
    let visits: u64 = session.get("test_counter")?.unwrap_or(0);
    Ok(Json(json!({ "user": user, "visits": visits })))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = example_support::config_from_env()?;
    let store = example_support::store_from_env().await?; // FASTSESSION_STORE, or in memory

    let app = Router::new()
        .route("/", get(home))
        .route("/session_test", get(session_test))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/logout-others", post(logout_others))
        .route("/whoami", get(whoami))
        .layer(fastsession_axum::layer(config, store)?);

    let port = example_support::port_from_env(3000)?;
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
