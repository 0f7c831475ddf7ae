//! Delivery without SMTP: each message becomes a file in `<store>/maildir/new/`, the
//! maildir layout every mail reader understands (`mutt -f <store>/maildir`). Written in
//! `tmp/` and renamed into `new/`, as the format requires; folders 0700, files 0600.

use super::spool::{private_dir, write_private};
use super::{Mailer, SendError};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

pub struct Maildir {
    root: PathBuf,
}

/// Tells apart messages written in the same second by one process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

impl Maildir {
    /// The maildir of the store in `store_root`.
    pub fn of_store(store_root: &Path) -> Maildir {
        Maildir {
            root: store_root.join("maildir"),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes one message; returns where it is.
    pub fn deliver(&self, raw: &[u8]) -> Result<PathBuf, String> {
        for sub in ["tmp", "new", "cur"] {
            private_dir(&self.root.join(sub))?;
        }
        // time.M<micros>P<pid>Q<counter>.host: unique per the maildir convention.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().replace(['/', ':'], "_"))
            .ok()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "localhost".into());
        let name = format!(
            "{}.M{}P{}Q{}.{host}",
            now.as_secs(),
            now.subsec_micros(),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let tmp = self.root.join("tmp").join(&name);
        let new = self.root.join("new").join(&name);
        write_private(&tmp, raw)?;
        std::fs::rename(&tmp, &new)
            .map_err(|e| format!("cannot move into {}: {e}", new.display()))?;
        Ok(new)
    }
}

impl Mailer for Maildir {
    fn send(&self, _from: &str, _to: &str, raw: &[u8]) -> Result<(), SendError> {
        self.deliver(raw).map(|_| ()).map_err(|message| SendError {
            permanent: false,
            message,
        })
    }

    fn describe(&self) -> String {
        format!("maildir:{}", self.root.display())
    }

    fn keeps_spool(&self) -> bool {
        true
    }
}
