//! PostgreSQL from the command line: `roster migrate`, `roster store copy`, and
//! `roster init` on a database (which database the options name is in `database_url`).

use super::args::{Global, StoreCmd};
use super::database_url::url_of;
use super::fail::{Outcome, fail};
use super::output::{json, say};
use crate::backend::copy::{self, Place};
use crate::backend::postgres::{DatabaseUrl, PgStore};
use crate::demo;
use serde_json::json as j;

/// `roster migrate`.
pub fn migrate(global: &Global) -> Outcome {
    let Some(url) = url_of(global) else {
        return fail(
            "roster migrate sets up a PostgreSQL store: pass --store postgres://USER@HOST/DB or set ROSTER_DATABASE_URL (a file store needs no migrations)",
        );
    };
    let store = PgStore::open(&url)?;
    let (applied, schema) = (store.migrated(), crate::backend::postgres::MIGRATIONS.len());
    if global.json {
        return json(&j!({ "database": url.redacted(), "applied": applied, "schema": schema }));
    }
    say(format!(
        "✓ {url} is at schema version {schema} ({applied} migration{} applied now)",
        if applied == 1 { "" } else { "s" }
    ));
    Ok(())
}

/// `roster store copy`.
pub fn store(global: &Global, cmd: StoreCmd) -> Outcome {
    let (from, to) = match cmd {
        StoreCmd::Copy { from, to } => (from, to),
        StoreCmd::Compact => return super::store_compact::compact(global),
    };
    let (from, to) = (Place::parse(&from), Place::parse(&to));
    if global.dry_run {
        say(format!(
            "✓ [dry run] would copy {} to {}",
            from.describe(),
            to.describe()
        ));
        say("dry run: nothing was changed");
        return Ok(());
    }
    let counts = copy::copy(&from, &to)?;
    if global.json {
        return json(&j!({ "from": from.describe(), "to": to.describe(), "copied": counts }));
    }
    say(format!(
        "✓ copied {} to {} and verified the copy",
        from.describe(),
        to.describe()
    ));
    say(format!(
        "  {} commands ({} events), {} organisations, {} accounts, {} roles, {} groups, {} programs, {} contracts, {} invitations, {} requests, {} tokens; every invariant holds",
        counts.commits,
        counts.events,
        counts.organisations,
        counts.accounts,
        counts.roles,
        counts.groups,
        counts.programs,
        counts.contracts,
        counts.invitations,
        counts.requests,
        counts.tokens
    ));
    Ok(())
}

/// `roster init [--demo]` on a database: the schema, and (with --demo) the demo
/// organisations, into a database that holds no store yet.
pub fn init(global: &Global, url: &DatabaseUrl, with_demo: bool) -> Outcome {
    if global.dry_run {
        say(format!("✓ [dry run] would set up a store in {url}"));
        say("dry run: nothing was changed");
        return Ok(());
    }
    let store = PgStore::open(url)?;
    if store.version() > 0 {
        return fail(format!(
            "{url} already holds a roster store ({} commands): roster never overwrites a store",
            store.version()
        ));
    }
    let summary = if with_demo {
        Some(demo::populate(&store)?)
    } else {
        None
    };
    if global.json {
        return json(&j!({ "store": url.redacted(), "demo": summary }));
    }
    say(format!("✓ set up a store in {url}"));
    if let Some(s) = summary {
        say(format!(
            "  {} organisations, {} accounts, {} events in the audit trail",
            s.orgs.len(),
            s.accounts,
            s.events
        ));
    }
    Ok(())
}
