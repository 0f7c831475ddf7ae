//! The outbox as commands: the message queued with a link, the sender's reports of how
//! delivery went, and retrying a failed message. (`crate::core::mail` holds the records
//! and templates; this file only decides.)

use super::context::{Ctx, Out, done, label};

use crate::core::command::Command;
use crate::core::error::*;
use crate::core::event::Event;
use crate::core::ids::*;
use crate::core::perms;

/// Decides one command of this family (`decide` routes only these here).
pub(super) fn run(cx: &mut Ctx<'_>, cmd: &Command) -> Out {
    use Command::*;
    match cmd {
        RecordMailDelivery {
            mail,
            attempts,
            error,
        } => record_mail_delivery(cx, *mail, *attempts, error.as_deref()),
        RetryMail { mail } => retry_mail(cx, *mail),
        RecordMailAttempt {
            mail,
            attempts,
            error,
        } => record_mail_attempt(cx, *mail, *attempts, error),
        _ => unreachable!("{} is not a mail command", cmd.verb()),
    }
}

/// The queued message that goes with a link, when the command carries one (a
/// secret hash): queued in the same step so the store never has one without the other.
pub(super) fn with_link(
    cx: &mut Ctx<'_>,
    secret_hash: &Option<String>,
    kind: crate::core::mail::MailKind,
    org: OrgId,
    to: (&str, &str),
) -> Option<Event> {
    secret_hash.as_ref()?;
    let o = cx.dir.orgs.get(&org)?;
    let id = MailId(cx.ids.next());
    let by = label(cx.dir, cx.actor.who);
    let mail = crate::core::mail::queued(id, kind, o, to, &by, cx.now);
    Some(Event::MailQueued { mail })
}

/// Only the mail sender (which runs as the platform operator: it is the store's own
/// machinery) reports deliveries; a message is delivered or given up on once.
fn record_mail_delivery(cx: &mut Ctx<'_>, id: MailId, attempts: u32, error: Option<&str>) -> Out {
    if !cx.actor.is_operator() {
        return forbidden("only the mail sender records deliveries");
    }
    let Some(m) = cx.dir.mails.get(&id) else {
        return not_found(format!("no mail {id}"));
    };
    if m.status != crate::core::mail::MailStatus::Queued {
        return conflict(format!("mail {id} is {}, not queued", m.status.as_str()));
    }
    let event = match error {
        None => Event::MailSent { mail: id, attempts },
        Some(reason) => Event::MailFailed {
            mail: id,
            attempts,
            reason: crate::core::mail::single_line(reason)
                .chars()
                .take(500)
                .collect(),
        },
    };
    done(m.org, vec![event])
}

/// A failed attempt the sender will repeat: recorded by the sender alone, on a queued
/// message (its time is when the backoff starts).
fn record_mail_attempt(cx: &mut Ctx<'_>, id: MailId, attempts: u32, error: &str) -> Out {
    if !cx.actor.is_operator() {
        return forbidden("only the mail sender records deliveries");
    }
    let Some(m) = cx.dir.mails.get(&id) else {
        return not_found(format!("no mail {id}"));
    };
    if m.status != crate::core::mail::MailStatus::Queued {
        return conflict(format!("mail {id} is {}, not queued", m.status.as_str()));
    }
    done(
        m.org,
        vec![Event::MailAttemptFailed {
            mail: id,
            attempts,
            reason: crate::core::mail::single_line(error)
                .chars()
                .take(500)
                .collect(),
        }],
    )
}

/// Those who send mail (members.invite or members.manage) may queue a failed one again.
fn retry_mail(cx: &mut Ctx<'_>, id: MailId) -> Out {
    let m = match cx.dir.mails.get(&id) {
        Some(m) if cx.reaches(m.org) => m,
        _ => return not_found(format!("no mail {id} in your organisation")),
    };
    if !cx.has(m.org, perms::MEMBERS_INVITE) {
        cx.need(m.org, perms::MEMBERS_MANAGE, "retry mail")?;
    }
    if m.status != crate::core::mail::MailStatus::Failed {
        return conflict(format!(
            "mail {id} is {}: only a failed message is retried",
            m.status.as_str()
        ));
    }
    done(m.org, vec![Event::MailRequeued { mail: id }])
}
