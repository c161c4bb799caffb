//! The reference app's handlers, written once: each framework's routes extract the session with
//! its adapter and call these, through [`staged`] for the query parameters every session route
//! accepts (`delay_ms`, `status`, `error`).

use std::borrow::Cow;
use std::future::Future;
use std::time::Duration;

use fastsession_core::{Session, SessionError, adapter::Rejection};
use serde_json::{Value, json};

/// A handler's answer, before a framework turns it into a response.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    /// The status.
    pub status: u16,
    /// The body: JSON, or plain text.
    pub body: Body,
}

/// A reply body.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// `application/json`.
    Json(Value),
    /// `text/plain`.
    Text(Cow<'static, str>),
}

impl Reply {
    pub(crate) fn json(body: Value) -> Self {
        Self {
            status: 200,
            body: Body::Json(body),
        }
    }

    fn ok() -> Self {
        Self::json(json!({ "ok": true }))
    }

    /// A plain-text reply.
    pub(crate) fn text(status: u16, text: impl Into<Cow<'static, str>>) -> Self {
        Self {
            status,
            body: Body::Text(text.into()),
        }
    }

    /// The body as bytes, with its content type.
    pub fn into_parts(self) -> (u16, &'static str, Vec<u8>) {
        match self.body {
            Body::Json(value) => (
                self.status,
                "application/json",
                value.to_string().into_bytes(),
            ),
            Body::Text(text) => (
                self.status,
                "text/plain; charset=utf-8",
                text.into_owned().into_bytes(),
            ),
        }
    }
}

impl From<SessionError> for Reply {
    fn from(error: SessionError) -> Self {
        let rejection = Rejection::from(error);
        Self::text(rejection.status(), rejection.body())
    }
}

/// Runs a handler: its reply, or the one its failure became (`?` turns a [`SessionError`] into
/// its reply).
fn run(handler: impl FnOnce() -> Result<Reply, Reply>) -> Reply {
    match handler() {
        Ok(reply) | Err(reply) => reply,
    }
}

/// A request body as JSON, or the 400 to answer.
fn json_body(body: &[u8]) -> Result<Value, Reply> {
    serde_json::from_slice(body).map_err(|_| Reply::text(400, "The body must be JSON."))
}

/// `GET /session_test`, `GET /a/b/c` and `GET /cacheable`: Python FastSession's counter.
pub fn session_test(session: &Session) -> Reply {
    run(|| {
        // `Session::increment` is applied atomically by the store: concurrent requests (on any
        // number of instances) lose no count.
        let counter = session.increment("test_counter", 1)?;
        Ok(Reply::json(json!({ "test_counter": counter })))
    })
}

/// `GET /plain`.
pub fn plain() -> Reply {
    Reply::text(200, "Hello, world!")
}

/// `GET /get/{key}`.
pub fn get(session: &Session, key: &str) -> Reply {
    Reply::json(json!({ "value": session.get_value(key) }))
}

/// `POST /set/{key}` with a JSON body.
pub fn set(session: &Session, key: &str, body: &[u8]) -> Reply {
    run(|| {
        let value = json_body(body)?;
        session.insert_value(key, value)?;
        Ok(Reply::ok())
    })
}

/// `POST /remove/{key}`.
pub fn remove(session: &Session, key: &str) -> Reply {
    run(|| {
        session.remove_value(key)?;
        Ok(Reply::ok())
    })
}

/// `POST /clear`.
pub fn clear(session: &Session) -> Reply {
    run(|| {
        session.clear()?;
        Ok(Reply::ok())
    })
}

/// `POST /login/{user}`: a new ID, the data kept, then the user (under the key `user`, and as
/// the session's user, so `/my-sessions` lists it).
pub fn login(session: &Session, user: &str) -> Reply {
    run(|| {
        session.cycle_id()?;
        session.insert("user", user)?;
        session.set_user(user)?;
        Ok(Reply::ok())
    })
}

/// `POST /logout`.
pub fn logout(session: &Session) -> Reply {
    run(|| {
        session.destroy()?;
        Ok(Reply::ok())
    })
}

/// `POST /logout-then-set/{key}` with a JSON body: destroys the session, then stores the body
/// under `key` in its successor (a flash message after logout).
pub fn logout_then_set(session: &Session, key: &str, body: &[u8]) -> Reply {
    run(|| {
        let value = json_body(body)?;
        session.destroy()?;
        session.insert_value(key, value)?;
        Ok(Reply::ok())
    })
}

/// `GET /whoami`.
pub fn whoami(session: &Session) -> Reply {
    Reply::json(json!({
        "id": session.id().map(|id| id.encode()),
        "cause": session.cause().as_str(),
        "keys": session.keys(),
    }))
}

/// `POST /incr-slow/{key}`: read, wait 20 ms without blocking the thread, write.
pub async fn incr_slow(session: &Session, key: &str) -> Reply {
    let n = match session.get::<u64>(key) {
        Ok(n) => n.unwrap_or(0),
        Err(error) => return Reply::from(error),
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    run(|| {
        session.insert(key, &(n + 1))?;
        Ok(Reply::json(json!({ "value": n + 1 })))
    })
}

/// `GET /fail`: writes, then fails with 500.
pub fn fail(session: &Session) -> Reply {
    run(|| {
        session.insert("x", &1)?;
        Ok(Reply::text(500, "The handler failed on purpose."))
    })
}

/// `GET /app-cookies`, the session half (the framework sets `app=1` and `app2=2` itself).
pub fn app_cookies(session: &Session) -> Reply {
    run(|| {
        session.insert("touched", &true)?;
        Ok(Reply::ok())
    })
}

/// `GET /optional`.
pub fn optional(session: Option<&Session>) -> Reply {
    Reply::json(json!({ "session": session.is_some() }))
}

/// The cookies `/app-cookies` sets with the framework's own API.
pub const APP_COOKIES: [(&str, &str); 2] = [("app", "1"), ("app2", "2")];

/// The `Cache-Control` value `/cacheable` sets with the framework's own API, on the counter's
/// reply ([`session_test`]).
pub const CACHEABLE_CACHE_CONTROL: &str = "public, max-age=3600";

/// A route's answer after [`staged`]: `Ok` goes out as an ordinary response; `Err` goes out
/// through the framework's own error mechanism, with the reply's status.
pub type Staged = Result<Reply, Reply>;

/// How a reply leaves, after the route acted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Ending {
    /// As the handler made it.
    #[default]
    AsIs,
    /// `status=N`: an ordinary response with status N and the same body.
    Status(u16),
    /// `error=N`: the framework's own error mechanism, with status N.
    Error(u16),
}

/// The query parameters every route that uses the session accepts, to stage races and error
/// paths: `delay_ms`, then `status` or `error`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Staging {
    /// `delay_ms=N`: wait N ms, without blocking the thread, after the session was loaded and
    /// before acting on it.
    pub delay: Option<Duration>,
    /// How the reply leaves.
    pub ending: Ending,
}

/// A query parameter the reference app cannot use.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// `delay_ms` is not a whole number.
    #[error("delay_ms={0:?} is not a whole number of milliseconds")]
    Delay(String),
    /// `status` is not a number from 100 to 599.
    #[error("status={0:?} is not a status code from 100 to 599")]
    Status(String),
    /// `error` is not a number from 400 to 599.
    #[error("error={0:?} is not an error status code from 400 to 599")]
    Error(String),
    /// A parameter appears more than once.
    #[error("{0} is given more than once")]
    Repeated(&'static str),
    /// Both `status` and `error` are given.
    #[error("status and error cannot both be given")]
    StatusAndError,
}

/// A whole number in plain digits (`u64::from_str` alone would accept a leading `+`).
fn number(value: &str) -> Option<u64> {
    if value.bytes().all(|byte| byte.is_ascii_digit()) {
        value.parse().ok()
    } else {
        None
    }
}

fn status(value: &str, range: std::ops::RangeInclusive<u16>) -> Option<u16> {
    let n = u16::try_from(number(value)?).ok()?;
    range.contains(&n).then_some(n)
}

impl Staging {
    /// Parses a raw query string (without the `?`; empty when there is none). Other parameters
    /// are ignored.
    ///
    /// # Errors
    ///
    /// A value that is not a number in its range, a parameter given twice, or both `status`
    /// and `error`.
    pub fn parse(query: &str) -> Result<Self, QueryError> {
        let mut staging = Self::default();
        for pair in query.split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            match name {
                "delay_ms" => {
                    if staging.delay.is_some() {
                        return Err(QueryError::Repeated("delay_ms"));
                    }
                    let ms = number(value).ok_or_else(|| QueryError::Delay(value.to_owned()))?;
                    staging.delay = Some(Duration::from_millis(ms));
                }
                "status" => {
                    if matches!(staging.ending, Ending::Status(_)) {
                        return Err(QueryError::Repeated("status"));
                    }
                    let n = status(value, 100..=599)
                        .ok_or_else(|| QueryError::Status(value.to_owned()))?;
                    if staging.ending != Ending::AsIs {
                        return Err(QueryError::StatusAndError);
                    }
                    staging.ending = Ending::Status(n);
                }
                "error" => {
                    if matches!(staging.ending, Ending::Error(_)) {
                        return Err(QueryError::Repeated("error"));
                    }
                    let n = status(value, 400..=599)
                        .ok_or_else(|| QueryError::Error(value.to_owned()))?;
                    if staging.ending != Ending::AsIs {
                        return Err(QueryError::StatusAndError);
                    }
                    staging.ending = Ending::Error(n);
                }
                _ => {}
            }
        }
        Ok(staging)
    }
}

impl From<QueryError> for Reply {
    fn from(error: QueryError) -> Self {
        Self::text(400, format!("Bad query: {error}."))
    }
}

/// Runs a route's `action` under the route's raw `query` (see [`Staging`]): a 400 with a
/// plain-text body when the query is invalid, without acting; otherwise the delay, then
/// `action`, then its reply with the status or error asked for. Call it after the session was
/// extracted, with `action` not yet started (an `async` block does not run until awaited).
pub async fn staged(query: &str, action: impl Future<Output = Reply>) -> Staged {
    let staging = match Staging::parse(query) {
        Ok(staging) => staging,
        Err(error) => return Ok(Reply::from(error)),
    };
    if let Some(delay) = staging.delay {
        tokio::time::sleep(delay).await;
    }
    let mut reply = action.await;
    match staging.ending {
        Ending::AsIs => Ok(reply),
        Ending::Status(status) => {
            reply.status = status;
            Ok(reply)
        }
        Ending::Error(status) => {
            reply.status = status;
            Err(reply)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Ending, QueryError, Staging};

    #[test]
    fn parses_the_three_parameters_and_ignores_others() {
        assert_eq!(Staging::parse(""), Ok(Staging::default()));
        assert_eq!(
            Staging::parse("x=1&delay_ms=250&status=422&y"),
            Ok(Staging {
                delay: Some(Duration::from_millis(250)),
                ending: Ending::Status(422),
            })
        );
        assert_eq!(
            Staging::parse("error=503").map(|s| s.ending),
            Ok(Ending::Error(503))
        );
        assert_eq!(
            Staging::parse("status=100&delay_ms=0").map(|s| s.ending),
            Ok(Ending::Status(100))
        );
    }

    #[test]
    fn rejects_bad_values_clearly() {
        for (query, error) in [
            ("delay_ms=soon", QueryError::Delay("soon".to_owned())),
            ("delay_ms=-1", QueryError::Delay("-1".to_owned())),
            ("delay_ms=", QueryError::Delay(String::new())),
            ("status=abc", QueryError::Status("abc".to_owned())),
            ("status=99", QueryError::Status("99".to_owned())),
            ("status=600", QueryError::Status("600".to_owned())),
            ("status=+200", QueryError::Status("+200".to_owned())),
            ("status=65736", QueryError::Status("65736".to_owned())),
            ("error=302", QueryError::Error("302".to_owned())),
            ("error=600", QueryError::Error("600".to_owned())),
            ("status=200&status=201", QueryError::Repeated("status")),
            ("error=500&error=501", QueryError::Repeated("error")),
            ("delay_ms=1&delay_ms=2", QueryError::Repeated("delay_ms")),
            ("status=200&error=500", QueryError::StatusAndError),
            ("error=500&status=200", QueryError::StatusAndError),
        ] {
            assert_eq!(Staging::parse(query), Err(error), "{query}");
        }
        assert_eq!(
            QueryError::Status("abc".to_owned()).to_string(),
            "status=\"abc\" is not a status code from 100 to 599"
        );
    }
}
