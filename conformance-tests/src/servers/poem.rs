//! The reference app on poem.

use std::io;
use std::net::TcpListener;
use std::time::Duration;

use fastsession_poem::{OptionalSession, Session, SessionMiddleware, SessionObjects};
use poem::http::StatusCode;
use poem::http::header::{CONTENT_TYPE, SET_COOKIE};
use poem::listener::TcpAcceptor;
use poem::web::Path;
use poem::{EndpointExt, Response, Route, Server, get, handler, post};

use super::{AppState, RunningServer, SECOND_OBJECT, stopper};
use crate::app::{self, Reply};

fn respond(reply: Reply) -> Response {
    let (status, content_type, body) = reply.into_parts();
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header(CONTENT_TYPE, content_type)
        .body(body)
}

#[handler]
fn session_test(s: Session) -> Response {
    respond(app::session_test(&s))
}

#[handler]
fn plain() -> Response {
    respond(app::plain())
}

#[handler]
fn get_key(s: Session, Path(key): Path<String>) -> Response {
    respond(app::get(&s, &key))
}

#[handler]
fn set_key(s: Session, Path(key): Path<String>, body: Vec<u8>) -> Response {
    respond(app::set(&s, &key, &body))
}

#[handler]
fn remove_key(s: Session, Path(key): Path<String>) -> Response {
    respond(app::remove(&s, &key))
}

#[handler]
fn clear(s: Session) -> Response {
    respond(app::clear(&s))
}

#[handler]
fn login(s: Session, Path(user): Path<String>) -> Response {
    respond(app::login(&s, &user))
}

#[handler]
fn logout(s: Session) -> Response {
    respond(app::logout(&s))
}

#[handler]
fn whoami(s: Session) -> Response {
    respond(app::whoami(&s))
}

#[handler]
async fn incr_slow(s: Session, Path(key): Path<String>) -> Response {
    respond(app::incr_slow(&s, &key).await)
}

#[handler]
fn fail(s: Session) -> Response {
    respond(app::fail(&s))
}

#[handler]
fn app_cookies(s: Session) -> Response {
    let mut response = respond(app::app_cookies(&s));
    for (name, value) in app::APP_COOKIES {
        if let Ok(header) = format!("{name}={value}; Path=/").parse() {
            response.headers_mut().append(SET_COOKIE, header);
        }
    }
    response
}

#[handler]
fn optional(s: OptionalSession) -> Response {
    respond(app::optional(s.0.as_deref()))
}

#[handler]
async fn second_session_test(sessions: SessionObjects) -> Response {
    match sessions.get(SECOND_OBJECT).await {
        Ok(s) => respond(app::session_test(&s)),
        Err(rejection) => poem::Error::from(rejection).into_response(),
    }
}

fn routes() -> Route {
    Route::new()
        .at("/session_test", get(session_test))
        .at("/a/b/c", get(session_test))
        .at("/plain", get(plain))
        .at("/get/:key", get(get_key))
        .at("/set/:key", post(set_key))
        .at("/remove/:key", post(remove_key))
        .at("/clear", post(clear))
        .at("/login/:user", post(login))
        .at("/logout", post(logout))
        .at("/whoami", get(whoami))
        .at("/incr-slow/:key", post(incr_slow))
        .at("/fail", get(fail))
        .at("/app-cookies", get(app_cookies))
        .at("/optional", get(optional))
}

fn app(state: AppState) -> poem::endpoint::BoxEndpoint<'static, Response> {
    match state.second {
        Some((second, store)) => routes()
            .at("/second/session_test", get(second_session_test))
            .with(SessionMiddleware::new(second, store))
            .with(SessionMiddleware::new(state.sessions, state.store))
            .map_to_response()
            .boxed(),
        None => routes()
            .with(SessionMiddleware::new(state.sessions, state.store))
            .map_to_response()
            .boxed(),
    }
}

pub(super) fn start(state: AppState, listener: TcpListener) -> io::Result<RunningServer> {
    let addr = listener.local_addr()?;
    let acceptor = TcpAcceptor::from_std(listener)?;
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let app = app(state);
    tokio::spawn(async move {
        let shutdown = async {
            let _ = receiver.await;
        };
        let server = Server::new_with_acceptor(acceptor);
        if let Err(error) = server
            .run_with_graceful_shutdown(app, shutdown, Some(Duration::from_secs(1)))
            .await
        {
            tracing::error!(%error, "the poem server failed");
        }
    });
    Ok(RunningServer {
        addr,
        stop: stopper(sender),
    })
}
