//! The watcher: listens to the sentinels' `+switch-master` announcements and moves the store's
//! connection to the new master at once.
//!
//! It subscribes on the first sentinel that answers, then on the next when that one goes away,
//! waiting between rounds (100 ms, doubling to 5 s) when none answers. Each time it subscribes,
//! it drops the connection it holds, since a failover may have been announced while it was
//! not listening; the next call asks the sentinels. It runs until the last clone of the store
//! is dropped.

use std::sync::Weak;
use std::time::Duration;

use futures_util::StreamExt as _;
use redis::Client;
use tokio::task::AbortHandle;

use super::SentinelUrl;
use super::connection::Shared;

/// The channel on which a sentinel announces a new master.
const SWITCH_MASTER: &str = "+switch-master";

/// The first wait after no sentinel answered, and the longest.
const FIRST_WAIT: Duration = Duration::from_millis(100);
const LONGEST_WAIT: Duration = Duration::from_secs(5);

/// The longest wait for a sentinel to accept the subscription.
const SUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Starts the watcher of `shared`'s master, named in `url`.
pub(super) fn spawn(shared: Weak<Shared>, url: SentinelUrl) -> AbortHandle {
    tokio::spawn(watch(shared, url)).abort_handle()
}

async fn watch(shared: Weak<Shared>, url: SentinelUrl) {
    let mut wait = FIRST_WAIT;
    loop {
        for sentinel in &url.sentinels {
            let Some(mut announcements) = subscribe(sentinel).await else {
                continue;
            };
            wait = FIRST_WAIT;
            match shared.upgrade() {
                Some(shared) => shared.forget(),
                None => return,
            }
            while let Some(announcement) = announcements.next().await {
                let Some(shared) = shared.upgrade() else {
                    return;
                };
                let payload: Result<String, _> = announcement.get_payload();
                if let Some(address) = payload
                    .ok()
                    .and_then(|payload| new_master(&payload, &url.master_name))
                {
                    tracing::info!(
                        target: "fastsession_redis",
                        "Sentinel announced a new master; the store moves to it"
                    );
                    shared.switch_to(&address).await;
                }
            }
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(LONGEST_WAIT);
    }
}

/// The announcements of the sentinel at `url`, or none if it does not answer in time.
async fn subscribe(url: &str) -> Option<redis::aio::PubSubStream> {
    let subscribing = async {
        let mut pubsub = Client::open(url).ok()?.get_async_pubsub().await.ok()?;
        pubsub.subscribe(SWITCH_MASTER).await.ok()?;
        Some(pubsub.into_on_message())
    };
    tokio::time::timeout(SUBSCRIBE_TIMEOUT, subscribing)
        .await
        .ok()
        .flatten()
}

/// The new master's `HOST:PORT` in a `+switch-master` payload
/// (`NAME OLD_HOST OLD_PORT NEW_HOST NEW_PORT`) if it is about `master_name`.
fn new_master(payload: &str, master_name: &str) -> Option<String> {
    let fields: Vec<&str> = payload.split(' ').collect();
    let [name, _, _, host, port] = fields[..] else {
        return None;
    };
    if name != master_name || port.parse::<u16>().is_err() {
        return None;
    }
    Some(if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_announcement_names_the_new_master_of_its_name_only() {
        let payload = "sessions 10.0.0.1 6379 10.0.0.2 6380";
        assert_eq!(
            new_master(payload, "sessions").as_deref(),
            Some("10.0.0.2:6380")
        );
        assert_eq!(new_master(payload, "other"), None);
        assert_eq!(
            new_master("sessions ::1 6379 ::2 6380", "sessions").as_deref(),
            Some("[::2]:6380")
        );
        assert_eq!(new_master("sessions 10.0.0.1 6379", "sessions"), None);
        assert_eq!(new_master("sessions a 1 b port", "sessions"), None);
    }
}
