//! The app, the same as the other examples': Python FastSession's counter at `/session_test`,
//! a page at `/` that shows who is logged in, `POST /login`, `POST /logout`,
//! `POST /logout-others` and `/whoami`.

use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{ALLOW, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::lifecycle::{LazySession, Rejection};
use crate::response::{Body, html, json, plain, redirect};

/// The largest login form accepted, in bytes.
const MAX_FORM_BYTES: usize = 16 * 1024;

/// What a route answers: its response, or the one its session's failure became.
type Answer = Result<Response<Body>, Rejection>;

/// Runs the route for `request`'s method and path.
pub(crate) async fn route(request: Request<Incoming>, session: &LazySession<'_>) -> Response<Body> {
    let answer = match (request.method(), request.uri().path()) {
        (&Method::GET, "/") => home(session).await,
        (&Method::GET, "/session_test") => session_test(session).await,
        (&Method::POST, "/login") => login(request, session).await,
        (&Method::POST, "/logout") => logout(session).await,
        (&Method::POST, "/logout-others") => logout_others(session).await,
        (&Method::GET, "/whoami") => whoami(session).await,
        (_, "/" | "/session_test" | "/whoami") => Ok(not_allowed("GET")),
        (_, "/login" | "/logout" | "/logout-others") => Ok(not_allowed("POST")),
        _ => Ok(plain(StatusCode::NOT_FOUND, "Not Found")),
    };
    answer.unwrap_or_else(|Rejection(response)| response)
}

/// Python FastSession's README example: count this browser's visits.
async fn session_test(session: &LazySession<'_>) -> Answer {
    let session = session.load().await?;
    // Added by the store itself: parallel requests of one session lose no count.
    let counter = session.increment("test_counter", 1)?;
    Ok(json(&json!({ "test_counter": counter })))
}

async fn home(session: &LazySession<'_>) -> Answer {
    let session = session.load().await?;
    let user: Option<String> = session.get("user")?;
    let visits: u64 = session.get("test_counter")?.unwrap_or(0);
    let page = example_support::home_page("hyper", user.as_deref(), visits);
    Ok(html(page))
}

#[derive(Deserialize)]
struct Login {
    user: String,
}

async fn login(request: Request<Incoming>, session: &LazySession<'_>) -> Answer {
    // The form is read before the session, so a bad request never touches the store.
    let login: Login = read_form(request).await?;
    let session = session.load().await?;
    session.cycle_id()?; // a new ID on every privilege change defeats session fixation
    session.insert("user", &login.user)?;
    session.set_user(&login.user)?; // so the user's sessions can be listed and ended
    Ok(redirect("/"))
}

async fn logout(session: &LazySession<'_>) -> Answer {
    session.load().await?.destroy()?;
    Ok(redirect("/"))
}

async fn logout_others(lazy: &LazySession<'_>) -> Answer {
    let session = lazy.load().await?;
    lazy.end_other_sessions(&session).await?;
    Ok(redirect("/"))
}

async fn whoami(session: &LazySession<'_>) -> Answer {
    let session = session.load().await?;
    let user: Option<String> = session.get("user")?;
    let visits: u64 = session.get("test_counter")?.unwrap_or(0);
    Ok(json(&json!({ "user": user, "visits": visits })))
}

/// The urlencoded form in `request`'s body, of at most [`MAX_FORM_BYTES`].
///
/// # Errors
///
/// A 413 for a longer body, a 400 for one that cannot be read or is not the form expected.
async fn read_form<T: DeserializeOwned>(request: Request<Incoming>) -> Result<T, Rejection> {
    let body = Limited::new(request.into_body(), MAX_FORM_BYTES)
        .collect()
        .await
        .map_err(|error| {
            Rejection(if error.is::<LengthLimitError>() {
                plain(StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.")
            } else {
                plain(
                    StatusCode::BAD_REQUEST,
                    "The request body could not be read.",
                )
            })
        })?
        .to_bytes();
    serde_urlencoded::from_bytes(&body).map_err(|_| {
        Rejection(plain(
            StatusCode::BAD_REQUEST,
            "The form is not the one expected.",
        ))
    })
}

/// A 405 naming the one method `allowed`.
fn not_allowed(allowed: &'static str) -> Response<Body> {
    let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allowed));
    response
}
