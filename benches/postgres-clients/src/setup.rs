//! The harness's own connection, outside every measurement: the table, the seed data, vacuuming,
//! and the server-side actions of the dropped-connection check.

use tokio_postgres::{Client, NoTls};

use crate::tp_client::Target;
use crate::workload::{CREATE_TABLE, SessionKey, TTL};

/// A plain tokio-postgres connection to `target`, its connection task spawned.
pub(crate) async fn connect(target: &Target) -> Client {
    let (client, connection) = target
        .config()
        .connect(NoTls)
        .await
        .expect("the harness connects");
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            eprintln!("the harness's connection ended: {error}");
        }
    });
    client
}

/// Drops and creates the `sessions` table with its index.
pub(crate) async fn create_table(client: &Client) {
    client
        .batch_execute(&format!("DROP TABLE IF EXISTS sessions; {CREATE_TABLE}"))
        .await
        .expect("the table is created");
}

/// Empties the table, inserts a session for each of `keys` (data `{"counter": "1"}`, created
/// and refreshed now, expiring in an hour), and vacuums and analyzes it, so that every
/// measurement starts from the same table without the dead rows of the ones before.
pub(crate) async fn reseed(client: &Client, keys: &[SessionKey]) {
    let ids: Vec<&[u8]> = keys.iter().map(|key| &key[..]).collect();
    client
        .batch_execute("TRUNCATE sessions")
        .await
        .expect("the table is emptied");
    client
        .execute(
            "INSERT INTO sessions (id, data, created_at, refreshed_at, expires_at)
             SELECT id, '{\"counter\": \"1\"}'::jsonb, now(), now(), now() + make_interval(secs => $2)
             FROM unnest($1::bytea[]) AS id",
            &[&ids, &TTL.as_secs_f64()],
        )
        .await
        .expect("the sessions are seeded");
    client
        .batch_execute("VACUUM ANALYZE sessions")
        .await
        .expect("the table is vacuumed");
}

/// Ends every other backend connected to `dbname` (`pg_terminate_backend`); how many.
pub(crate) async fn terminate_others(client: &Client, dbname: &str) -> i64 {
    let row = client
        .query_one(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE datname = $1 AND pid <> pg_backend_pid()",
            &[&dbname],
        )
        .await
        .expect("the backends are terminated");
    row.get(0)
}

/// Lets `dbname` take new connections or not (`ALTER DATABASE ... ALLOW_CONNECTIONS`), from a
/// connection to another database.
pub(crate) async fn allow_connections(client: &Client, dbname: &str, allow: bool) {
    let name = dbname.replace('"', "\"\"");
    client
        .batch_execute(&format!(
            "ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS {allow}"
        ))
        .await
        .expect("the database's connection setting changes");
}
