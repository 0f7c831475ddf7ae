//! Durable commits on the file store: one writer's latency (each command synced before
//! it is acknowledged), and commands per second when many writers share the store,
//! beside the cost of a bare fsync on the same disk.

use super::stats::{Stats, ms};
use crate::backend::file::FileStore;
use crate::backend::{self, Backend, BackendError};
use crate::core::{AccountId, Approval, Command, Level, Principal};
use serde::Serialize;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Writes {
    /// A bare `write` + `fdatasync` of a small record in the store's folder.
    pub fsync: Stats,
    /// One writer: each command decided, appended, synced, applied.
    pub single: Stats,
    pub single_per_sec: f64,
    /// `writers` threads on one store handle (as the server has).
    pub writers: usize,
    pub many_per_sec: f64,
    pub many: Stats,
}

/// `n` commands for the single writer, `n` per thread for the many.
pub fn measure(store: &Path, n: usize, writers: usize) -> Result<Writes, BackendError> {
    let fsync = bare_fsync(store, n)?;
    let fs = Arc::new(FileStore::open(store)?);
    let (owner, targets) = backend::query(fs.as_ref(), |d| {
        let org = d.orgs.values().next().map(|o| o.id);
        let owner = org.and_then(|o| d.owner_of(o)).map(|a| a.id);
        // Active members owning no program: Disable/Enable toggle them back and forth,
        // so the store ends as it started.
        let owners: std::collections::HashSet<AccountId> =
            d.programs.values().map(|p| p.owner).collect();
        let targets: Vec<AccountId> = d
            .accounts
            .values()
            .filter(|a| Some(a.org) == org && a.level == Level::Member && a.enabled)
            .filter(|a| a.approval == Approval::Approved && !owners.contains(&a.id))
            .take(writers.max(1) * 2)
            .map(|a| a.id)
            .collect();
        (owner, targets)
    })?;
    let Some(owner) = owner else {
        return Err(BackendError::Io(
            "the store has no organisation to write to".into(),
        ));
    };
    if targets.is_empty() {
        return Err(BackendError::Io("the store has no member to toggle".into()));
    }
    let who = Principal::Account { id: owner };
    // One writer.
    let mut lat = vec![];
    let started = Instant::now();
    for i in 0..n {
        let t = Instant::now();
        toggle(fs.as_ref(), &who, targets[0], i)?;
        lat.push(ms(t.elapsed()));
    }
    let single_per_sec = n as f64 / started.elapsed().as_secs_f64();
    let single = Stats::of(&mut lat);
    // Many writers, each on its own account.
    let started = Instant::now();
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let fs = Arc::clone(&fs);
            let who = who.clone();
            let target = targets[(w + 1) % targets.len()];
            std::thread::spawn(move || -> Result<Vec<f64>, BackendError> {
                let mut lat = vec![];
                for i in 0..n {
                    let t = Instant::now();
                    toggle(fs.as_ref(), &who, target, i)?;
                    lat.push(ms(t.elapsed()));
                }
                Ok(lat)
            })
        })
        .collect();
    let mut all = vec![];
    for t in threads {
        let lat = t
            .join()
            .map_err(|_| BackendError::Io("a writer thread panicked".into()))??;
        all.extend(lat);
    }
    let many_per_sec = all.len() as f64 / started.elapsed().as_secs_f64();
    Ok(Writes {
        fsync,
        single,
        single_per_sec,
        writers,
        many_per_sec,
        many: Stats::of(&mut all),
    })
}

/// Disables on even steps, enables on odd ones.
fn toggle(
    fs: &dyn Backend,
    who: &Principal,
    account: AccountId,
    i: usize,
) -> Result<(), BackendError> {
    let cmd = if i.is_multiple_of(2) {
        Command::Disable { account }
    } else {
        Command::Enable { account }
    };
    fs.execute(who, &cmd, false).map(|_| ())
}

fn bare_fsync(store: &Path, n: usize) -> Result<Stats, BackendError> {
    let path = store.join("bench-fsync.tmp");
    let io = |e: std::io::Error| {
        BackendError::Io(format!("cannot time fsync in {}: {e}", store.display()))
    };
    let mut f = std::fs::File::create(&path).map_err(io)?;
    let record = [b'x'; 400];
    let mut lat = vec![];
    for _ in 0..n {
        let t = Instant::now();
        f.write_all(&record)
            .and_then(|_| f.sync_data())
            .map_err(io)?;
        lat.push(ms(t.elapsed()));
    }
    drop(f);
    let _ = std::fs::remove_file(&path);
    Ok(Stats::of(&mut lat))
}
