//! fastsession on poem: `cargo run -p example-poem`, then open http://127.0.0.1:3003.

use fastsession_poem::{Session, SessionMiddleware, SessionRejection, UserSessions};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Form, Html, Json, Redirect};
use poem::{EndpointExt, Route, Server, get, handler, post};
use serde::Deserialize;
use serde_json::{Value, json};

/// Python FastSession's README example: count this browser's visits.
#[handler]
fn session_test(session: Session) -> Result<Json<Value>, SessionRejection> {
    // Added by the store itself: parallel requests of one session lose no count.
    let counter = session.increment("test_counter", 1)?;
    Ok(Json(json!({ "test_counter": counter })))
}

#[handler]
fn home(session: Session) -> Result<Html<String>, SessionRejection> {
    let user: Option<String> = session.get("user")?;
    let visits: u64 = session.get("test_counter")?.unwrap_or(0);
    let page = example_support::home_page("poem", user.as_deref(), visits);
    Ok(Html(page))
}

#[derive(Deserialize)]
struct Login {
    user: String,
}

#[handler]
fn login(session: Session, Form(login): Form<Login>) -> Result<Redirect, SessionRejection> {
    session.cycle_id()?; // a new ID on every privilege change defeats session fixation
    session.insert("user", &login.user)?;
    session.set_user(&login.user)?; // so the user's sessions can be listed and ended
    Ok(Redirect::see_other("/"))
}

/// "Log out other devices": every other session of this user ends.
#[handler]
async fn logout_others(devices: UserSessions) -> Result<Redirect, SessionRejection> {
    devices.end_others().await?;
    Ok(Redirect::see_other("/"))
}

#[handler]
fn logout(session: Session) -> Result<Redirect, SessionRejection> {
    session.destroy()?;
    Ok(Redirect::see_other("/"))
}

#[handler]
fn whoami(session: Session) -> Result<Json<Value>, SessionRejection> {
    let user: Option<String> = session.get("user")?;
    let visits: u64 = session.get("test_counter")?.unwrap_or(0);
    Ok(Json(json!({ "user": user, "visits": visits })))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = example_support::config_from_env()?;

    let app = Route::new()
        .at("/", get(home))
        .at("/session_test", get(session_test))
        .at("/login", post(login))
        .at("/logout", post(logout))
        .at("/logout-others", post(logout_others))
        .at("/whoami", get(whoami))
        .with(SessionMiddleware::new(
            config,
            example_support::store_from_env().await?,
        )?);

    let port = example_support::port_from_env(3003)?;
    let acceptor = TcpListener::bind(format!("127.0.0.1:{port}"))
        .into_acceptor()
        .await?;
    for address in acceptor.local_addr() {
        println!(
            "listening on http://{}",
            address
                .as_socket_addr()
                .map_or_else(|| address.to_string(), ToString::to_string)
        );
    }
    Server::new_with_acceptor(acceptor).run(app).await?;
    Ok(())
}
