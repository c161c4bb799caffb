//! The SQL the store sends: the migration and one statement per store operation, written once
//! for the configured table.

use crate::names::TableName;

/// The lock key under which migrations run one at a time (`pg_advisory_xact_lock`), so that
/// app instances starting together do not race to create the same table.
pub(crate) const MIGRATION_LOCK: i64 = 0x6661_7374_7365_7373; // "fastsess"

/// Every statement of the store, for one table.
#[derive(Debug)]
pub(crate) struct Statements {
    /// Creates the schema (if one is named), the table and its expiry index, if missing.
    pub(crate) migration: String,
    /// `$1` id, `$2` now: the record's data and times if it is not retired; an ended record's
    /// times without its data, so the engine sees it ended and deletes it.
    pub(crate) load: String,
    /// `$1` id, `$2` data keys, `$3` their JSON texts, `$4` created, `$5` refreshed, `$6` expires,
    /// `$7` now, `$8` user: inserts, or replaces a row that has ended.
    pub(crate) create: String,
    /// `$1` id, `$2` now, `$3` cleared, `$4` removed keys, `$5` incremented keys, `$6` their
    /// deltas, `$7` inserted keys, `$8` their JSON texts, `$9` refreshed, `$10` expires, `$11`
    /// whether the user changes, `$12` the new user.
    pub(crate) apply: String,
    /// `$1` id, `$2` now, `$3` refreshed, `$4` expires.
    pub(crate) touch: String,
    /// `$1` id, `$2` now, `$3` the successor's id.
    pub(crate) retire: String,
    /// `$1` id: deletes the row and returns its successor, if it was retired.
    pub(crate) delete: String,
    /// `$1` user, `$2` now: the user's live sessions, their ids and times.
    pub(crate) user_sessions: String,
    /// `$1` id, `$2` user, `$3` now: deletes the row unless it is live and not the user's, and
    /// returns its successor.
    pub(crate) end_user_session: String,
    /// `$1` now, `$2` at most this many rows: deletes rows that have ended.
    pub(crate) delete_expired: String,
    /// Every row.
    pub(crate) count: String,
    /// Every row that is not retired.
    pub(crate) count_sessions: String,
    /// Deletes every row.
    pub(crate) clear: String,
}

/// The condition of every write but creation: the row is live at `now` and not retired.
const LIVE: &str = "s.expires_at > $2 AND s.successor IS NULL";

/// An increment's new value, as the JSON text of an integer: the stored integer plus the delta,
/// saturating at the bounds of a 64-bit integer; the delta alone when the stored value is not an
/// integer in that range (or the data was cleared). The stored value is the JSON text of the
/// key's value, so an integer is `0` or digits without a leading zero after an optional `-`.
const INCREMENTED: &str = "CASE WHEN NOT $3 AND (s.data ->> i.k) ~ '^(0|-?[1-9][0-9]{0,18})$' \
     THEN CASE WHEN (s.data ->> i.k)::numeric BETWEEN -9223372036854775808 AND 9223372036854775807 \
          THEN LEAST(GREATEST((s.data ->> i.k)::numeric + i.d, -9223372036854775808), \
                     9223372036854775807)::text \
          ELSE i.d::text END \
     ELSE i.d::text END";

impl Statements {
    /// The statements for `table`.
    pub(crate) fn new(table: &TableName) -> Self {
        let schema = table
            .schema
            .as_ref()
            .map(|schema| format!("CREATE SCHEMA IF NOT EXISTS {schema};\n"))
            .unwrap_or_default();
        let index = table.expiry_index();
        let user_index = table.user_index();
        let migration = format!(
            "{schema}CREATE TABLE IF NOT EXISTS {table} (
    id bytea PRIMARY KEY,
    data jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    refreshed_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    successor bytea,
    user_id text
);
ALTER TABLE {table} ADD COLUMN IF NOT EXISTS user_id text;
CREATE INDEX IF NOT EXISTS {index} ON {table} (expires_at);
CREATE INDEX IF NOT EXISTS {user_index} ON {table} (user_id) WHERE user_id IS NOT NULL;
COMMENT ON TABLE {table} IS 'fastsession: one row per session, keyed by 16 bytes of SHA-256 over its ID; data maps each key to the JSON text of its value';"
        );
        Self {
            migration,
            load: format!(
                "SELECT CASE WHEN s.expires_at > $2 THEN s.data ELSE '{{}}'::jsonb END, \
                 s.created_at, s.refreshed_at, s.expires_at, s.user_id FROM {table} AS s \
                 WHERE s.id = $1 AND s.successor IS NULL"
            ),
            create: format!(
                "INSERT INTO {table} AS s (id, data, created_at, refreshed_at, expires_at, user_id) \
                 VALUES ($1, jsonb_object($2::text[], $3::text[]), $4, $5, $6, $8) \
                 ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, \
                 created_at = EXCLUDED.created_at, refreshed_at = EXCLUDED.refreshed_at, \
                 expires_at = EXCLUDED.expires_at, successor = NULL, user_id = EXCLUDED.user_id \
                 WHERE s.expires_at <= $7"
            ),
            apply: format!(
                "UPDATE {table} AS s SET \
                 data = (CASE WHEN $3 THEN '{{}}'::jsonb ELSE s.data - $4::text[] END) \
                 || COALESCE((SELECT jsonb_object_agg(i.k, {INCREMENTED}) \
                    FROM unnest($5::text[], $6::int8[]) AS i(k, d)), '{{}}'::jsonb) \
                 || jsonb_object($7::text[], $8::text[]), \
                 refreshed_at = GREATEST(s.refreshed_at, $9), \
                 expires_at = GREATEST(s.expires_at, $10), \
                 user_id = CASE WHEN $11 THEN $12::text ELSE s.user_id END \
                 WHERE s.id = $1 AND {LIVE}"
            ),
            touch: format!(
                "UPDATE {table} AS s SET refreshed_at = GREATEST(s.refreshed_at, $3), \
                 expires_at = GREATEST(s.expires_at, $4) WHERE s.id = $1 AND {LIVE}"
            ),
            retire: format!(
                "UPDATE {table} AS s SET successor = $3, data = '{{}}'::jsonb, user_id = NULL \
                 WHERE s.id = $1 AND {LIVE}"
            ),
            delete: format!("DELETE FROM {table} WHERE id = $1 RETURNING successor"),
            user_sessions: format!(
                "SELECT s.id, s.created_at, s.refreshed_at FROM {table} AS s \
                 WHERE s.user_id = $1 AND {LIVE}"
            ),
            end_user_session: format!(
                "DELETE FROM {table} AS s WHERE s.id = $1 AND NOT (s.expires_at > $3 \
                 AND s.successor IS NULL AND s.user_id IS DISTINCT FROM $2) RETURNING s.successor"
            ),
            delete_expired: format!(
                "DELETE FROM {table} WHERE id IN (SELECT id FROM {table} \
                 WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
            ),
            count: format!("SELECT count(*) FROM {table}"),
            count_sessions: format!("SELECT count(*) FROM {table} WHERE successor IS NULL"),
            clear: format!("DELETE FROM {table}"),
        }
    }
}
