//! The schema, embedded in the binary and applied in order at start (and by `roster
//! migrate`). Each migration runs once, recorded in `roster_migrations`; all of them
//! run in one transaction under a transaction-level advisory lock, so replicas starting
//! at the same moment take turns: the first applies, the others find nothing to do.
//!
//! Append new migrations to `MIGRATIONS`; never edit one that has shipped.

use sqlx::{PgPool, Row};

/// (number, what it does, its SQL statements). Numbers are consecutive from 1.
pub const MIGRATIONS: &[(i64, &str, &[&str])] = &[(
    1,
    "event log, snapshots",
    &[
        r#"
-- One row per committed command. `version` is the store's log position: strictly
-- increasing with no gaps, and the primary key, so two replicas that both decided
-- against version N cannot both insert N+1. Ids and event sequence numbers are
-- store-wide in roster's core, which is why the version is too; `org` keeps each
-- command findable per organisation.
CREATE TABLE roster_commits (
    version      BIGINT PRIMARY KEY CHECK (version > 0),
    first_seq    BIGINT NOT NULL,
    last_seq     BIGINT NOT NULL,
    org          BIGINT,
    -- Random per attempt: lets a writer whose connection broke mid-commit recognise
    -- its own row and acknowledge it instead of deciding twice.
    commit_id    TEXT NOT NULL,
    committed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    events       JSONB NOT NULL
)"#,
        "CREATE INDEX roster_commits_org ON roster_commits (org, version)",
        "CREATE INDEX roster_commits_first_seq ON roster_commits (first_seq)",
        r#"

-- The whole directory as of a version, so a replica starts from the newest snapshot
-- and replays only the commits after it.
CREATE TABLE roster_snapshots (
    version       BIGINT PRIMARY KEY,
    last_event_at TEXT,
    directory     JSONB NOT NULL,
    taken_at      TIMESTAMPTZ NOT NULL DEFAULT now()
)"#,
    ],
)];

/// The advisory lock key migrations run under ("roster" in ASCII).
const LOCK_KEY: i64 = 0x726f_7374_6572;

/// Applies the migrations this database lacks; returns how many it applied. Refuses a
/// database migrated by a newer roster (it would not know that schema).
pub async fn migrate(pool: &PgPool) -> Result<usize, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(LOCK_KEY)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS roster_migrations (
            version     BIGINT PRIMARY KEY,
            description TEXT NOT NULL,
            applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
        )",
    )
    .execute(&mut *tx)
    .await?;
    let newest: i64 = sqlx::query("SELECT COALESCE(max(version), 0) FROM roster_migrations")
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    let known = MIGRATIONS.last().map_or(0, |m| m.0);
    if newest > known {
        return Err(sqlx::Error::Configuration(format!(
            "the database's schema is version {newest}, newer than this roster knows ({known}): upgrade roster"
        ).into()));
    }
    let mut applied = 0;
    for (version, description, statements) in MIGRATIONS.iter().filter(|m| m.0 > newest) {
        for sql in *statements {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        sqlx::query("INSERT INTO roster_migrations (version, description) VALUES ($1, $2)")
            .bind(version)
            .bind(description)
            .execute(&mut *tx)
            .await?;
        applied += 1;
    }
    tx.commit().await?;
    Ok(applied)
}
