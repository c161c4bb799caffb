//! Redis behind Sentinel: reading a `redis-sentinel://` URL, and a connection to the current
//! master that follows a failover.
//!
//! redis-rs finds the master through the sentinels (and checks that it answers `ROLE` as a
//! master) but offers no connection that follows it when it changes.
//! [`SentinelConnection`](connection::SentinelConnection) is that connection. It holds one
//! multiplexed connection to the master it last found, and changes it two ways:
//!
//! - a watcher ([`watch`]) listens to the sentinels' `+switch-master` announcements and moves the
//!   connection to the new master as soon as one is announced; without it, after a failover
//!   asked for while the old master is still up, the store would go on writing to the old
//!   master until Sentinel demotes it (seconds later), and those writes would be lost;
//! - a call that finds the master gone (a dropped or refused connection, a timeout) or demoted
//!   (`READONLY`) forgets the connection, and the next call asks the sentinels again. A command
//!   refused with `READONLY` was not run, so it is sent once more to the master found anew; any
//!   other failure is returned, as the caller cannot know whether it ran.

mod connection;
mod watch;

use std::time::Duration;

use redis::RedisError;

pub(crate) use connection::SentinelConnection;

/// The schemes of a Sentinel URL: `redis-sentinel://`, and `redis+sentinel://` as other clients
/// spell it.
pub(crate) const SENTINEL_SCHEMES: [&str; 2] = ["redis-sentinel://", "redis+sentinel://"];

/// Why a Sentinel URL was refused: its shape, or redis-rs's reading of it.
#[derive(Debug)]
pub(crate) enum SentinelUrlError {
    Shape(&'static str),
    Redis(RedisError),
}

/// A `redis-sentinel://` URL, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SentinelUrl {
    /// One `redis://HOST:PORT` URL per sentinel.
    pub(crate) sentinels: Vec<String>,
    /// The name the sentinels watch the master under.
    pub(crate) master_name: String,
    /// The master's userinfo, with its `@`, or nothing.
    userinfo: String,
    /// The master's database.
    db: u16,
}

impl SentinelUrl {
    /// `redis://[USERINFO@]ADDRESS/DB`: a URL for the master at `address` (`HOST:PORT`) that
    /// redis-rs reads, credentials (percent-decoded) and database included.
    pub(crate) fn master_url(&self, address: &str) -> String {
        format!("redis://{}{address}/{}", self.userinfo, self.db)
    }
}

/// Reads `redis-sentinel://[[USER]:PASSWORD@]HOST:PORT[,HOST:PORT…]/MASTER_NAME[/DB]`. The
/// userinfo is the master's (and its replicas'); the sentinels are asked without one.
pub(crate) fn parse(url: &str) -> Result<SentinelUrl, SentinelUrlError> {
    let shape = SentinelUrlError::Shape;
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (userinfo, after_userinfo) = match rest.rfind('@') {
        Some(at) => (&rest[..=at], &rest[at + 1..]),
        None => ("", rest),
    };
    let Some((hosts, path)) = after_userinfo.split_once('/') else {
        return Err(shape(
            "the master's name is missing: add /MASTER_NAME after the sentinels",
        ));
    };
    if path.contains(['?', '#']) {
        return Err(shape("a Sentinel URL takes no query and no fragment"));
    }
    let (master_name, db) = path.split_once('/').unwrap_or((path, "0"));
    if master_name.is_empty() {
        return Err(shape("the master's name is empty"));
    }
    let Ok(db) = db.parse::<u16>() else {
        return Err(shape(
            "the database after the master's name is not a number",
        ));
    };
    let sentinels = crate::cluster::host_ports(hosts)
        .ok_or(SentinelUrlError::Shape(
            "every sentinel needs a host and a port, separated by commas",
        ))?
        .into_iter()
        .map(|node| format!("redis://{node}"))
        .collect();
    Ok(SentinelUrl {
        sentinels,
        master_name: master_name.to_owned(),
        userinfo: userinfo.to_owned(),
        db,
    })
}

/// A connection to the master of `url`, found through its sentinels on first use, with calls
/// bounded by `timeout`, and a watcher that follows the sentinels' announcements in the
/// background.
pub(crate) fn connect(
    url: &str,
    timeout: Duration,
) -> Result<SentinelConnection, SentinelUrlError> {
    SentinelConnection::new(parse(url)?, timeout).map_err(SentinelUrlError::Redis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentinel_url_names_the_sentinels_the_master_and_its_settings() {
        let url = parse("redis-sentinel://:pw@10.0.0.1:26379,10.0.0.2:26379/mymaster/2").unwrap();
        assert_eq!(
            url,
            SentinelUrl {
                sentinels: vec![
                    "redis://10.0.0.1:26379".to_owned(),
                    "redis://10.0.0.2:26379".to_owned()
                ],
                master_name: "mymaster".to_owned(),
                userinfo: ":pw@".to_owned(),
                db: 2,
            }
        );
        assert_eq!(
            url.master_url("10.0.0.9:6379"),
            "redis://:pw@10.0.0.9:6379/2"
        );
        let url = parse("redis+sentinel://sentinel.internal:26379/sessions").unwrap();
        assert_eq!(url.master_url("10.0.0.9:6379"), "redis://10.0.0.9:6379/0");
    }

    #[test]
    fn malformed_sentinel_urls_are_refused() {
        for url in [
            "redis-sentinel://host:26379",
            "redis-sentinel://host:26379/",
            "redis-sentinel://host/mymaster",
            "redis-sentinel://host:26379,/mymaster",
            "redis-sentinel://host:26379/mymaster/x",
            "redis-sentinel://host:26379/mymaster?db=1",
            "redis-sentinel://:26379/mymaster",
        ] {
            assert!(
                matches!(parse(url), Err(SentinelUrlError::Shape(_))),
                "{url}"
            );
        }
    }
}
