//! fastsession on actix-web: `cargo run -p example-actix`, then open http://127.0.0.1:3001.

use actix_web::http::header::LOCATION;
use actix_web::{App, HttpResponse, HttpServer, web};
use fastsession_actix::{Session, SessionMiddleware, SessionRejection, UserSessions};
use serde::Deserialize;
use serde_json::json;

/// Python FastSession's README example: count this browser's visits.
async fn session_test(session: Session) -> Result<HttpResponse, SessionRejection> {
    // Added by the store itself: parallel requests of one session lose no count.
    let counter = session.increment("test_counter", 1)?;
    Ok(HttpResponse::Ok().json(json!({ "test_counter": counter })))
}

async fn home(session: Session) -> Result<HttpResponse, SessionRejection> {
    let user: Option<String> = session.get("user")?;
    let visits: u64 = session.get("test_counter")?.unwrap_or(0);
    let page = example_support::home_page("actix-web", user.as_deref(), visits);
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page))
}

#[derive(Deserialize)]
struct Login {
    user: String,
}

fn see_home() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, "/"))
        .finish()
}

async fn login(
    session: Session,
    login: web::Form<Login>,
) -> Result<HttpResponse, SessionRejection> {
    session.cycle_id()?; // a new ID on every privilege change defeats session fixation
    session.insert("user", &login.user)?;
    session.set_user(&login.user)?; // so the user's sessions can be listed and ended
    Ok(see_home())
}

/// "Log out other devices": every other session of this user ends.
async fn logout_others(devices: UserSessions) -> Result<HttpResponse, SessionRejection> {
    devices.end_others().await?;
    Ok(see_home())
}

async fn logout(session: Session) -> Result<HttpResponse, SessionRejection> {
    session.destroy()?;
    Ok(see_home())
}

async fn whoami(session: Session) -> Result<HttpResponse, SessionRejection> {
    let user: Option<String> = session.get("user")?;
    let visits: u64 = session.get("test_counter")?.unwrap_or(0);
    Ok(HttpResponse::Ok().json(json!({ "user": user, "visits": visits })))
}

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = example_support::config_from_env()?;
    // Built once, cloned into every worker: all workers share one store.
    let middleware = SessionMiddleware::new(config, example_support::store_from_env().await?)?;

    let port = example_support::port_from_env(3001)?;
    let server = HttpServer::new(move || {
        App::new()
            .wrap(middleware.clone())
            .route("/", web::get().to(home))
            .route("/session_test", web::get().to(session_test))
            .route("/login", web::post().to(login))
            .route("/logout", web::post().to(logout))
            .route("/logout-others", web::post().to(logout_others))
            .route("/whoami", web::get().to(whoami))
    })
    .bind(("127.0.0.1", port))?;
    for address in server.addrs() {
        println!("listening on http://{address}");
    }
    server.run().await?;
    Ok(())
}
