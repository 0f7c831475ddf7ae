//! Whole-store history in and out, for `roster store copy`: every command's events as
//! recorded (secret hashes included: they are what the copy's state is rebuilt from),
//! oldest first, from the archived generations and the current log.

use super::archive;
use super::frame::Scan;
use super::header::HEADER_LEN;
use super::layout::Layout;
use super::log;
use super::recover;
use super::store::FileStore;
use crate::backend::BackendError;
use crate::core::Recorded;
use std::collections::BTreeMap;
use std::path::Path;

impl FileStore {
    /// Every command's events, oldest first. Taken under the writer lock, so no command
    /// or compaction runs meanwhile.
    pub fn history(&self) -> Result<Vec<Vec<Recorded>>, BackendError> {
        let _lock = self.hold_lock()?;
        let paths = Layout::new(self.path());
        // Keyed by first seq: a generation archived and still current (a compaction
        // interrupted before its new log) is counted once.
        let mut commits: BTreeMap<u64, Vec<Recorded>> = BTreeMap::new();
        let mut segments = archive::segments(&paths.archive)?;
        segments.reverse();
        segments.push(paths.log.clone());
        for path in segments {
            let Some(mut file) = log::open(&path)? else {
                continue;
            };
            let Scan { batches, .. } = log::read_from(&mut file, &path, HEADER_LEN as u64)?;
            for b in batches {
                if let Some(first) = b.events.first() {
                    commits.insert(first.seq, b.events);
                }
            }
        }
        let mut next = 1;
        for (first, events) in &commits {
            if *first != next {
                return Err(BackendError::Corrupt(format!(
                    "the history of the store at {} has no record of event {next} (it goes on at {first}): its archive folder is incomplete, so it cannot be copied whole",
                    self.path().display()
                )));
            }
            next = events.last().map_or(next, |r| r.seq + 1);
        }
        Ok(commits.into_values().collect())
    }

    /// Creates a store at `path` holding exactly `commits` (oldest first, `seq` as
    /// recorded elsewhere), one log record per commit, then opens it.
    pub fn import(path: &Path, commits: &[Vec<Recorded>]) -> Result<FileStore, BackendError> {
        let store = FileStore::create(path)?;
        {
            let _lock = store.hold_lock()?;
            let paths = Layout::new(path);
            let (_, mut end) =
                recover::log_id(&paths.log)?.ok_or_else(|| recover::missing(path))?;
            for events in commits.iter().filter(|c| !c.is_empty()) {
                end = log::append(&paths, end, events)?;
            }
        }
        drop(store);
        let store = FileStore::open(path)?;
        // One generation however long the history: start the next one from a snapshot.
        store.compact()?;
        Ok(store)
    }
}
