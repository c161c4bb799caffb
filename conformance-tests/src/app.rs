//! The reference app's handlers, written once: each framework's routes extract the session with
//! its adapter and call these.

use std::time::Duration;

use fastsession_core::{Rejection, Session, SessionError};
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
    Text(&'static str),
}

impl Reply {
    fn json(body: Value) -> Self {
        Self {
            status: 200,
            body: Body::Json(body),
        }
    }

    fn ok() -> Self {
        Self::json(json!({ "ok": true }))
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
                text.as_bytes().to_vec(),
            ),
        }
    }
}

impl From<SessionError> for Reply {
    fn from(error: SessionError) -> Self {
        let rejection = Rejection::from(error);
        Self {
            status: rejection.status(),
            body: Body::Text(rejection.body()),
        }
    }
}

fn run(handler: impl FnOnce() -> Result<Reply, SessionError>) -> Reply {
    handler().unwrap_or_else(Reply::from)
}

fn increment(session: &Session, key: &str) -> Result<u64, SessionError> {
    let n = session.get::<u64>(key)?.unwrap_or(0) + 1;
    session.insert(key, &n)?;
    Ok(n)
}

/// `GET /session_test` and `GET /a/b/c`: the seeds' counter.
pub fn session_test(session: &Session) -> Reply {
    run(|| {
        Ok(Reply::json(
            json!({ "test_counter": increment(session, "test_counter")? }),
        ))
    })
}

/// `GET /plain`.
pub fn plain() -> Reply {
    Reply {
        status: 200,
        body: Body::Text("Hello, world!"),
    }
}

/// `GET /get/{key}`.
pub fn get(session: &Session, key: &str) -> Reply {
    Reply::json(json!({ "value": session.get_value(key) }))
}

/// `POST /set/{key}` with a JSON body.
pub fn set(session: &Session, key: &str, body: &[u8]) -> Reply {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Reply {
            status: 400,
            body: Body::Text("The body must be JSON."),
        };
    };
    run(|| {
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

/// `POST /login/{user}`: a new ID, the data kept, then the user.
pub fn login(session: &Session, user: &str) -> Reply {
    run(|| {
        session.cycle_id()?;
        session.insert("user", user)?;
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
        Ok(Reply {
            status: 500,
            body: Body::Text("The handler failed on purpose."),
        })
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
