//! `roster mail …`: the outbox, delivering it now, retrying failures, showing a spooled
//! message; and `send_now`, which the commands that send links call right after them.

use super::args::{MailCmd, MailStatusArg};
use super::context::Ctx;
use super::exec::{self, Change, Notes};
use super::fail::{Failure, Outcome};
use super::output::{Shown, Table, say, warn, when};
use crate::core::mail::{self as outbox, MailStatus};
use crate::core::{Command, MailId, Recorded};
use crate::mail::{self, Delivery};
use serde_json::json as j;

pub fn run(ctx: &Ctx, cmd: MailCmd) -> Outcome {
    match cmd {
        MailCmd::List { status } => list(ctx, status),
        MailCmd::Send => {
            let done = deliver(ctx)?;
            report(ctx, &done)
        }
        MailCmd::Retry { ids } => {
            let who = ctx.principal()?;
            let changes = ids
                .iter()
                .map(|id| {
                    let cmd = id.parse::<MailId>().map(|mail| Command::RetryMail { mail });
                    Change::new(id.clone(), cmd)
                })
                .collect();
            exec::apply(ctx, &who, changes)?;
            if ctx.dry_run {
                return Ok(());
            }
            if ctx.backend.local_root().is_none() {
                say("queued again: the server sends it within a few seconds");
                return Ok(());
            }
            let done = deliver(ctx)?;
            report(ctx, &done)
        }
        MailCmd::Show { id } => show(ctx, &id),
    }
}

fn local_root(ctx: &Ctx) -> Outcome<std::path::PathBuf> {
    ctx.backend.local_root().ok_or_else(|| {
        Failure::msg("this works on a local store only: on a server, `roster serve` sends the mail")
    })
}

fn deliver(ctx: &Ctx) -> Outcome<Vec<Delivery>> {
    local_root(ctx)?;
    mail::deliver_queued(ctx.backend.as_ref()).map_err(Failure::Message)
}

fn report(ctx: &Ctx, done: &[Delivery]) -> Outcome {
    if ctx.json {
        let items: Vec<_> = done
            .iter()
            .map(|d| {
                j!({
                    "mail": d.mail.to_string(),
                    "to": d.to,
                    "attempts": d.attempts,
                    "ok": d.outcome.is_ok(),
                    "via": d.outcome.as_ref().ok(),
                    "error": d.outcome.as_ref().err(),
                    "retry_at": d.retry_at.map(|t| t.to_string()),
                })
            })
            .collect();
        return Shown::json(&items).map_err(Failure::Message)?.print();
    }
    let waiting = waiting(ctx);
    if done.is_empty() && waiting.is_empty() {
        say("nothing to deliver");
    }
    let mut failed = 0;
    for d in done {
        match (&d.outcome, d.retry_at) {
            (Ok(via), _) => say(format!("✓ mail {} to {} ({via})", d.mail, d.to)),
            (Err(e), Some(at)) => warn(format!(
                "… mail {} to {}: attempt {} failed: {e}; next attempt after {}",
                d.mail,
                d.to,
                d.attempts,
                when(at)
            )),
            (Err(e), None) => {
                failed += 1;
                warn(format!(
                    "✗ mail {} to {} after {} attempts: {e}",
                    d.mail, d.to, d.attempts
                ));
            }
        }
    }
    for (m, at) in waiting
        .iter()
        .filter(|(m, _)| !done.iter().any(|d| d.mail == m.id))
    {
        say(format!(
            "… mail {} to {} waits for attempt {} after {} (last error: {})",
            m.id,
            m.to,
            m.attempts + 1,
            when(*at),
            m.last_error
        ));
    }
    if failed > 0 {
        return Err(Failure::msg(format!(
            "{failed} message(s) failed: fix the cause, then `roster mail retry ID`"
        )));
    }
    Ok(())
}

/// The queued messages whose next attempt is not due yet (the backoff after a failure).
fn waiting(ctx: &Ctx) -> Vec<(outbox::Mail, jiff::Timestamp)> {
    let Some(root) = ctx.backend.local_root() else {
        return vec![];
    };
    mail::MailConfig::load(&root)
        .and_then(|c| mail::sender::waiting(ctx.backend.as_ref(), &c))
        .unwrap_or_default()
}

fn list(ctx: &Ctx, status: Option<MailStatusArg>) -> Outcome {
    let who = ctx.principal()?;
    let org = ctx.org()?;
    let now = ctx.now();
    let json = ctx.json;
    let status = status.map(|s| match s {
        MailStatusArg::Queued => MailStatus::Queued,
        MailStatusArg::Sent => MailStatus::Sent,
        MailStatusArg::Failed => MailStatus::Failed,
    });
    ctx.view(|dir| {
        if !outbox::can_see_outbox(dir, &who, org, now) {
            return Err(
                "you need members.invite or members.manage to see the outbox: ask your administrator"
                    .into(),
            );
        }
        let rows: Vec<_> = outbox::outbox(dir, org)
            .into_iter()
            .filter(|m| status.is_none_or(|s| m.status == s))
            .collect();
        if json {
            return Shown::json(&rows);
        }
        let mut t = Table::new(&[
            "ID", "TO", "KIND", "SUBJECT", "STATUS", "ATTEMPTS", "UPDATED", "ERROR",
        ]);
        for m in rows {
            t.row(vec![
                m.id.to_string(),
                m.to.clone(),
                m.kind.as_str().replace('_', " "),
                m.subject.clone(),
                m.status.as_str().into(),
                m.attempts.to_string(),
                when(m.updated),
                m.last_error.clone(),
            ]);
        }
        Ok(Shown::Text(t.lines("the outbox is empty")))
    })
}

fn show(ctx: &Ctx, id: &str) -> Outcome {
    let who = ctx.principal()?;
    let root = local_root(ctx)?;
    let id: MailId = id.parse().map_err(Failure::Message)?;
    let now = ctx.now();
    let allowed = ctx.read(|dir| {
        dir.mails
            .get(&id)
            .is_some_and(|m| outbox::can_see_outbox(dir, &who, m.org, now))
    })?;
    if !allowed {
        return Err(Failure::msg(format!("no mail {id} in your outbox")));
    }
    match mail::spool::read(&root, id).map_err(Failure::Message)? {
        // Printed through `say`, which sanitises every line for the terminal.
        Some(raw) => String::from_utf8_lossy(&raw).lines().for_each(say),
        None => {
            return Err(Failure::msg(format!(
                "mail {id} is not kept: a message delivered over SMTP is deleted (the link went to its recipient); resend the invitation or reset for a new one"
            )));
        }
    }
    Ok(())
}

/// How the link of a command went out, as far as this process can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mailed {
    /// Over SMTP: only its recipient holds the link now; it is not shown.
    Smtp,
    /// The server mails it (a remote store); the link is shown as well, in case its
    /// mail is not set up.
    ByServer,
    /// Not mailed (the maildir, a failure, a dry run): the link is shown to pass on.
    No,
    /// SMTP is configured but the first attempt failed for a passing reason: the
    /// message stays queued and is retried; the link is shown as well, in case.
    Later,
}

/// Right after a command that sent a link: spool the queued message and deliver it at
/// once. Adds what happened to `notes`.
pub fn send_now(ctx: &Ctx, events: &[Recorded], secret: &str, notes: &mut Notes) -> Mailed {
    if ctx.dry_run {
        return Mailed::No;
    }
    if ctx.backend.local_root().is_none() {
        let queued = events
            .iter()
            .any(|r| matches!(r.event, crate::core::Event::MailQueued { .. }));
        if queued {
            notes
                .lines
                .push("  the server mails the link (`roster mail list` shows how it went)".into());
            return Mailed::ByServer;
        }
        return Mailed::No;
    }
    let spooled = match mail::spool_queued(ctx.backend.as_ref(), events, secret) {
        Ok(ids) => ids,
        Err(e) => {
            notes
                .lines
                .push(format!("  the message was not written: {e}"));
            return Mailed::No;
        }
    };
    if spooled.is_empty() {
        return Mailed::No;
    }
    // One attempt with a short timeout: whoever ran the command is waiting; retries
    // with backoff belong to `roster mail send` and the sender of `roster serve`.
    let done = match mail::deliver_now(ctx.backend.as_ref(), &spooled) {
        Ok(d) => d,
        Err(e) => {
            notes.lines.push(format!(
                "  mail {} is queued but was not sent: {e}",
                list_ids(&spooled)
            ));
            return Mailed::No;
        }
    };
    let mut by_smtp = false;
    let mut later = false;
    for id in &spooled {
        notes.fields.insert("mail".into(), j!(id.to_string()));
        match done.iter().find(|d| d.mail == *id).map(|d| &d.outcome) {
            Some(Ok(via)) if via.starts_with("maildir:") => {
                notes.lines.push(format!(
                    "  no SMTP server is configured ([smtp] in the store's roster.toml): mail {id} is in the maildir {}; `roster mail show {id}` prints it",
                    via.trim_start_matches("maildir:")
                ));
            }
            Some(Ok(via)) => {
                by_smtp = true;
                notes.lines.push(format!("  mailed ({id}, {via})"));
            }
            Some(Err(e)) if done.iter().any(|d| d.mail == *id && d.retry_at.is_some()) => {
                later = true;
                notes.lines.push(format!(
                    "  mail {id} is not sent yet ({e}): it stays queued; `roster mail send` (or the sender of `roster serve`) tries again"
                ))
            }
            Some(Err(e)) => notes.lines.push(format!(
                "  mail {id} failed: {e}; `roster mail retry {id}` tries again"
            )),
            None => notes.lines.push(format!(
                "  mail {id} is queued: the sender already at work will deliver it"
            )),
        }
    }
    if by_smtp {
        Mailed::Smtp
    } else if later {
        Mailed::Later
    } else {
        Mailed::No
    }
}

fn list_ids(ids: &[MailId]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
