//! The reference app on rocket.

use std::future::Future;
use std::io;
use std::net::TcpListener;

use fastsession_rocket::{OptionalSession, Session, SessionFairing, SessionObjects, UserSessions};
use rocket::config::{LogLevel, Shutdown};
use rocket::data::{Limits, ToByteUnit};
use rocket::fairing::AdHoc;
use rocket::http::uri::Origin;
use rocket::http::{ContentType, Cookie, CookieJar, Header, Status};
use rocket::{Either, Responder, get, post, routes};

use super::{AppState, RunningServer, SECOND_OBJECT};
use crate::app::{self, Reply};
use crate::user_routes;

type Answer = (Status, (ContentType, Vec<u8>));

/// A route's answer: `Err(Status)` is rocket's own error mechanism (`?error=N`).
type Staged = Result<Answer, Status>;

fn respond(reply: Reply) -> Answer {
    let (status, content_type, body) = reply.into_parts();
    let content_type = if content_type.starts_with("application/json") {
        ContentType::JSON
    } else {
        ContentType::Plain
    };
    (Status::new(status), (content_type, body))
}

/// Runs `action` under the request's query parameters (see [`app::staged`]).
async fn staged(uri: &Origin<'_>, action: impl Future<Output = Reply>) -> Staged {
    let query = uri.query().map_or("", |query| query.as_str());
    app::staged(query, action)
        .await
        .map(respond)
        .map_err(|reply| Status::new(reply.status))
}

/// `/cacheable`'s answer, with its own `Cache-Control`.
#[derive(Responder)]
struct Cacheable {
    inner: Answer,
    cache_control: Header<'static>,
}

#[get("/session_test")]
async fn session_test(s: Session, uri: &Origin<'_>) -> Staged {
    staged(uri, async { app::session_test(&s) }).await
}

#[get("/a/b/c")]
async fn deep(s: Session, uri: &Origin<'_>) -> Staged {
    staged(uri, async { app::session_test(&s) }).await
}

#[get("/plain")]
fn plain() -> Answer {
    respond(app::plain())
}

#[get("/get/<key>")]
async fn get_key(s: Session, uri: &Origin<'_>, key: &str) -> Staged {
    staged(uri, async { app::get(&s, key) }).await
}

#[post("/set/<key>", data = "<body>")]
async fn set_key(s: Session, uri: &Origin<'_>, key: &str, body: Vec<u8>) -> Staged {
    staged(uri, async { app::set(&s, key, &body) }).await
}

#[post("/remove/<key>")]
async fn remove_key(s: Session, uri: &Origin<'_>, key: &str) -> Staged {
    staged(uri, async { app::remove(&s, key) }).await
}

#[post("/clear")]
async fn clear(s: Session, uri: &Origin<'_>) -> Staged {
    staged(uri, async { app::clear(&s) }).await
}

#[post("/login/<user>")]
async fn login(s: Session, uri: &Origin<'_>, user: &str) -> Staged {
    staged(uri, async { app::login(&s, user) }).await
}

#[post("/logout")]
async fn logout(s: Session, uri: &Origin<'_>) -> Staged {
    staged(uri, async { app::logout(&s) }).await
}

#[post("/logout-then-set/<key>", data = "<body>")]
async fn logout_then_set(s: Session, uri: &Origin<'_>, key: &str, body: Vec<u8>) -> Staged {
    staged(uri, async { app::logout_then_set(&s, key, &body) }).await
}

#[get("/whoami")]
async fn whoami(s: Session, uri: &Origin<'_>) -> Staged {
    staged(uri, async { app::whoami(&s) }).await
}

#[post("/incr-slow/<key>")]
async fn incr_slow(s: Session, uri: &Origin<'_>, key: &str) -> Staged {
    staged(uri, app::incr_slow(&s, key)).await
}

#[get("/fail")]
async fn fail(s: Session, uri: &Origin<'_>) -> Staged {
    staged(uri, async { app::fail(&s) }).await
}

#[get("/app-cookies")]
async fn app_cookies(s: Session, uri: &Origin<'_>, cookies: &CookieJar<'_>) -> Staged {
    let answer = staged(uri, async { app::app_cookies(&s) }).await?;
    for (name, value) in app::APP_COOKIES {
        cookies.add(Cookie::build((name, value)).path("/"));
    }
    Ok(answer)
}

#[get("/cacheable")]
async fn cacheable(s: Session, uri: &Origin<'_>) -> Result<Cacheable, Status> {
    let inner = staged(uri, async { app::session_test(&s) }).await?;
    Ok(Cacheable {
        inner,
        cache_control: Header::new("Cache-Control", app::CACHEABLE_CACHE_CONTROL),
    })
}

#[get("/optional")]
async fn optional(s: OptionalSession, uri: &Origin<'_>) -> Staged {
    staged(uri, async { app::optional(s.0.as_deref()) }).await
}

#[get("/my-sessions")]
async fn my_sessions(d: UserSessions, uri: &Origin<'_>) -> Staged {
    staged(uri, user_routes::my_sessions(&d)).await
}

#[post("/my-sessions/<label>/end")]
async fn end_my_session(d: UserSessions, uri: &Origin<'_>, label: &str) -> Staged {
    staged(uri, user_routes::end_my_session(&d, label)).await
}

#[post("/logout-others")]
async fn logout_others(d: UserSessions, uri: &Origin<'_>) -> Staged {
    staged(uri, user_routes::logout_others(&d)).await
}

#[post("/logout-everywhere")]
async fn logout_everywhere(d: UserSessions, uri: &Origin<'_>) -> Staged {
    staged(uri, user_routes::logout_everywhere(&d)).await
}

#[get("/second/session_test")]
async fn second_session_test(
    sessions: SessionObjects,
    uri: &Origin<'_>,
) -> Either<Staged, fastsession_rocket::SessionRejection> {
    match sessions.get(SECOND_OBJECT).await {
        Ok(s) => Either::Left(staged(uri, async { app::session_test(&s) }).await),
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
                logout_then_set,
                whoami,
                incr_slow,
                fail,
                app_cookies,
                cacheable,
                optional,
                my_sessions,
                end_my_session,
                logout_others,
                logout_everywhere,
                second_session_test
            ],
        )
        .attach(SessionFairing::new(state.config, state.store).map_err(super::refused)?);
    if let Some((second, store)) = state.second {
        rocket = rocket.attach(SessionFairing::new(second, store).map_err(super::refused)?);
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
