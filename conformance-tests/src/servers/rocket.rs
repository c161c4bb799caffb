//! The reference app on rocket.

use std::io;
use std::net::TcpListener;

use fastsession_rocket::{OptionalSession, Session, SessionFairing, SessionObjects};
use rocket::config::{LogLevel, Shutdown};
use rocket::data::{Limits, ToByteUnit};
use rocket::fairing::AdHoc;
use rocket::http::{ContentType, Cookie, CookieJar, Status};
use rocket::{Either, get, post, routes};

use super::{AppState, RunningServer, SECOND_OBJECT};
use crate::app::{self, Reply};

type Answer = (Status, (ContentType, Vec<u8>));

fn respond(reply: Reply) -> Answer {
    let (status, content_type, body) = reply.into_parts();
    let content_type = if content_type.starts_with("application/json") {
        ContentType::JSON
    } else {
        ContentType::Plain
    };
    (Status::new(status), (content_type, body))
}

#[get("/session_test")]
fn session_test(s: Session) -> Answer {
    respond(app::session_test(&s))
}

#[get("/a/b/c")]
fn deep(s: Session) -> Answer {
    respond(app::session_test(&s))
}

#[get("/plain")]
fn plain() -> Answer {
    respond(app::plain())
}

#[get("/get/<key>")]
fn get_key(s: Session, key: &str) -> Answer {
    respond(app::get(&s, key))
}

#[post("/set/<key>", data = "<body>")]
fn set_key(s: Session, key: &str, body: Vec<u8>) -> Answer {
    respond(app::set(&s, key, &body))
}

#[post("/remove/<key>")]
fn remove_key(s: Session, key: &str) -> Answer {
    respond(app::remove(&s, key))
}

#[post("/clear")]
fn clear(s: Session) -> Answer {
    respond(app::clear(&s))
}

#[post("/login/<user>")]
fn login(s: Session, user: &str) -> Answer {
    respond(app::login(&s, user))
}

#[post("/logout")]
fn logout(s: Session) -> Answer {
    respond(app::logout(&s))
}

#[get("/whoami")]
fn whoami(s: Session) -> Answer {
    respond(app::whoami(&s))
}

#[post("/incr-slow/<key>")]
async fn incr_slow(s: Session, key: &str) -> Answer {
    respond(app::incr_slow(&s, key).await)
}

#[get("/fail")]
fn fail(s: Session) -> Answer {
    respond(app::fail(&s))
}

#[get("/app-cookies")]
fn app_cookies(s: Session, cookies: &CookieJar<'_>) -> Answer {
    for (name, value) in app::APP_COOKIES {
        cookies.add(Cookie::build((name, value)).path("/"));
    }
    respond(app::app_cookies(&s))
}

#[get("/optional")]
fn optional(s: OptionalSession) -> Answer {
    respond(app::optional(s.0.as_deref()))
}

#[get("/second/session_test")]
async fn second_session_test(
    sessions: SessionObjects,
) -> Either<Answer, fastsession_rocket::SessionRejection> {
    match sessions.get(SECOND_OBJECT).await {
        Ok(s) => Either::Left(respond(app::session_test(&s))),
        Err(rejection) => Either::Right(rejection),
    }
}

pub(super) async fn start(state: AppState, listener: TcpListener) -> io::Result<RunningServer> {
    // Rocket 0.5 binds its own socket: free the probe listener and let Rocket bind the port,
    // then learn the real port at liftoff.
    let port = listener.local_addr()?.port();
    drop(listener);
    let config = rocket::Config {
        address: [127, 0, 0, 1].into(),
        port,
        log_level: LogLevel::Off,
        cli_colors: false,
        limits: Limits::default().limit("bytes", 1.mebibytes()),
        shutdown: Shutdown {
            ctrlc: false,
            grace: 1,
            mercy: 1,
            ..Shutdown::default()
        },
        ..rocket::Config::debug_default()
    };
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let mut rocket = rocket::custom(config)
        .mount(
            "/",
            routes![
                session_test,
                deep,
                plain,
                get_key,
                set_key,
                remove_key,
                clear,
                login,
                logout,
                whoami,
                incr_slow,
                fail,
                app_cookies,
                optional,
                second_session_test
            ],
        )
        .attach(SessionFairing::new(state.sessions, state.store));
    if let Some((second, store)) = state.second {
        rocket = rocket.attach(SessionFairing::new(second, store));
    }
    let rocket = rocket.attach(AdHoc::on_liftoff("report the port", move |rocket| {
        let port = rocket.config().port;
        Box::pin(async move {
            let _ = sender.send(port);
        })
    }));
    let ignited = rocket.ignite().await.map_err(io::Error::other)?;
    let shutdown = ignited.shutdown();
    tokio::spawn(async move {
        if let Err(error) = ignited.launch().await {
            tracing::error!(%error, "the rocket server failed");
        }
    });
    let port = receiver.await.map_err(io::Error::other)?;
    Ok(RunningServer {
        addr: ([127, 0, 0, 1], port).into(),
        stop: Some(Box::new(move || shutdown.notify())),
    })
}
