//! A user's sessions: found through the table's `user_id` column and its partial index.

use std::time::SystemTime;

use fastsession_core::store::{ListedSession, SessionRef, StoreError};
use tokio_postgres::Row;

use crate::errors::store_error;
use crate::store::PostgresStore;

impl PostgresStore {
    /// The live sessions of `user`.
    pub(crate) async fn sessions_of(
        &self,
        user: &str,
        now: SystemTime,
    ) -> Result<Vec<ListedSession>, StoreError> {
        let sql = &self.statements().user_sessions;
        let rows = Box::pin(self.within_timeout(async {
            let client = self.connection().await?;
            let statement = client.prepare_cached(sql).await.map_err(store_error)?;
            client
                .query(&statement, &[&user, &now])
                .await
                .map_err(store_error)
        }))
        .await?;
        rows.iter().map(listed).collect()
    }
}

/// A row of the user's sessions.
fn listed(row: &Row) -> Result<ListedSession, StoreError> {
    let corrupt = |error: tokio_postgres::Error| StoreError::corrupt(error);
    let digest: Vec<u8> = row.try_get(0).map_err(corrupt)?;
    let digest: [u8; 16] = digest
        .try_into()
        .map_err(|_| StoreError::corrupt("a session row's id is not 16 bytes"))?;
    Ok(ListedSession {
        session: SessionRef::from_bytes(digest),
        created_at: row.try_get(1).map_err(corrupt)?,
        refreshed_at: row.try_get(2).map_err(corrupt)?,
    })
}
