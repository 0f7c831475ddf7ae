//! `roster store compact`: writes a local store's snapshot now and starts a new log
//! generation, as the store does by itself when its log grows. Opening is quicker
//! afterwards (nothing to replay), and a store whose snapshot an older roster wrote
//! gets one in the current format.

use super::args::Global;
use super::fail::{Outcome, fail};
use super::output::{json, say};
use super::store::store_path;
use crate::backend::file::FileStore;
use serde_json::json as j;

pub fn compact(global: &Global) -> Outcome {
    let path = store_path(global)?;
    if super::database_url::url_in(&path).is_some() {
        return fail(
            "roster store compact works on a local store (a folder); a PostgreSQL store keeps no snapshot file",
        );
    }
    if global.dry_run {
        say(format!("✓ [dry run] would compact {}", path.display()));
        say("dry run: nothing was changed");
        return Ok(());
    }
    let store = FileStore::open(&path)?;
    store.compact()?;
    if global.json {
        return json(&j!({ "store": path.display().to_string(), "compacted": true }));
    }
    say(format!(
        "✓ compacted {}: a new snapshot, the old log kept in its archive folder",
        path.display()
    ));
    Ok(())
}
