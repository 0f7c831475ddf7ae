//! `roster store copy`: a whole store moved between the file store and PostgreSQL (or
//! between two of either), history and all, then checked: the copy is opened afresh
//! and must hold the same directory (every count, every record), replay its own
//! history to that directory, and keep every invariant.

use super::file::FileStore;
use super::postgres::{DatabaseUrl, PgStore};
use super::{Backend, BackendError, query};
use crate::core::{Directory, Recorded, invariants};
use serde::Serialize;
use std::path::PathBuf;

/// Where a store is: a folder, or a PostgreSQL database.
#[derive(Clone, Debug)]
pub enum Place {
    File(PathBuf),
    Postgres(DatabaseUrl),
}

impl Place {
    /// A `postgres://` URL names a database; anything else is a folder.
    pub fn parse(s: &str) -> Place {
        match DatabaseUrl::parse(s) {
            Some(url) => Place::Postgres(url),
            None => Place::File(PathBuf::from(s)),
        }
    }

    /// For messages: the folder, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            Place::File(p) => p.display().to_string(),
            Place::Postgres(u) => u.redacted(),
        }
    }
}

/// What a store holds, counted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub commits: usize,
    pub events: u64,
    pub organisations: usize,
    pub accounts: usize,
    pub roles: usize,
    pub groups: usize,
    pub programs: usize,
    pub contracts: usize,
    pub invitations: usize,
    pub requests: usize,
    pub tokens: usize,
}

impl Counts {
    fn of(dir: &Directory, commits: usize) -> Counts {
        Counts {
            commits,
            events: dir.seq,
            organisations: dir.orgs.len(),
            accounts: dir.accounts.len(),
            roles: dir.roles.len(),
            groups: dir.groups.len(),
            programs: dir.programs.len(),
            contracts: dir.contracts.len(),
            invitations: dir.invitations.len(),
            requests: dir.requests.len(),
            tokens: dir.tokens.len(),
        }
    }
}

/// Copies the store at `from` into `to`, which must not hold a store yet (a missing or
/// empty folder, or a database without roster's tables or with an empty log). Returns
/// what was copied, as verified in the copy.
pub fn copy(from: &Place, to: &Place) -> Result<Counts, BackendError> {
    if same(from, to) {
        return Err(BackendError::Io(
            "--from and --to name the same store: copy to another place".into(),
        ));
    }
    let (history, dir) = read(from)?;
    let last = history.iter().flatten().last();
    if last.map_or(0, |r| r.seq) != dir.seq {
        return Err(BackendError::Io(format!(
            "{} changed while it was being read: stop whatever writes to it (servers, consoles) and copy again",
            from.describe()
        )));
    }
    let expected = Counts::of(&dir, history.len());
    // The history must describe the directory: the copy is rebuilt from it.
    let mut replayed = Directory::new();
    history.iter().flatten().for_each(|r| replayed.apply(r));
    if !same_directory(&replayed, &dir) {
        return Err(BackendError::Corrupt(format!(
            "the history of {} does not add up to its current state; nothing was copied",
            from.describe()
        )));
    }
    write(to, &history, &dir)?;
    // Verify on a fresh open, as the next server will see it.
    let (copied_history, copied) = read(to)?;
    let found = Counts::of(&copied, copied_history.len());
    if found != expected || !same_directory(&copied, &dir) || copied_history != history {
        return Err(BackendError::Corrupt(format!(
            "the copy at {} does not match {} (expected {expected:?}, found {found:?}): do not use it; delete it and copy again",
            to.describe(),
            from.describe()
        )));
    }
    if let Some(at) = last.map(|r| r.at) {
        let broken = invariants::violations(&copied, at);
        if !broken.is_empty() {
            return Err(BackendError::Corrupt(format!(
                "the copy at {} breaks roster's rules: {}",
                to.describe(),
                broken.join("; ")
            )));
        }
    }
    Ok(found)
}

fn same(a: &Place, b: &Place) -> bool {
    match (a, b) {
        (Place::File(a), Place::File(b)) => {
            a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
        }
        (Place::Postgres(a), Place::Postgres(b)) => a == b,
        _ => false,
    }
}

fn same_directory(a: &Directory, b: &Directory) -> bool {
    matches!((serde_json::to_value(a), serde_json::to_value(b)), (Ok(x), Ok(y)) if x == y)
}

fn read(place: &Place) -> Result<(Vec<Vec<Recorded>>, Directory), BackendError> {
    match place {
        Place::File(path) => {
            let store = FileStore::open(path)?;
            let history = store.history()?;
            Ok((history, query(&store, Directory::clone)?))
        }
        Place::Postgres(url) => {
            let store = PgStore::open(url)?;
            let history = store.history()?;
            Ok((history, query(&store, Directory::clone)?))
        }
    }
}

fn write(place: &Place, history: &[Vec<Recorded>], dir: &Directory) -> Result<(), BackendError> {
    match place {
        Place::File(path) => {
            FileStore::import(path, history)?;
        }
        Place::Postgres(url) => {
            let store = PgStore::open(url)?;
            store.import(history, dir)?;
            store.refresh()?;
        }
    }
    Ok(())
}
