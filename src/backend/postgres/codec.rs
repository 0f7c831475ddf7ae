//! Rows and the SQL that reads and writes them. Queries are built at run time (no
//! compile-time checked macros), so building roster never needs a database. JSON goes
//! over the wire as text and is cast to `jsonb` in SQL.

use crate::backend::BackendError;
use crate::core::{Directory, Recorded};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sqlx::{PgPool, Row};

/// One committed command: its events, as one row.
#[derive(Clone, Debug)]
pub struct Commit {
    pub version: i64,
    pub commit_id: String,
    pub first_seq: i64,
    pub last_seq: i64,
    pub org: Option<i64>,
    /// JSON array of `Recorded`.
    pub events: String,
}

#[derive(Clone, Debug)]
pub struct SnapshotRow {
    pub version: i64,
    pub last_event_at: Option<String>,
    pub directory: String,
}

/// A command's events as the row for `version`, with a fresh commit id.
pub fn encode(version: i64, events: &[Recorded]) -> Result<Commit, BackendError> {
    let json = serde_json::to_string(events)
        .map_err(|e| BackendError::Io(format!("could not encode the events: {e}")))?;
    let seq = |r: Option<&Recorded>| r.map_or(0, |r| r.seq as i64);
    Ok(Commit {
        version,
        commit_id: commit_id()?,
        first_seq: seq(events.first()),
        last_seq: seq(events.last()),
        org: events.iter().find_map(|r| r.org).map(|o| o.0 as i64),
        events: json,
    })
}

pub fn decode(row: &Commit) -> Result<Vec<Recorded>, String> {
    serde_json::from_str(&row.events).map_err(|e| e.to_string())
}

fn commit_id() -> Result<String, BackendError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        BackendError::Io(format!(
            "could not get random bytes from the operating system: {e}"
        ))
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[derive(Serialize)]
struct SnapOut<'a> {
    directory: &'a Directory,
}

#[derive(Deserialize)]
struct SnapIn {
    directory: Directory,
}

pub fn encode_snapshot(
    version: i64,
    dir: &Directory,
    last_at: Option<Timestamp>,
) -> Result<SnapshotRow, BackendError> {
    let directory = serde_json::to_string(&SnapOut { directory: dir })
        .map_err(|e| BackendError::Io(format!("could not encode the snapshot: {e}")))?;
    Ok(SnapshotRow {
        version,
        last_event_at: last_at.map(|t| t.to_string()),
        directory,
    })
}

/// The directory and the cursor (version, newest event's time) a snapshot stands for.
#[allow(clippy::type_complexity)]
pub fn decode_snapshot(row: &SnapshotRow) -> Result<(Directory, (i64, Option<Timestamp>)), String> {
    let SnapIn { mut directory } =
        serde_json::from_str(&row.directory).map_err(|e| e.to_string())?;
    directory.reindex();
    let last_at = match &row.last_event_at {
        Some(t) => Some(t.parse::<Timestamp>().map_err(|e| e.to_string())?),
        None => None,
    };
    Ok((directory, (row.version, last_at)))
}

fn commit_of(row: &sqlx::postgres::PgRow) -> Result<Commit, sqlx::Error> {
    Ok(Commit {
        version: row.try_get("version")?,
        commit_id: row.try_get("commit_id")?,
        first_seq: row.try_get("first_seq")?,
        last_seq: row.try_get("last_seq")?,
        org: row.try_get("org")?,
        events: row.try_get("events")?,
    })
}

const COLUMNS: &str = "version, commit_id, first_seq, last_seq, org, events::text AS events";

/// Up to `limit` commits after `after`, oldest first.
pub async fn commits_after(
    pool: &PgPool,
    after: i64,
    limit: i64,
) -> Result<Vec<Commit>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM roster_commits WHERE version > $1 ORDER BY version LIMIT $2"
    );
    let rows = sqlx::query(&sql)
        .bind(after)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    rows.iter().map(commit_of).collect()
}

/// Up to `limit` commits below version `upper`, newest first, optionally of one
/// organisation and starting before event `before_seq`.
pub async fn commits_before(
    pool: &PgPool,
    upper: i64,
    org: Option<i64>,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<Commit>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM roster_commits
         WHERE version < $1
           AND ($2::bigint IS NULL OR org = $2)
           AND ($3::bigint IS NULL OR first_seq < $3)
         ORDER BY version DESC LIMIT $4"
    );
    let rows = sqlx::query(&sql)
        .bind(upper)
        .bind(org)
        .bind(before_seq)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    rows.iter().map(commit_of).collect()
}

/// Inserts `row` and, in the same statement (so at its commit), tells the other
/// replicas its version.
pub async fn insert(pool: &PgPool, row: &Commit) -> Result<(), sqlx::Error> {
    sqlx::query(
        "WITH ins AS (
            INSERT INTO roster_commits (version, commit_id, first_seq, last_seq, org, events)
            VALUES ($1, $2, $3, $4, $5, $6::jsonb)
            RETURNING version
         )
         SELECT pg_notify('roster_commits', version::text) FROM ins",
    )
    .bind(row.version)
    .bind(&row.commit_id)
    .bind(row.first_seq)
    .bind(row.last_seq)
    .bind(row.org)
    .bind(&row.events)
    .execute(pool)
    .await?;
    Ok(())
}

/// The commit id of the row at `version`, if there is one.
pub async fn commit_id_at(pool: &PgPool, version: i64) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT commit_id FROM roster_commits WHERE version = $1")
        .bind(version)
        .fetch_optional(pool)
        .await?;
    row.map(|r| r.try_get(0)).transpose()
}

pub async fn latest_snapshot(pool: &PgPool) -> Result<Option<SnapshotRow>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT version, last_event_at, directory::text AS directory
         FROM roster_snapshots ORDER BY version DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(SnapshotRow {
            version: r.try_get("version")?,
            last_event_at: r.try_get("last_event_at")?,
            directory: r.try_get("directory")?,
        })
    })
    .transpose()
}

/// Saves a snapshot and forgets those more than `keep` versions older.
pub async fn save_snapshot(pool: &PgPool, row: &SnapshotRow, keep: i64) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    insert_snapshot(&mut tx, row).await?;
    sqlx::query("DELETE FROM roster_snapshots WHERE version < $1")
        .bind(row.version - keep)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

async fn insert_snapshot(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    row: &SnapshotRow,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO roster_snapshots (version, last_event_at, directory)
         VALUES ($1, $2, $3::jsonb) ON CONFLICT (version) DO NOTHING",
    )
    .bind(row.version)
    .bind(&row.last_event_at)
    .bind(&row.directory)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes a whole copied log and its final snapshot in one transaction, so a copy
/// interrupted half-way leaves the database empty.
pub async fn import(
    pool: &PgPool,
    rows: &[Commit],
    snapshot: &SnapshotRow,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    for row in rows {
        sqlx::query(
            "INSERT INTO roster_commits (version, commit_id, first_seq, last_seq, org, events)
             VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
        )
        .bind(row.version)
        .bind(&row.commit_id)
        .bind(row.first_seq)
        .bind(row.last_seq)
        .bind(row.org)
        .bind(&row.events)
        .execute(&mut *tx)
        .await?;
    }
    insert_snapshot(&mut tx, snapshot).await?;
    sqlx::query("SELECT pg_notify('roster_commits', $1)")
        .bind(snapshot.version.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// The insert lost the race for its version.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.code().as_deref() == Some("23505"))
}
