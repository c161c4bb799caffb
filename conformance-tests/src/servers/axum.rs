//! The reference app on axum.

use std::io;
use std::net::TcpListener;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use fastsession_axum::{Session, SessionObjects, layer};

use super::{AppState, RunningServer, SECOND_OBJECT, stopper};
use crate::app::{self, Reply};

fn respond(reply: Reply) -> Response {
    let (status, content_type, body) = reply.into_parts();
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(CONTENT_TYPE, content_type)], body).into_response()
}

fn router(state: AppState) -> Router {
    let mut router = Router::new()
        .route("/session_test", get(|s: Session| async move { respond(app::session_test(&s)) }))
        .route("/a/b/c", get(|s: Session| async move { respond(app::session_test(&s)) }))
        .route("/plain", get(|| async { respond(app::plain()) }))
        .route("/get/{key}", get(|s: Session, Path(key): Path<String>| async move { respond(app::get(&s, &key)) }))
        .route(
            "/set/{key}",
            post(|s: Session, Path(key): Path<String>, body: Bytes| async move { respond(app::set(&s, &key, &body)) }),
        )
        .route("/remove/{key}", post(|s: Session, Path(key): Path<String>| async move { respond(app::remove(&s, &key)) }))
        .route("/clear", post(|s: Session| async move { respond(app::clear(&s)) }))
        .route("/login/{user}", post(|s: Session, Path(user): Path<String>| async move { respond(app::login(&s, &user)) }))
        .route("/logout", post(|s: Session| async move { respond(app::logout(&s)) }))
        .route("/whoami", get(|s: Session| async move { respond(app::whoami(&s)) }))
        .route(
            "/incr-slow/{key}",
            post(|s: Session, Path(key): Path<String>| async move { respond(app::incr_slow(&s, &key).await) }),
        )
        .route("/fail", get(|s: Session| async move { respond(app::fail(&s)) }))
        .route(
            "/app-cookies",
            get(|s: Session| async move {
                let mut response = respond(app::app_cookies(&s));
                for (name, value) in app::APP_COOKIES {
                    if let Ok(header) = HeaderValue::from_str(&format!("{name}={value}; Path=/")) {
                        response.headers_mut().append(SET_COOKIE, header);
                    }
                }
                response
            }),
        )
        .route("/optional", get(|s: Option<Session>| async move { respond(app::optional(s.as_deref())) }));
    if let Some((second, store)) = state.second {
        router = router
            .route(
                "/second/session_test",
                get(|sessions: SessionObjects| async move {
                    match sessions.get(SECOND_OBJECT).await {
                        Ok(s) => respond(app::session_test(&s)),
                        Err(rejection) => rejection.into_response(),
                    }
                }),
            )
            .layer(layer(second, store));
    }
    router.layer(layer(state.sessions, state.store))
}

pub(super) fn start(state: AppState, listener: TcpListener) -> io::Result<RunningServer> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let addr = listener.local_addr()?;
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let app = router(state);
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
