//! The few kinds of response the example answers, built without a framework.

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderValue, LOCATION};
use hyper::{Response, StatusCode};
use serde_json::Value;

/// Every response body: the whole body at once.
pub(crate) type Body = Full<Bytes>;

/// A response with `status`, `content_type` and `body`.
fn with_type(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Body> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A plain-text response.
pub(crate) fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    with_type(status, "text/plain; charset=utf-8", text)
}

/// A 200 HTML page.
pub(crate) fn html(page: String) -> Response<Body> {
    with_type(StatusCode::OK, "text/html; charset=utf-8", page)
}

/// A 200 JSON document.
pub(crate) fn json(value: &Value) -> Response<Body> {
    with_type(StatusCode::OK, "application/json", value.to_string())
}

/// A 303 See Other to `location`, as after a form's POST.
pub(crate) fn redirect(location: &'static str) -> Response<Body> {
    let mut response = Response::new(Full::default());
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
        .headers_mut()
        .insert(LOCATION, HeaderValue::from_static(location));
    response
}
