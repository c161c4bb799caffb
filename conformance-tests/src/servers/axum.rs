//! The reference app on axum.

use std::future::Future;
use std::io;
use std::net::TcpListener;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use fastsession_axum::{Session, SessionObjects, UserSessions, layer};

use super::{AppState, RunningServer, SECOND_OBJECT, stopper};
use crate::app::{self, Reply};
use crate::user_routes;

fn respond(reply: Reply) -> Response {
    let (status, content_type, body) = reply.into_parts();
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(CONTENT_TYPE, content_type)], body).into_response()
}

/// `?error=N`: the reply, returned as the handler's error (`Err` of an `IntoResponse` type).
#[derive(Debug)]
struct HandlerError(Reply);

impl IntoResponse for HandlerError {
    fn into_response(self) -> Response {
        respond(self.0)
    }
}

type Answer = Result<Response, HandlerError>;

/// Runs `action` under the request's query parameters (see [`app::staged`]).
async fn staged(query: Option<String>, action: impl Future<Output = Reply>) -> Answer {
    app::staged(query.as_deref().unwrap_or_default(), action)
        .await
        .map(respond)
        .map_err(HandlerError)
}

async fn session_test(s: Session, RawQuery(q): RawQuery) -> Answer {
    staged(q, async { app::session_test(&s) }).await
}

async fn plain() -> Response {
    respond(app::plain())
}

async fn get_key(s: Session, RawQuery(q): RawQuery, Path(key): Path<String>) -> Answer {
    staged(q, async { app::get(&s, &key) }).await
}

async fn set_key(
    s: Session,
    RawQuery(q): RawQuery,
    Path(key): Path<String>,
    body: Bytes,
) -> Answer {
    staged(q, async { app::set(&s, &key, &body) }).await
}

async fn remove_key(s: Session, RawQuery(q): RawQuery, Path(key): Path<String>) -> Answer {
    staged(q, async { app::remove(&s, &key) }).await
}

async fn clear(s: Session, RawQuery(q): RawQuery) -> Answer {
    staged(q, async { app::clear(&s) }).await
}

async fn login(s: Session, RawQuery(q): RawQuery, Path(user): Path<String>) -> Answer {
    staged(q, async { app::login(&s, &user) }).await
}

async fn logout(s: Session, RawQuery(q): RawQuery) -> Answer {
    staged(q, async { app::logout(&s) }).await
}

async fn logout_then_set(
    s: Session,
    RawQuery(q): RawQuery,
    Path(key): Path<String>,
    body: Bytes,
) -> Answer {
    staged(q, async { app::logout_then_set(&s, &key, &body) }).await
}

async fn whoami(s: Session, RawQuery(q): RawQuery) -> Answer {
    staged(q, async { app::whoami(&s) }).await
}

async fn incr_slow(s: Session, RawQuery(q): RawQuery, Path(key): Path<String>) -> Answer {
    staged(q, app::incr_slow(&s, &key)).await
}

async fn fail(s: Session, RawQuery(q): RawQuery) -> Answer {
    staged(q, async { app::fail(&s) }).await
}

async fn app_cookies(s: Session, RawQuery(q): RawQuery) -> Answer {
    let mut response = staged(q, async { app::app_cookies(&s) }).await?;
    for (name, value) in app::APP_COOKIES {
        if let Ok(header) = HeaderValue::from_str(&format!("{name}={value}; Path=/")) {
            response.headers_mut().append(SET_COOKIE, header);
        }
    }
    Ok(response)
}

async fn cacheable(s: Session, RawQuery(q): RawQuery) -> Answer {
    let mut response = staged(q, async { app::session_test(&s) }).await?;
    response.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static(app::CACHEABLE_CACHE_CONTROL),
    );
    Ok(response)
}

async fn optional(s: Option<Session>, RawQuery(q): RawQuery) -> Answer {
    staged(q, async { app::optional(s.as_deref()) }).await
}

async fn my_sessions(d: UserSessions, RawQuery(q): RawQuery) -> Answer {
    staged(q, user_routes::my_sessions(&d)).await
}

async fn end_my_session(
    d: UserSessions,
    RawQuery(q): RawQuery,
    Path(label): Path<String>,
) -> Answer {
    staged(q, user_routes::end_my_session(&d, &label)).await
}

async fn logout_others(d: UserSessions, RawQuery(q): RawQuery) -> Answer {
    staged(q, user_routes::logout_others(&d)).await
}

async fn logout_everywhere(d: UserSessions, RawQuery(q): RawQuery) -> Answer {
    staged(q, user_routes::logout_everywhere(&d)).await
}

async fn second_session_test(sessions: SessionObjects, RawQuery(q): RawQuery) -> Answer {
    match sessions.get(SECOND_OBJECT).await {
        Ok(s) => staged(q, async { app::session_test(&s) }).await,
        Err(rejection) => Ok(rejection.into_response()),
    }
}

fn router(state: AppState) -> io::Result<Router> {
    let mut router = Router::new()
        .route("/session_test", get(session_test))
        .route("/a/b/c", get(session_test))
        .route("/plain", get(plain))
        .route("/get/{key}", get(get_key))
        .route("/set/{key}", post(set_key))
        .route("/remove/{key}", post(remove_key))
        .route("/clear", post(clear))
        .route("/login/{user}", post(login))
        .route("/logout", post(logout))
        .route("/logout-then-set/{key}", post(logout_then_set))
        .route("/whoami", get(whoami))
        .route("/incr-slow/{key}", post(incr_slow))
        .route("/fail", get(fail))
        .route("/app-cookies", get(app_cookies))
        .route("/cacheable", get(cacheable))
        .route("/optional", get(optional))
        .route("/my-sessions", get(my_sessions))
        .route("/my-sessions/{label}/end", post(end_my_session))
        .route("/logout-others", post(logout_others))
        .route("/logout-everywhere", post(logout_everywhere));
    if let Some((second, store)) = state.second {
        router = router
            .route("/second/session_test", get(second_session_test))
            .layer(layer(second, store).map_err(super::refused)?);
    }
    Ok(router.layer(layer(state.config, state.store).map_err(super::refused)?))
}

pub(super) fn start(state: AppState, listener: TcpListener) -> io::Result<RunningServer> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let addr = listener.local_addr()?;
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let app = router(state)?;
    tokio::spawn(async move {
        let shutdown = async {
            let _ = receiver.await;
        };
        if let Err(error) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(%error, "the axum server failed");
        }
    });
    Ok(RunningServer {
        addr,
        stop: stopper(sender),
    })
}
