//! The reference app on actix-web, in its own thread with its own actix system.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::TcpListener;

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, ContentType, HeaderValue};
use actix_web::web::{self, Bytes, Path};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, ResponseError};
use fastsession_actix::{
    OptionalSession, Session, SessionMiddleware, SessionObjects, UserSessions,
};

use super::{AppState, RunningServer, SECOND_OBJECT};
use crate::app::{self, Reply};
use crate::user_routes;

fn respond(reply: Reply) -> HttpResponse {
    let (status, content_type, body) = reply.into_parts();
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status)
        .insert_header(("content-type", content_type))
        .body(body)
}

/// `?error=N`: the reply, returned as actix-web's own error (`Err` of a `ResponseError`).
#[derive(Debug)]
struct HandlerError(Reply);

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the handler answered {} as an error", self.0.status)
    }
}

impl ResponseError for HandlerError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        respond(self.0.clone())
    }
}

type Answer = Result<HttpResponse, HandlerError>;

/// Runs `action` under the request's query parameters (see [`app::staged`]).
async fn staged(request: &HttpRequest, action: impl Future<Output = Reply>) -> Answer {
    app::staged(request.query_string(), action)
        .await
        .map(respond)
        .map_err(HandlerError)
}

async fn session_test(s: Session, r: HttpRequest) -> Answer {
    staged(&r, async { app::session_test(&s) }).await
}

async fn plain() -> HttpResponse {
    respond(app::plain())
}

async fn get_key(s: Session, r: HttpRequest, key: Path<String>) -> Answer {
    staged(&r, async { app::get(&s, &key) }).await
}

async fn set_key(s: Session, r: HttpRequest, key: Path<String>, body: Bytes) -> Answer {
    staged(&r, async { app::set(&s, &key, &body) }).await
}

async fn remove_key(s: Session, r: HttpRequest, key: Path<String>) -> Answer {
    staged(&r, async { app::remove(&s, &key) }).await
}

async fn clear(s: Session, r: HttpRequest) -> Answer {
    staged(&r, async { app::clear(&s) }).await
}

async fn login(s: Session, r: HttpRequest, user: Path<String>) -> Answer {
    staged(&r, async { app::login(&s, &user) }).await
}

async fn logout(s: Session, r: HttpRequest) -> Answer {
    staged(&r, async { app::logout(&s) }).await
}

async fn logout_then_set(s: Session, r: HttpRequest, key: Path<String>, body: Bytes) -> Answer {
    staged(&r, async { app::logout_then_set(&s, &key, &body) }).await
}

async fn whoami(s: Session, r: HttpRequest) -> Answer {
    staged(&r, async { app::whoami(&s) }).await
}

async fn incr_slow(s: Session, r: HttpRequest, key: Path<String>) -> Answer {
    staged(&r, app::incr_slow(&s, &key)).await
}

async fn fail(s: Session, r: HttpRequest) -> Answer {
    staged(&r, async { app::fail(&s) }).await
}

async fn app_cookies(s: Session, r: HttpRequest) -> Answer {
    let mut response = staged(&r, async { app::app_cookies(&s) }).await?;
    for (name, value) in app::APP_COOKIES {
        let mut cookie = Cookie::new(name, value);
        cookie.set_path("/");
        let _ = response.add_cookie(&cookie);
    }
    Ok(response)
}

async fn cacheable(s: Session, r: HttpRequest) -> Answer {
    let mut response = staged(&r, async { app::session_test(&s) }).await?;
    response.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static(app::CACHEABLE_CACHE_CONTROL),
    );
    Ok(response)
}

async fn optional(s: OptionalSession, r: HttpRequest) -> Answer {
    staged(&r, async { app::optional(s.0.as_deref()) }).await
}

async fn my_sessions(d: UserSessions, r: HttpRequest) -> Answer {
    staged(&r, user_routes::my_sessions(&d)).await
}

async fn end_my_session(d: UserSessions, r: HttpRequest, label: Path<String>) -> Answer {
    staged(&r, user_routes::end_my_session(&d, &label)).await
}

async fn logout_others(d: UserSessions, r: HttpRequest) -> Answer {
    staged(&r, user_routes::logout_others(&d)).await
}

async fn logout_everywhere(d: UserSessions, r: HttpRequest) -> Answer {
    staged(&r, user_routes::logout_everywhere(&d)).await
}

async fn second_session_test(sessions: SessionObjects, r: HttpRequest) -> Answer {
    match sessions.get(SECOND_OBJECT).await {
        Ok(s) => staged(&r, async { app::session_test(&s) }).await,
        Err(rejection) => Ok(rejection.error_response()),
    }
}

fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/session_test", web::get().to(session_test))
        .route("/a/b/c", web::get().to(session_test))
        .route("/plain", web::get().to(plain))
        .route("/get/{key}", web::get().to(get_key))
        .route("/set/{key}", web::post().to(set_key))
        .route("/remove/{key}", web::post().to(remove_key))
        .route("/clear", web::post().to(clear))
        .route("/login/{user}", web::post().to(login))
        .route("/logout", web::post().to(logout))
        .route("/my-sessions", web::get().to(my_sessions))
        .route("/my-sessions/{label}/end", web::post().to(end_my_session))
        .route("/logout-others", web::post().to(logout_others))
        .route("/logout-everywhere", web::post().to(logout_everywhere))
        .route("/logout-then-set/{key}", web::post().to(logout_then_set))
        .route("/whoami", web::get().to(whoami))
        .route("/incr-slow/{key}", web::post().to(incr_slow))
        .route("/fail", web::get().to(fail))
        .route("/app-cookies", web::get().to(app_cookies))
        .route("/cacheable", web::get().to(cacheable))
        .route("/optional", web::get().to(optional))
        .route("/second/session_test", web::get().to(second_session_test));
}

pub(super) fn start(state: AppState, listener: TcpListener) -> io::Result<RunningServer> {
    let addr = listener.local_addr()?;
    let main = SessionMiddleware::new(state.config, state.store).map_err(super::refused)?;
    // actix needs one middleware type either way: without a second session, `Condition` keeps a
    // clone of the main middleware switched off.
    let stacked = state.second.is_some();
    let second = match state.second {
        Some((config, store)) => SessionMiddleware::new(config, store).map_err(super::refused)?,
        None => main.clone(),
    };
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("actix-server".to_owned())
        .spawn(move || {
            let system = actix_rt::System::new();
            system.block_on(async move {
                let server = HttpServer::new(move || {
                    App::new()
                        .wrap(actix_web::middleware::Condition::new(
                            stacked,
                            second.clone(),
                        ))
                        .wrap(main.clone())
                        .app_data(web::PayloadConfig::new(1 << 20))
                        .configure(routes)
                        .default_service(web::to(|| async {
                            HttpResponse::NotFound()
                                .content_type(ContentType::plaintext())
                                .body("Not Found")
                        }))
                })
                .workers(2)
                .disable_signals()
                .shutdown_timeout(1)
                .listen(listener);
                match server {
                    Ok(server) => {
                        let server = server.run();
                        let _ = sender.send(Ok(server.handle()));
                        if let Err(error) = server.await {
                            tracing::error!(%error, "the actix server failed");
                        }
                    }
                    Err(error) => {
                        let _ = sender.send(Err(error));
                    }
                }
            });
        })?;
    let handle = receiver.recv().map_err(io::Error::other)??;
    Ok(RunningServer {
        addr,
        stop: Some(Box::new(move || {
            // `stop` sends the command at once; the returned future only waits for completion.
            drop(handle.stop(false));
        })),
    })
}
