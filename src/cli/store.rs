//! The CLI's one seam to where the data is: the local file store (where it lives by
//! default, whether one exists, opening it) or a roster server (`--server`, a context).

use super::args::Global;
use super::fail::{Failure, Outcome};
use super::output::warn;
use crate::backend::file::FileStore;
use crate::backend::rest::Connect;
use crate::backend::{Backend, BackendError};
use crate::config::Config;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the command works.
pub enum Target {
    Local(PathBuf),
    Remote(Remote),
}

pub struct Remote {
    pub connect: Connect,
    /// The context it came from, for messages.
    pub context: Option<String>,
}

/// Picks the place to work, first match wins: `--server` (or `ROSTER_SERVER`);
/// `--context` (or `ROSTER_CONTEXT`); `--store` (or `ROSTER_STORE`); the config file's
/// `current-context`; the default local store. Explicit options on the command line
/// (`--token`, `--org`) override what a context says.
pub fn target(global: &Global) -> Outcome<Target> {
    if let Some(server) = global.server.as_deref().filter(|s| !s.trim().is_empty()) {
        return Ok(Target::Remote(Remote {
            connect: Connect {
                server: server.to_string(),
                token: global.token.clone(),
                org: global.org.clone(),
                ..Connect::default()
            },
            context: None,
        }));
    }
    if let Some(name) = global.context.as_deref().filter(|s| !s.trim().is_empty()) {
        let config = Config::load().map_err(Failure::Message)?;
        return from_context(global, &config, name).map(Target::Remote);
    }
    if global.store.is_none() {
        let config = Config::load().map_err(|e| {
            Failure::Message(format!(
                "{e} (fix it, or pass --store PATH to work on a local store)"
            ))
        })?;
        if let Some(name) = &config.current {
            return from_context(global, &config, name).map(Target::Remote);
        }
    }
    store_path(global).map(Target::Local)
}

fn from_context(global: &Global, config: &Config, name: &str) -> Outcome<Remote> {
    let ctx = config.get(name).map_err(Failure::Message)?;
    let token = match &global.token {
        Some(t) => Some(t.clone()),
        None => {
            let resolved = config.token(name, ctx).map_err(Failure::Message)?;
            resolved.warnings.iter().for_each(warn);
            resolved.token
        }
    };
    Ok(Remote {
        connect: Connect {
            server: ctx.server.clone(),
            token,
            org: global.org.clone().or_else(|| ctx.org.clone()),
            ..Connect::default()
        },
        context: Some(name.to_string()),
    })
}

/// The store path from --store / ROSTER_STORE, else the per-user default.
pub fn store_path(global: &Global) -> Outcome<PathBuf> {
    if let (None, Some(url)) = (&global.store, super::database_url::url_of(global)) {
        return Ok(PathBuf::from(url.expose())); // ROSTER_DATABASE_URL
    }
    match &global.store {
        Some(p) => Ok(p.clone()),
        None => default_path().ok_or_else(|| {
            Failure::msg("cannot work out the default store location (no home or data directory): pass --store PATH")
        }),
    }
}

/// The per-user default store (`$ROSTER_STORE`, else under the XDG data directory).
pub fn default_path() -> Option<PathBuf> {
    Some(crate::backend::file::default_store_path())
}

/// True when anything is at `path`; opening then says whether it is a store. A
/// database URL always "exists": opening it sets up roster's tables if they are missing.
/// A path we may not look at counts as there, so opening says what is wrong (permission
/// denied) rather than "there is no store".
pub fn exists(path: &Path) -> bool {
    super::database_url::url_in(path).is_some() || path.try_exists().unwrap_or(true)
}

/// True when `path` holds something a new store must not be put over: a file, or a
/// folder that is not empty. An empty folder (made by `mkdir` first) is fine.
pub fn occupied(path: &Path) -> bool {
    if path.is_dir() {
        return std::fs::read_dir(path)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true);
    }
    path.exists()
}

pub fn open(path: &Path) -> Result<Arc<dyn Backend>, BackendError> {
    if let Some(url) = super::database_url::url_in(path) {
        return Ok(Arc::new(crate::backend::postgres::PgStore::open(&url)?));
    }
    Ok(Arc::new(FileStore::open(path)?))
}
