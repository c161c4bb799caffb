//! A real HTTP client with a cookie jar that behaves like a browser's (RFC 6265 storage: path
//! and domain matching, expiry, removal, `Secure` only for secure origins, loopback included).

use std::sync::{Mutex, PoisonError};

use cookie_store::CookieStore;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, SET_COOKIE};
use serde_json::Value;
use url::Url;

/// One browser: a cookie jar and a connection pool, against one server.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    jar: Mutex<CookieStore>,
}

/// A response, fully read.
#[derive(Clone, Debug)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// Every header.
    pub headers: HeaderMap,
    /// The body, as text.
    pub body: String,
}

impl Reply {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// Every `Set-Cookie` header value.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok().map(str::to_owned))
            .collect()
    }

    /// The `Set-Cookie` values for the cookie `name`.
    pub fn set_cookies_named(&self, name: &str) -> Vec<String> {
        let prefix = format!("{name}=");
        self.set_cookies()
            .into_iter()
            .filter(|cookie| cookie.starts_with(&prefix))
            .collect()
    }

    /// The one `Set-Cookie` for `name`, if any (panics if there are several: that is a bug).
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        let mut cookies = self.set_cookies_named(name);
        assert!(
            cookies.len() <= 1,
            "more than one Set-Cookie for {name}: {cookies:?}"
        );
        cookies.pop()
    }

    /// Every value of the header `name`, joined with ", ".
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }
}

/// The attribute `name` of a `Set-Cookie` value (case-insensitive), with its value if any.
pub fn attribute(set_cookie: &str, name: &str) -> Option<String> {
    set_cookie
        .split(';')
        .skip(1)
        .map(str::trim)
        .find_map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            key.eq_ignore_ascii_case(name).then(|| value.to_owned())
        })
}

/// The value of a `Set-Cookie` (between the first `=` and the first `;`).
pub fn cookie_value(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().unwrap_or_default();
    pair.split_once('=')
        .map(|(_, value)| value.to_owned())
        .unwrap_or_default()
}

impl Client {
    /// A fresh browser for the server at `base` (`http://127.0.0.1:PORT`).
    ///
    /// # Panics
    ///
    /// If `base` is not a URL.
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a reqwest client");
        Self {
            http,
            base: Url::parse(base).expect("a base URL"),
            jar: Mutex::new(CookieStore::default()),
        }
    }

    fn url(&self, path: &str) -> Url {
        self.base.join(path).expect("a path")
    }

    /// `GET path`, with and into the jar.
    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None, &[]).await
    }

    /// `POST path` with a JSON body (or none), with and into the jar.
    pub async fn post(&self, path: &str, body: Option<Value>) -> Reply {
        self.send(
            Method::POST,
            path,
            body.map(|body| body.to_string().into_bytes()),
            &[],
        )
        .await
    }

    /// Any request with the jar's cookies plus `headers`; `Set-Cookie`s go into the jar.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, &[u8])],
    ) -> Reply {
        let url = self.url(path);
        let cookie = {
            let jar = self.jar.lock().unwrap_or_else(PoisonError::into_inner);
            jar.get_request_values(&url)
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let mut all: Vec<(&str, &[u8])> = headers.to_vec();
        if !cookie.is_empty() {
            all.push(("cookie", cookie.as_bytes()));
        }
        let reply = self.raw(method, path, body, &all).await;
        let cookies = reply
            .set_cookies()
            .into_iter()
            .filter_map(|header| cookie::Cookie::parse(header).ok())
            .collect::<Vec<_>>();
        self.jar
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .store_response_cookies(cookies.into_iter(), &url);
        reply
    }

    /// A request with exactly these headers: the jar is neither read nor updated.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, &[u8])],
    ) -> Reply {
        self.try_raw(method, path, body, headers)
            .await
            .expect("the server answers")
    }

    /// As [`Client::raw`], but a server that closes the connection instead of answering is an
    /// error rather than a panic.
    ///
    /// # Errors
    ///
    /// When the request could not be sent or no response came back.
    pub async fn try_raw(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, &[u8])],
    ) -> Result<Reply, reqwest::Error> {
        let mut request = self.http.request(method, self.url(path));
        for (name, value) in headers {
            let name = HeaderName::from_bytes(name.as_bytes()).expect("a header name");
            let value = HeaderValue::from_bytes(value).expect("a header value");
            request = request.header(name, value);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap_or_default();
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    /// `GET path` with exactly this `Cookie` header, outside the jar.
    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> Reply {
        self.raw(Method::GET, path, None, &[("cookie", cookie.as_bytes())])
            .await
    }

    /// `POST path` (no body) with exactly this `Cookie` header, outside the jar.
    pub async fn post_with_cookie(&self, path: &str, cookie: &str) -> Reply {
        self.raw(Method::POST, path, None, &[("cookie", cookie.as_bytes())])
            .await
    }

    /// The value the jar holds for `name` and would send to `path`.
    pub fn cookie(&self, name: &str, path: &str) -> Option<String> {
        let url = self.url(path);
        let jar = self.jar.lock().unwrap_or_else(PoisonError::into_inner);
        jar.get_request_values(&url)
            .find(|(n, _)| *n == name)
            .map(|(_, value)| value.to_owned())
    }

    /// The session cookie `name=value` the jar would send to `/`.
    pub fn session_pair(&self, name: &str) -> Option<String> {
        self.cookie(name, "/")
            .map(|value| format!("{name}={value}"))
    }

    /// Puts a cookie into the jar as if the server had set it.
    pub fn plant(&self, name: &str, value: &str) {
        let url = self.url("/");
        if let Ok(cookie) = cookie::Cookie::parse(format!("{name}={value}; Path=/")) {
            let _ = self
                .jar
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert_raw(&cookie, &url);
        }
    }

    /// Forgets every cookie.
    pub fn clear(&self) {
        self.jar
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// Reads the response headers a framework produced, for the assertion messages.
pub fn describe(reply: &Reply) -> String {
    format!("{} {:?} {}", reply.status, reply.headers, reply.body)
}
