//! The reference app on poem.

use std::future::Future;
use std::io;
use std::net::TcpListener;
use std::time::Duration;

use fastsession_poem::{OptionalSession, Session, SessionMiddleware, SessionObjects, UserSessions};
use poem::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use poem::http::{HeaderValue, StatusCode, Uri};
use poem::listener::TcpAcceptor;
use poem::web::Path;
use poem::{EndpointExt, Response, Route, Server, get, handler, post};

use super::{AppState, RunningServer, SECOND_OBJECT, stopper};
use crate::app::{self, Reply};
use crate::user_routes;

fn respond(reply: Reply) -> Response {
    let (status, content_type, body) = reply.into_parts();
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header(CONTENT_TYPE, content_type)
        .body(body)
}

/// Runs `action` under the request's query parameters (see [`app::staged`]); `?error=N` is
/// poem's own error mechanism, `Err(poem::Error)`.
async fn staged(uri: &Uri, action: impl Future<Output = Reply>) -> poem::Result<Response> {
    match app::staged(uri.query().unwrap_or_default(), action).await {
        Ok(reply) => Ok(respond(reply)),
        Err(reply) => Err(poem::Error::from_status(
            StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        )),
    }
}

#[handler]
async fn session_test(s: Session, uri: &Uri) -> poem::Result<Response> {
    staged(uri, async { app::session_test(&s) }).await
}

#[handler]
fn plain() -> Response {
    respond(app::plain())
}

#[handler]
async fn get_key(s: Session, uri: &Uri, Path(key): Path<String>) -> poem::Result<Response> {
    staged(uri, async { app::get(&s, &key) }).await
}

#[handler]
async fn set_key(
    s: Session,
    uri: &Uri,
    Path(key): Path<String>,
    body: Vec<u8>,
) -> poem::Result<Response> {
    staged(uri, async { app::set(&s, &key, &body) }).await
}

#[handler]
async fn remove_key(s: Session, uri: &Uri, Path(key): Path<String>) -> poem::Result<Response> {
    staged(uri, async { app::remove(&s, &key) }).await
}

#[handler]
async fn clear(s: Session, uri: &Uri) -> poem::Result<Response> {
    staged(uri, async { app::clear(&s) }).await
}

#[handler]
async fn login(s: Session, uri: &Uri, Path(user): Path<String>) -> poem::Result<Response> {
    staged(uri, async { app::login(&s, &user) }).await
}

#[handler]
async fn logout(s: Session, uri: &Uri) -> poem::Result<Response> {
    staged(uri, async { app::logout(&s) }).await
}

#[handler]
async fn logout_then_set(
    s: Session,
    uri: &Uri,
    Path(key): Path<String>,
    body: Vec<u8>,
) -> poem::Result<Response> {
    staged(uri, async { app::logout_then_set(&s, &key, &body) }).await
}

#[handler]
async fn whoami(s: Session, uri: &Uri) -> poem::Result<Response> {
    staged(uri, async { app::whoami(&s) }).await
}

#[handler]
async fn incr_slow(s: Session, uri: &Uri, Path(key): Path<String>) -> poem::Result<Response> {
    staged(uri, app::incr_slow(&s, &key)).await
}

#[handler]
async fn fail(s: Session, uri: &Uri) -> poem::Result<Response> {
    staged(uri, async { app::fail(&s) }).await
}

#[handler]
async fn app_cookies(s: Session, uri: &Uri) -> poem::Result<Response> {
    let mut response = staged(uri, async { app::app_cookies(&s) }).await?;
    for (name, value) in app::APP_COOKIES {
        if let Ok(header) = format!("{name}={value}; Path=/").parse() {
            response.headers_mut().append(SET_COOKIE, header);
        }
    }
    Ok(response)
}

#[handler]
async fn cacheable(s: Session, uri: &Uri) -> poem::Result<Response> {
    let mut response = staged(uri, async { app::session_test(&s) }).await?;
    response.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static(app::CACHEABLE_CACHE_CONTROL),
    );
    Ok(response)
}

#[handler]
async fn optional(s: OptionalSession, uri: &Uri) -> poem::Result<Response> {
    staged(uri, async { app::optional(s.0.as_deref()) }).await
}

#[handler]
async fn my_sessions(d: UserSessions, uri: &Uri) -> poem::Result<Response> {
    staged(uri, user_routes::my_sessions(&d)).await
}

#[handler]
async fn end_my_session(
    d: UserSessions,
    uri: &Uri,
    Path(label): Path<String>,
) -> poem::Result<Response> {
    staged(uri, user_routes::end_my_session(&d, &label)).await
}

#[handler]
async fn logout_others(d: UserSessions, uri: &Uri) -> poem::Result<Response> {
    staged(uri, user_routes::logout_others(&d)).await
}

#[handler]
async fn logout_everywhere(d: UserSessions, uri: &Uri) -> poem::Result<Response> {
    staged(uri, user_routes::logout_everywhere(&d)).await
}

#[handler]
async fn second_session_test(sessions: SessionObjects, uri: &Uri) -> poem::Result<Response> {
    match sessions.get(SECOND_OBJECT).await {
        Ok(s) => staged(uri, async { app::session_test(&s) }).await,
        Err(rejection) => Ok(poem::Error::from(rejection).into_response()),
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
        .at("/logout-then-set/:key", post(logout_then_set))
        .at("/whoami", get(whoami))
        .at("/incr-slow/:key", post(incr_slow))
        .at("/fail", get(fail))
        .at("/app-cookies", get(app_cookies))
        .at("/cacheable", get(cacheable))
        .at("/optional", get(optional))
        .at("/my-sessions", get(my_sessions))
        .at("/my-sessions/:label/end", post(end_my_session))
        .at("/logout-others", post(logout_others))
        .at("/logout-everywhere", post(logout_everywhere))
}

fn app(state: AppState) -> io::Result<poem::endpoint::BoxEndpoint<'static, Response>> {
    let main = SessionMiddleware::new(state.config, state.store).map_err(super::refused)?;
    Ok(match state.second {
        Some((second, store)) => routes()
            .at("/second/session_test", get(second_session_test))
            .with(SessionMiddleware::new(second, store).map_err(super::refused)?)
            .with(main)
            .map_to_response()
            .boxed(),
        None => routes().with(main).map_to_response().boxed(),
    })
}

pub(super) fn start(state: AppState, listener: TcpListener) -> io::Result<RunningServer> {
    let addr = listener.local_addr()?;
    let acceptor = TcpAcceptor::from_std(listener)?;
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let app = app(state)?;
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
