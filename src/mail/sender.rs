//! Putting queued messages on their way. `spool_queued` runs right after a command that
//! queued mail (it alone knows the link's secret) and writes the rendered message to the
//! spool; `deliver_queued` hands every queued message that is due to the mailer, once,
//! and records the outcome in the outbox. A temporary failure leaves the message queued
//! with its attempts counted; it is due again after `backoff(attempts)` from that record,
//! so the wait survives restarts and no command ever sleeps through a backoff.
//!
//! The outcome is recorded as the platform operator: the sender is the store's own
//! machinery, not a person, and only it may say a message went out.

use super::config::MailConfig;
use super::maildir::Maildir;
use super::smtp::Smtp;
use super::{Mailer, SendError, message, spool};
use crate::backend::{self, Backend, BackendError};
use crate::core::mail::{self, Mail, MailStatus};
use crate::core::{Command, Event, MailId, Principal, Recorded};
use jiff::{SignedDuration, Timestamp};
use std::fs::TryLockError;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// How long a queued message may wait for its spool file before the sender decides the
/// process that queued it died before writing it (the two are separate steps).
const SPOOL_GRACE: SignedDuration = SignedDuration::from_secs(120);

/// What became of one queued message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub mail: MailId,
    pub to: String,
    pub attempts: u32,
    /// `Ok(where it went)` or `Err(why it failed)`.
    pub outcome: Result<String, String>,
    /// After a temporary failure: when the message is due again (it stays queued).
    pub retry_at: Option<Timestamp>,
}

/// How long the attempt made right after a command may take: the person who ran it is
/// waiting, and the sender retries later anyway.
pub const INLINE_TIMEOUT_SECS: u64 = 5;

/// Writes the messages `records` queued to the spool, with links made from `secret`.
/// Does nothing for a remote backend (its server spools its own) or a dry run's events.
pub fn spool_queued(
    backend: &dyn Backend,
    records: &[Recorded],
    secret: &str,
) -> Result<Vec<MailId>, String> {
    let Some(root) = backend.local_root() else {
        return Ok(vec![]);
    };
    let queued: Vec<(&Mail, &str)> = records
        .iter()
        .filter_map(|r| match &r.event {
            Event::MailQueued { mail } => Some((mail, r.actor_label.as_str())),
            _ => None,
        })
        .collect();
    if queued.is_empty() {
        return Ok(vec![]);
    }
    let config = MailConfig::load(&root)?;
    let rendered = backend::query(backend, |dir| {
        queued
            .iter()
            .map(|(m, by)| message::render(dir, m, secret, by, &config).map(|raw| (m.id, raw)))
            .collect::<Result<Vec<_>, String>>()
    })
    .map_err(|e| e.to_string())??;
    let mut ids = vec![];
    for (id, raw) in rendered {
        spool::write(&root, id, &raw)?;
        ids.push(id);
    }
    Ok(ids)
}

/// The mailer the store's settings ask for: SMTP, or the maildir next to the store.
pub fn mailer_for(root: &Path, config: &MailConfig) -> Result<Box<dyn Mailer>, String> {
    Ok(match &config.smtp {
        Some(s) => Box::new(Smtp::new(s)?),
        None => Box::new(Maildir::of_store(root)),
    })
}

/// Delivers every queued message of a local store that is due, one attempt each, with
/// the mailer its settings name. A remote backend has nothing to deliver here.
pub fn deliver_queued(backend: &dyn Backend) -> Result<Vec<Delivery>, String> {
    let Some(root) = backend.local_root() else {
        return Ok(vec![]);
    };
    let config = MailConfig::load(&root)?;
    let mailer = mailer_for(&root, &config)?;
    deliver_with(backend, &root, &config, mailer.as_ref(), None)
}

/// The one attempt right after a command, for the messages it queued (`ids`), with a
/// short SMTP timeout. What fails for a passing reason is left to the sender.
pub fn deliver_now(backend: &dyn Backend, ids: &[MailId]) -> Result<Vec<Delivery>, String> {
    let Some(root) = backend.local_root() else {
        return Ok(vec![]);
    };
    let mut config = MailConfig::load(&root)?;
    if let Some(s) = &mut config.smtp {
        s.timeout_secs = s.timeout_secs.min(INLINE_TIMEOUT_SECS);
    }
    let mailer = mailer_for(&root, &config)?;
    deliver_with(backend, &root, &config, mailer.as_ref(), Some(ids))
}

/// When a queued message is due: at once before its first attempt, else `backoff` after
/// the last failed one.
pub fn due_at(config: &MailConfig, m: &Mail) -> Timestamp {
    match (&config.smtp, m.attempts) {
        (Some(s), n) if n > 0 => {
            let wait = SignedDuration::try_from(s.backoff(n)).unwrap_or(SignedDuration::ZERO);
            m.updated.checked_add(wait).unwrap_or(m.updated)
        }
        _ => m.updated,
    }
}

/// The queued messages waiting for their next attempt, with when it is due.
pub fn waiting(
    backend: &dyn Backend,
    config: &MailConfig,
) -> Result<Vec<(Mail, Timestamp)>, String> {
    let now = backend.now();
    backend::query(backend, |dir| {
        dir.mails
            .values()
            .filter(|m| m.status == MailStatus::Queued && m.attempts > 0)
            .map(|m| (m.clone(), due_at(config, m)))
            .filter(|(_, at)| *at > now)
            .collect()
    })
    .map_err(|e| e.to_string())
}

/// `deliver_queued` with a given mailer (tests pass their own); `only`: just these
/// messages (the inline attempt), else every one that is due.
pub fn deliver_with(
    backend: &dyn Backend,
    root: &Path,
    config: &MailConfig,
    mailer: &dyn Mailer,
    only: Option<&[MailId]>,
) -> Result<Vec<Delivery>, String> {
    // One sender at a time per store (the server's loop and a CLI command may both
    // try): the other one finds the lock taken and leaves the queue to it.
    spool::private_dir(&spool::dir(root))?;
    let lock_path = spool::dir(root).join("sender.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&lock_path)
        .map_err(|e| format!("cannot open {}: {e}", lock_path.display()))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Ok(vec![]),
        Err(TryLockError::Error(e)) => {
            return Err(format!("cannot lock {}: {e}", lock_path.display()));
        }
    }
    let now = backend.now();
    let queued = backend::query(backend, |dir| {
        dir.mails
            .values()
            .filter(|m| m.status == MailStatus::Queued)
            .filter(|m| only.is_none_or(|ids| ids.contains(&m.id)))
            .filter(|m| due_at(config, m) <= now)
            .map(|m| (m.clone(), mail::still_wanted(dir, m, now)))
            .collect::<Vec<_>>()
    })
    .map_err(|e| e.to_string())?;
    let max_attempts = config.smtp.as_ref().map_or(1, |s| s.max_attempts.max(1));
    let mut out = vec![];
    for (m, wanted) in queued {
        let dead = wanted.is_err();
        let (attempts, result) = match wanted {
            Err(reason) => (m.attempts, Err((true, format!("not sent: {reason}")))),
            Ok(()) => match spool::read(root, m.id)? {
                None if now.duration_since(m.created) < SPOOL_GRACE => continue,
                None => (
                    m.attempts,
                    Err((true, "no message was written for it here (it was sent by a remote client, which showed the link itself, or the process that queued it stopped first): resend the invitation or reset to mail a new link".to_string())),
                ),
                Some(raw) => attempt(config, mailer, &m, &raw),
            },
        };
        // A passing failure with attempts left keeps the message queued for later.
        let retry = matches!(&result, Err((false, _)) if !dead && attempts < max_attempts);
        let result = result.map_err(|(_, e)| e);
        let cmd = match (&result, retry) {
            (Err(e), true) => Command::RecordMailAttempt {
                mail: m.id,
                attempts,
                error: e.clone(),
            },
            _ => Command::RecordMailDelivery {
                mail: m.id,
                attempts,
                error: result.as_ref().err().cloned(),
            },
        };
        let recorded = match backend.execute(&Principal::Operator, &cmd, false) {
            Ok(r) => r,
            // Someone else recorded it first: theirs stands.
            Err(BackendError::Refused(e)) => {
                tracing::info!(mail = %m.id, reason = %e, "delivery not recorded");
                continue;
            }
            Err(e) => return Err(e.to_string()),
        };
        // The link is kept no longer than needed: gone once delivered over SMTP, or
        // once it cannot work any more. A failed or waiting message keeps it for the
        // next attempt or `mail retry`; a maildir's keeps it for the console to show.
        if (result.is_ok() && !mailer.keeps_spool()) || dead {
            spool::remove(root, m.id)?;
        }
        let retry_at = retry.then(|| {
            let at = recorded.last().map_or(now, |r| r.at);
            due_at(
                config,
                &Mail {
                    attempts,
                    updated: at,
                    ..m.clone()
                },
            )
        });
        match &result {
            Ok(_) => tracing::info!(mail = %m.id, attempts, via = %mailer.describe(), "mail sent"),
            Err(e) if retry => {
                tracing::info!(mail = %m.id, attempts, error = %e, "mail attempt failed, will retry")
            }
            Err(e) => tracing::warn!(mail = %m.id, attempts, error = %e, "mail failed"),
        }
        out.push(Delivery {
            mail: m.id,
            to: m.to.clone(),
            attempts,
            outcome: result.map(|()| mailer.describe()),
            retry_at,
        });
    }
    Ok(out)
}

/// One attempt, counted after those already made. `Err((permanent, why))`.
fn attempt(
    config: &MailConfig,
    mailer: &dyn Mailer,
    m: &Mail,
    raw: &[u8],
) -> (u32, Result<(), (bool, String)>) {
    let n = m.attempts.saturating_add(1);
    match mailer.send(&config.from, &m.to, raw) {
        Ok(()) => (n, Ok(())),
        Err(SendError { permanent, message }) => (n, Err((permanent, message))),
    }
}
