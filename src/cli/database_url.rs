//! Which PostgreSQL database the options name, if any. Everything that opens a store
//! asks this first, so it sits below the commands that use it.

use super::args::Global;
use crate::backend::postgres::DatabaseUrl;
use std::path::Path;

/// The database `--store` (or `ROSTER_STORE`) names when it is a `postgres://` URL;
/// else `ROSTER_DATABASE_URL` when no store was named at all.
pub fn url_of(global: &Global) -> Option<DatabaseUrl> {
    match &global.store {
        Some(p) => url_in(p),
        None => std::env::var("ROSTER_DATABASE_URL")
            .ok()
            .and_then(|u| DatabaseUrl::parse(&u)),
    }
}

/// The database a store "path" names, if it is a URL.
pub fn url_in(path: &Path) -> Option<DatabaseUrl> {
    path.to_str().and_then(DatabaseUrl::parse)
}
