//! Driver and pool failures as the store's error kinds.

use deadpool_postgres::PoolError;
use fastsession_core::store::{StoreError, StoreErrorKind};
use tokio_postgres::error::SqlState;

/// `error` as a [`StoreError`] of the kind it is: `Unavailable` when the server could not be
/// reached, the connection broke or the server is shutting down or full; `Timeout` when the
/// server cancelled the statement (its `statement_timeout`, which the store sets to its own
/// timeout); `Corrupt` when a row could not be read; `Backend` for any other error the server
/// answered with.
///
/// The source is the driver's error, whose message never holds the statement's text or the
/// connection's password.
pub(crate) fn store_error(error: tokio_postgres::Error) -> StoreError {
    let kind = kind_of(&error);
    StoreError::new(kind, error)
}

fn kind_of(error: &tokio_postgres::Error) -> StoreErrorKind {
    if let Some(code) = error.code() {
        return server_kind(code);
    }
    if error.is_closed() || has_io_source(error) {
        return StoreErrorKind::Unavailable;
    }
    if is_conversion(error) {
        return StoreErrorKind::Corrupt;
    }
    StoreErrorKind::Backend
}

/// The kind of an error the server answered with.
fn server_kind(code: &SqlState) -> StoreErrorKind {
    let class = code.code().get(..2);
    if *code == SqlState::QUERY_CANCELED {
        StoreErrorKind::Timeout
    } else if class == Some("08")
        || *code == SqlState::ADMIN_SHUTDOWN
        || *code == SqlState::CRASH_SHUTDOWN
        || *code == SqlState::CANNOT_CONNECT_NOW
        || *code == SqlState::TOO_MANY_CONNECTIONS
    {
        StoreErrorKind::Unavailable
    } else {
        StoreErrorKind::Backend
    }
}

fn has_io_source(error: &tokio_postgres::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if cause.is::<std::io::Error>() {
            return true;
        }
        source = cause.source();
    }
    false
}

/// Whether the driver failed to read a value of a row (a damaged `data`, say).
fn is_conversion(error: &tokio_postgres::Error) -> bool {
    // tokio-postgres reports these as "error deserializing column N"; its error kinds are not
    // public, so the source's presence without a server code or I/O cause is what marks them.
    error.to_string().starts_with("error deserializing")
}

/// A pool failure: waiting for a connection past the pool's own timeout is `Timeout`, failing to
/// open one is the driver's error, and a closed pool is `Unavailable`.
pub(crate) fn pool_error(error: PoolError) -> StoreError {
    match error {
        PoolError::Backend(error) => store_error(error),
        PoolError::Timeout(_) => StoreError::timeout(),
        other => StoreError::unavailable(other.to_string()),
    }
}
