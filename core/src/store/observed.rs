//! [`observed`]: one `tracing` event per store call, for store authors.

use std::future::Future;
use std::time::Instant;

use crate::store::StoreError;

/// Runs one call of a store and reports it as one `tracing` event named `store call`: at debug
/// level when it succeeded, at warn level (`store call failed`) when it failed, with the store's
/// name (`store`), the operation, its latency in milliseconds (`elapsed_ms`) and, on failure,
/// the error's kind (`kind`). Never a session ID, a key or a value, so operators can see a slow
/// or failing store without the log leaking sessions.
///
/// The clock is read only when a subscriber may keep a warn-level event, so a store pays
/// nothing for it when nobody listens.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use fastsession_core::store::{StoreError, observed};
///
/// let rows = observed("my-store", "load", async { Ok::<_, StoreError>(3) }).await;
/// assert_eq!(rows.unwrap(), 3);
/// # });
/// ```
#[allow(
    clippy::disallowed_methods,
    reason = "a store's latency, for its log event only: no session decision reads this clock"
)]
pub async fn observed<T>(
    store: &'static str,
    operation: &'static str,
    call: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    let started = tracing::enabled!(tracing::Level::WARN).then(Instant::now);
    let result = call.await;
    if let Some(started) = started {
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        match &result {
            Ok(_) => tracing::debug!(store, operation, elapsed_ms, "store call"),
            Err(error) => {
                let kind = format!("{:?}", error.kind());
                tracing::warn!(store, operation, elapsed_ms, kind, "store call failed");
            }
        }
    }
    result
}
