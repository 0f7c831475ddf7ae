//! The PostgreSQL store: several stateless `roster serve` replicas sharing one database.
//! The core and its rules are the same as everywhere; only where events are kept
//! changes.
//!
//! ```text
//! roster_commits     one row per committed command: version (the store's log position,
//!                    primary key), its events as JSONB, their seq range, organisation
//! roster_snapshots   the whole directory as of a version, every N commits
//! roster_migrations  which embedded schema migrations were applied
//! ```
//!
//! The version is store-wide, not per organisation, because the core hands out ids and
//! event sequence numbers from store-wide counters: two commands in different
//! organisations would otherwise take the same id. The `org` column (indexed) keeps
//! each organisation's history queryable on its own.

mod audit;
mod codec;
mod listen;
mod schema;
mod store;
mod url;

pub use schema::MIGRATIONS;
pub use store::{PgOptions, PgStore};
pub use url::{DatabaseUrl, is_database_url};
