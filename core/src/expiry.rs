//! The expiry policy: a session's server-side end, its cookie's end, and when activity is
//! recorded again, from the configured timeouts, in milliseconds.

use crate::config::Config;
use crate::time::duration_millis;

/// The lifetime rules, in milliseconds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Policy {
    idle_ms: u64,
    absolute_ms: Option<u64>,
    max_age_ms: Option<u64>,
    rolling: bool,
    refresh_interval_ms: u64,
}

impl Policy {
    pub(crate) fn new(config: &Config) -> Self {
        let idle_ms = duration_millis(config.idle_timeout).max(1);
        let max_age_ms =
            (config.max_age_secs > 0).then(|| config.max_age_secs.unsigned_abs() * 1000);
        let mut refresh_interval_ms = idle_ms / 10;
        if let (true, Some(max_age_ms)) = (config.rolling, max_age_ms) {
            refresh_interval_ms = refresh_interval_ms.min(max_age_ms / 2);
        }
        Self {
            idle_ms,
            absolute_ms: config.absolute_timeout.map(duration_millis),
            max_age_ms,
            rolling: config.rolling,
            refresh_interval_ms: refresh_interval_ms.max(1),
        }
    }

    /// When the cookie ends, for a session created and last refreshed at these times.
    pub(crate) fn cookie_deadline(&self, created_ms: u64, refreshed_ms: u64) -> Option<u64> {
        let start = if self.rolling {
            refreshed_ms
        } else {
            created_ms
        };
        self.max_age_ms.map(|max_age| start.saturating_add(max_age))
    }

    /// When the session ends on the server.
    pub(crate) fn expires_at(&self, created_ms: u64, refreshed_ms: u64) -> u64 {
        let mut deadline = refreshed_ms.saturating_add(self.idle_ms);
        if let Some(absolute) = self.absolute_ms {
            deadline = deadline.min(created_ms.saturating_add(absolute));
        }
        if let Some(cookie) = self.cookie_deadline(created_ms, refreshed_ms) {
            deadline = deadline.min(cookie);
        }
        deadline
    }

    /// Whether enough time has passed since the last refresh to record activity again.
    pub(crate) fn refresh_due(&self, refreshed_ms: u64, now_ms: u64) -> bool {
        now_ms.saturating_sub(refreshed_ms) >= self.refresh_interval_ms
    }

    /// Whether a refresh re-issues the cookie (rolling expiry with a positive max age).
    pub(crate) fn refresh_reissues_cookie(&self) -> bool {
        self.rolling && self.max_age_ms.is_some()
    }
}
