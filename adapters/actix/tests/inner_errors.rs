//! An `Err` that reaches the session middleware from inside it (here an inner middleware's,
//! raised after the handler wrote) is treated by its status, as a handler's own error is: the
//! session is saved on a 4xx and not on a 5xx, the response actix-web makes of the error carries
//! the session's headers, and the original error stays reachable.

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, HeaderMap, SET_COOKIE};
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, Error, HttpResponse, ResponseError, test, web};
use fastsession_actix::{
    Config, InnerError, Key, MemoryStore, Session, SessionMiddleware, SessionRejection,
};

async fn increment(session: Session) -> Result<HttpResponse, SessionRejection> {
    let value: u64 = session.get("k")?.unwrap_or(0);
    session.insert("k", &(value + 1))?;
    Ok(HttpResponse::Ok().finish())
}

async fn read(session: Session) -> Result<HttpResponse, SessionRejection> {
    let value: Option<u64> = session.get("k")?;
    Ok(HttpResponse::Ok().body(format!("{value:?}")))
}

/// An error that answers a 404 page through `error_response` alone, leaving `status_code` at
/// its default (500), as some applications write them.
#[derive(Debug)]
struct NotFoundPage;

impl std::fmt::Display for NotFoundPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no such page")
    }
}

impl ResponseError for NotFoundPage {
    fn error_response(&self) -> HttpResponse {
        HttpResponse::NotFound().body("no such page")
    }
}

/// After the handler ran, fails with the status in the request's `x-fail` header, if any, or
/// with a [`NotFoundPage`] for `x-fail: not-found-page`.
async fn fail_after(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let fail = request
        .headers()
        .get("x-fail")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let response = next.call(request).await?;
    match fail.as_deref() {
        None => Ok(response),
        Some("not-found-page") => Err(NotFoundPage.into()),
        Some(code) => {
            let status = code
                .parse()
                .ok()
                .and_then(|code| StatusCode::from_u16(code).ok());
            let status = status.unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Err(InternalError::new("failed after the handler", status).into())
        }
    }
}

/// The app under test: the session middleware around `fail_after`, around the routes. (A macro
/// because the service's request type, actix-http's, cannot be named from here.)
macro_rules! app {
    () => {{
        let key = Key::generate().expect("a key");
        let middleware =
            SessionMiddleware::new(Config::new(key).with_secure(false), MemoryStore::new())
                .expect("a configuration");
        test::init_service(
            App::new()
                .wrap(from_fn(fail_after))
                .wrap(middleware)
                .route("/increment", web::get().to(increment))
                .route("/read", web::get().to(read)),
        )
        .await
    }};
}

/// `GET path` with `cookie` (if any) and `x-fail: fail` (if any).
fn request(path: &str, cookie: Option<&str>, fail: Option<&str>) -> test::TestRequest {
    let mut request = test::TestRequest::get().uri(path);
    if let Some(cookie) = cookie {
        request = request.insert_header(("cookie", cookie));
    }
    if let Some(fail) = fail {
        request = request.insert_header(("x-fail", fail));
    }
    request
}

/// What the client receives, the status and headers: an error becomes its `error_response()`,
/// as actix-web's dispatcher makes it.
fn received<B>(result: Result<ServiceResponse<B>, Error>) -> (StatusCode, HeaderMap) {
    match result {
        Ok(response) => (response.status(), response.headers().clone()),
        Err(error) => {
            let response = error.error_response();
            (response.status(), response.headers().clone())
        }
    }
}

/// The session cookie among `headers`, as a `Cookie` header value.
fn cookie(headers: &HeaderMap) -> Option<String> {
    let set_cookie = headers.get(SET_COOKIE)?.to_str().ok()?;
    Some(set_cookie.split(';').next()?.to_owned())
}

#[actix_web::test]
async fn an_inner_4xx_error_saves_the_session_and_sets_its_cookie() {
    let app = app!();
    let result = app
        .call(request("/increment", None, Some("422")).to_request())
        .await;
    let Err(error) = &result else {
        panic!("still an error for the middlewares outside");
    };
    let inner = error.as_error::<InnerError>().expect("an InnerError");
    assert_eq!(inner.error().to_string(), "failed after the handler");
    assert_eq!(error.to_string(), "failed after the handler");
    let (status, headers) = received(result);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        headers.get(CACHE_CONTROL).map(|value| value.as_bytes()),
        Some(&b"no-store"[..]),
        "the session's headers"
    );
    let ours = cookie(&headers).expect("the new session's cookie");
    let read = test::call_and_read_body(&app, request("/read", Some(&ours), None).to_request());
    assert_eq!(read.await, "Some(1)", "saved");
}

#[actix_web::test]
async fn an_inner_5xx_error_saves_nothing() {
    let app = app!();
    let failed = app
        .call(request("/increment", None, Some("503")).to_request())
        .await;
    let (status, headers) = received(failed);
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(cookie(&headers).is_none(), "no session for a new visitor");
    let (_, headers) = received(
        app.call(request("/increment", None, None).to_request())
            .await,
    );
    let ours = cookie(&headers).expect("a cookie");
    let failed = app
        .call(request("/increment", Some(&ours), Some("500")).to_request())
        .await;
    let (status, headers) = received(failed);
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(cookie(&headers).is_none());
    let read = test::call_and_read_body(&app, request("/read", Some(&ours), None).to_request());
    assert_eq!(
        read.await,
        "Some(1)",
        "the increment before the 500 was not saved"
    );
    let failed = app
        .call(request("/increment", Some(&ours), Some("409")).to_request())
        .await;
    assert_eq!(received(failed).0, StatusCode::CONFLICT);
    let read = test::call_and_read_body(&app, request("/read", Some(&ours), None).to_request());
    assert_eq!(
        read.await,
        "Some(2)",
        "the increment before the 409 was saved"
    );
}

#[actix_web::test]
async fn an_error_is_judged_by_the_status_its_response_has() {
    let app = app!();
    let result = app
        .call(request("/increment", None, Some("not-found-page")).to_request())
        .await;
    let (status, headers) = received(result);
    assert_eq!(status, StatusCode::NOT_FOUND, "the page the error answers");
    let ours = cookie(&headers).expect("a 4xx keeps the new session: its cookie");
    let read = test::call_and_read_body(&app, request("/read", Some(&ours), None).to_request());
    assert_eq!(read.await, "Some(1)", "saved, as for any 4xx");
}
