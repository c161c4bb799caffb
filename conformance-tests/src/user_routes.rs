//! The reference app's routes for a user's sessions, written once like [`app`](crate::app):
//! `GET /my-sessions`, `POST /my-sessions/{label}/end`, `POST /logout-others` and
//! `POST /logout-everywhere` (`POST /login/{user}` binds the session to `user`).

use std::time::{SystemTime, UNIX_EPOCH};

use fastsession_core::adapter::{ExtractError, Rejection};
use fastsession_core::{SessionLabel, UserSessions};
use serde_json::json;

use crate::app::Reply;

fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

fn failed(error: ExtractError) -> Reply {
    let rejection = Rejection::from(error);
    Reply::text(rejection.status(), rejection.body())
}

/// `GET /my-sessions`: the current user's live sessions, oldest first (none when not logged in).
pub async fn my_sessions(devices: &UserSessions) -> Reply {
    match devices.list().await {
        Ok(sessions) => {
            let sessions: Vec<_> = sessions
                .iter()
                .map(|session| {
                    json!({
                        "label": session.label,
                        "current": session.current,
                        "created": unix_seconds(session.created_at),
                        "last_seen": unix_seconds(session.last_seen),
                    })
                })
                .collect();
            Reply::json(json!({ "sessions": sessions }))
        }
        Err(error) => failed(error),
    }
}

/// `POST /my-sessions/{label}/end`: ends the current user's session with this label: 200
/// `{"ended": true}`, or 404 `{"ended": false}` when the user has none with it; 400 for text
/// that is not a label.
pub async fn end_my_session(devices: &UserSessions, label: &str) -> Reply {
    let Ok(label) = label.parse::<SessionLabel>() else {
        return Reply::text(400, "Not a session label: 16 lowercase hexadecimal digits.");
    };
    match devices.end(label).await {
        Ok(true) => Reply::json(json!({ "ended": true })),
        Ok(false) => Reply {
            status: 404,
            ..Reply::json(json!({ "ended": false }))
        },
        Err(error) => failed(error),
    }
}

/// `POST /logout-others`: ends every session of the current user but this one.
pub async fn logout_others(devices: &UserSessions) -> Reply {
    match devices.end_others().await {
        Ok(ended) => Reply::json(json!({ "ended": ended })),
        Err(error) => failed(error),
    }
}

/// `POST /logout-everywhere`: ends every session of the current user, this one included (its
/// response carries the removal cookie).
pub async fn logout_everywhere(devices: &UserSessions) -> Reply {
    match devices.end_all().await {
        Ok(ended) => Reply::json(json!({ "ended": ended })),
        Err(error) => failed(error),
    }
}
