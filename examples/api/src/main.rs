//! fastsession for an API whose clients (mobile apps, scripts) keep no cookies:
//! `cargo run -p example-api`, then talk to http://127.0.0.1:3005 with curl (see
//! `examples/README.md`).
//!
//! The session travels in `Authorization: Session <value>`: the same signed value a cookie
//! would hold, verified, rotated and expired the same way. A response returns a new or rotated
//! value in the same header, an empty one when the session ends, and never sets a cookie.

use axum::routing::{get, post};
use axum::{Json, Router};
use fastsession_axum::Transport;
use fastsession_axum::{Session, SessionRejection, UserSessions};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
struct Login {
    user: String,
}

/// `POST /login` with `{"user": NAME}`: a new session value, bound to the user.
async fn login(
    session: Session,
    Json(login): Json<Login>,
) -> Result<Json<Value>, SessionRejection> {
    session.cycle_id()?; // a new value on every privilege change defeats fixation
    session.set_user(&login.user)?;
    Ok(Json(json!({ "user": login.user })))
}

/// `GET /me`: who is logged in, and how many requests this session made.
async fn me(session: Session) -> Result<Json<Value>, SessionRejection> {
    let requests = session.increment("requests", 1)?;
    Ok(Json(
        json!({ "user": session.user(), "requests": requests }),
    ))
}

/// `GET /sessions`: the user's sessions ("your devices"), by label.
async fn sessions(devices: UserSessions) -> Result<Json<Value>, SessionRejection> {
    let listed = devices.list().await?;
    let labels: Vec<Value> = listed
        .iter()
        .map(|session| json!({ "label": session.label, "current": session.current }))
        .collect();
    Ok(Json(json!({ "sessions": labels })))
}

/// `POST /logout`: the session ends; the response's `Authorization` header is empty.
async fn logout(session: Session) -> Result<Json<Value>, SessionRejection> {
    session.destroy()?;
    Ok(Json(json!({ "ok": true })))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = example_support::config_from_env()?.with_transport(Transport::Header);
    let store = example_support::store_from_env().await?; // FASTSESSION_STORE, or in memory

    let app = Router::new()
        .route("/login", post(login))
        .route("/me", get(me))
        .route("/sessions", get(sessions))
        .route("/logout", post(logout))
        .layer(fastsession_axum::layer(config, store)?);

    let port = example_support::port_from_env(3005)?;
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
