//! A plain HTTP client for what wrk does not do: start a session and read its cookie, and send an
//! exact number of requests one after another (for counting instructions per request).

use std::net::SocketAddr;

use reqwest::header::{COOKIE, SET_COOKIE};

use crate::serve::BoxError;
use crate::target::paths::COUNTER;

#[derive(Debug)]
pub(crate) struct Client {
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Client {
    pub(crate) fn new() -> Result<Self, BoxError> {
        Ok(Self {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?,
            http: reqwest::Client::builder().no_proxy().build()?,
        })
    }

    /// Start a session (one counter request without a cookie) and return its `name=value`.
    pub(crate) fn start_session(&self, address: SocketAddr) -> Result<String, BoxError> {
        self.runtime.block_on(async {
            let response = self
                .http
                .get(format!("http://{address}{COUNTER}"))
                .send()
                .await?
                .error_for_status()?;
            let set_cookie = response
                .headers()
                .get(SET_COOKIE)
                .ok_or("the counter route set no cookie")?
                .to_str()?;
            let pair = set_cookie.split(';').next().unwrap_or_default().trim();
            if !pair.contains('=') {
                return Err(format!("unexpected Set-Cookie {set_cookie:?}").into());
            }
            Ok(pair.to_owned())
        })
    }

    /// Send `count` GET requests to `path`, one after another on one connection; every answer
    /// must be a 200.
    pub(crate) fn send(
        &self,
        address: SocketAddr,
        path: &str,
        cookie: Option<&str>,
        count: usize,
    ) -> Result<(), BoxError> {
        let url = format!("http://{address}{path}");
        self.runtime.block_on(async {
            for _ in 0..count {
                let mut request = self.http.get(&url);
                if let Some(cookie) = cookie {
                    request = request.header(COOKIE, cookie);
                }
                let response = request.send().await?.error_for_status()?;
                response.bytes().await?;
            }
            Ok(())
        })
    }
}
