//! fastsession on rocket: `cargo run -p example-rocket`, then open http://127.0.0.1:3002.

use fastsession_rocket::{Session, SessionFairing, SessionRejection, UserSessions};
use rocket::form::Form;
use rocket::response::Redirect;
use rocket::response::content::RawHtml;
use rocket::serde::json::Json;
use rocket::{FromForm, get, post, routes};
use serde_json::{Value, json};

/// Python FastSession's README example: count this browser's visits.
#[get("/session_test")]
fn session_test(session: Session) -> Result<Json<Value>, SessionRejection> {
    // Added by the store itself: parallel requests of one session lose no count.
    let counter = session.increment("test_counter", 1)?;
    Ok(Json(json!({ "test_counter": counter })))
}

#[get("/")]
fn home(session: Session) -> Result<RawHtml<String>, SessionRejection> {
    let user: Option<String> = session.get("user")?;
    let visits: u64 = session.get("test_counter")?.unwrap_or(0);
    let page = example_support::home_page("rocket", user.as_deref(), visits);
    Ok(RawHtml(page))
}

#[derive(FromForm)]
struct Login {
    user: String,
}

#[post("/login", data = "<login>")]
fn login(session: Session, login: Form<Login>) -> Result<Redirect, SessionRejection> {
    session.cycle_id()?; // a new ID on every privilege change defeats session fixation
    session.insert("user", &login.user)?;
    session.set_user(&login.user)?; // so the user's sessions can be listed and ended
    Ok(Redirect::to("/"))
}

/// "Log out other devices": every other session of this user ends.
#[post("/logout-others")]
async fn logout_others(devices: UserSessions) -> Result<Redirect, SessionRejection> {
    devices.end_others().await?;
    Ok(Redirect::to("/"))
}

#[post("/logout")]
fn logout(session: Session) -> Result<Redirect, SessionRejection> {
    session.destroy()?;
    Ok(Redirect::to("/"))
}

#[get("/whoami")]
fn whoami(session: Session) -> Result<Json<Value>, SessionRejection> {
    let user: Option<String> = session.get("user")?;
    let visits: u64 = session.get("test_counter")?.unwrap_or(0);
    Ok(Json(json!({ "user": user, "visits": visits })))
}

#[rocket::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sessions = example_support::config_from_env()?;

    let port = example_support::port_from_env(3002)?;
    let config = rocket::Config {
        port,
        address: [127, 0, 0, 1].into(),
        ..rocket::Config::release_default()
    };
    let rocket = rocket::custom(config)
        .attach(SessionFairing::new(
            sessions,
            example_support::store_from_env().await?,
        )?)
        .attach(rocket::fairing::AdHoc::on_liftoff(
            "print the URL",
            |rocket| {
                Box::pin(async move {
                    println!("listening on http://127.0.0.1:{}", rocket.config().port)
                })
            },
        ))
        .mount(
            "/",
            routes![home, session_test, login, logout, logout_others, whoami],
        );
    rocket.launch().await?;
    Ok(())
}
