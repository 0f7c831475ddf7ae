//! `roster init [--demo]`: a new store, never over an existing one.

use super::args::Global;
use super::console;
use super::fail::{Outcome, fail};
use super::output::{json, say};
use super::store::{self, store_path};
use crate::backend::file::FileStore;
use crate::demo;
use serde_json::json as j;
use std::path::{Path, PathBuf};

pub fn run(global: &Global, with_demo: bool) -> Outcome {
    let path = store_path(global)?;
    if let Some(url) = super::database_url::url_in(&path) {
        return super::database::init(global, &url, with_demo);
    }
    if store::occupied(&path) {
        return fail(format!(
            "something already exists at {}: roster never overwrites a store. Use it as it is, pass --store PATH to create one elsewhere, or delete {} yourself to start over",
            path.display(),
            path.display()
        ));
    }
    let store_flag = store_flag(&path);
    if global.dry_run {
        let what = if with_demo {
            "a store with the demo organisations"
        } else {
            "an empty store"
        };
        say(format!(
            "✓ [dry run] would create {what} at {}",
            path.display()
        ));
        say("dry run: nothing was changed");
        return Ok(());
    }
    if !with_demo {
        FileStore::create(&path)?;
        if global.json {
            return json(&j!({ "store": path, "demo": null }));
        }
        say(format!("✓ created an empty store at {}", path.display()));
        say("next: create the first organisation, for example");
        say(format!(
            "  roster{store_flag} org create acme --name \"Acme Ltd\" --owner alice@acme.example --owner-first-name Alice"
        ));
        return Ok(());
    }
    let summary = demo::create_store(&path)?;
    if global.json {
        return json(&j!({ "store": path, "demo": summary }));
    }
    say(format!("✓ created a demo store at {}", path.display()));
    for o in &summary.orgs {
        say(format!("  {:<10} {} — {}", o.slug, o.name, o.system));
    }
    say(format!(
        "  {} accounts, {} invitations, {} requests waiting for approval, {} events in the audit trail",
        summary.accounts, summary.invitations, summary.pending_requests, summary.events
    ));
    say("try:");
    say(format!("  roster{store_flag} --org kb user list --pending"));
    say(format!("  roster{store_flag} --org ubisecure role list"));
    say(format!("  roster{store_flag} --org certsite approval list"));
    say(format!("  roster{store_flag}            (the console)"));
    Ok(())
}

/// ` --store PATH` when the store is not the default one, so printed commands work
/// when pasted as they are.
pub fn store_flag(path: &Path) -> String {
    if store::default_path().as_deref() == Some(path) {
        return String::new();
    }
    format!(" --store {}", shell_quote(&path.display().to_string()))
}

/// Quotes a word for a POSIX shell when it needs it.
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | ':' | '@' | '+' | ',')
        });
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// `roster demo [PATH]`: the demo store, built on first use, then the console on it.
/// It has its own path so trying the demo never touches the store you work in.
pub fn demo(global: &Global, path: Option<PathBuf>) -> Outcome {
    let path = match path {
        Some(p) => p,
        None => match dirs::data_dir() {
            Some(d) => d.join("roster").join("demo"),
            None => {
                return fail(
                    "cannot work out the per-user data directory: pass the demo store's path, e.g. `roster demo ./demo-store`",
                );
            }
        },
    };
    if !store::exists(&path) {
        let summary = demo::create_store(&path)?;
        say(format!(
            "✓ built the demo store at {}: {} organisations, {} accounts",
            path.display(),
            summary.orgs.len(),
            summary.accounts
        ));
    }
    if !console::interactive() {
        say(format!(
            "the console needs a terminal; from scripts use the commands, e.g. roster --store {} org list",
            shell_quote(&path.display().to_string())
        ));
        return Ok(());
    }
    let global = Global {
        store: Some(path),
        ..global.clone()
    };
    console::console(&global)
}
