//! The Outbox (`M`): the organisation's invitation and password-reset mail with its
//! delivery status, and, for messages still kept next to a local store (delivered to
//! the maildir because no SMTP server is configured, or failed), the link to pass on.
//! Shown as a detail view over the current tab; every value is sanitised when drawn.
//! It is a list: j/k pick a message (marked `▶`), Enter shows it whole (`Esc` comes
//! back), `R` queues a failed one again with `RetryMail`.

use super::app::*;
use super::data::{Detail, Section, Target};
use super::keymap::Action;
use crate::backend::{Backend, BackendError};
use crate::core::mail::{self as outbox, Mail, MailStatus};
use crate::core::{Directory, MailId, OrgId, Principal};
use jiff::Timestamp;
use std::collections::BTreeMap;

/// Opens the outbox over the current tab.
pub fn open_view(app: &mut App) -> Vec<Effect> {
    let Some(org) = app.snap.org.id else {
        app.error("This account reaches no organisation");
        return vec![];
    };
    let target = Target::Outbox(org);
    app.outbox_pick = 0;
    app.detail = Some(DetailView {
        target,
        data: None,
        scroll: 0,
    });
    vec![detail_effect(app, target)]
}

/// The outbox's own keys: moving the pick, showing a message, retrying one; and Esc
/// from a message back to the list. `None`: not the outbox's (the detail view's then).
pub fn on_action(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let target = app.detail.as_ref()?.target;
    if let Target::OutboxMessage(..) = target {
        if action != Action::Back {
            return None;
        }
        // Back to the list, on the message that was open.
        let pick = app.outbox_pick;
        let fx = open_view(app);
        app.outbox_pick = pick;
        return Some(fx);
    }
    let Target::Outbox(org) = target else {
        return None;
    };
    let mails = picks(app);
    let last = mails.len().saturating_sub(1);
    match action {
        Action::Down | Action::Up | Action::Top | Action::Bottom => {
            app.outbox_pick = match action {
                Action::Down => (app.outbox_pick + 1).min(last),
                Action::Up => app.outbox_pick.saturating_sub(1),
                Action::Top => 0,
                _ => last,
            };
            mark(app);
            Some(vec![])
        }
        Action::Open => {
            let Some((id, _)) = mails.get(app.outbox_pick) else {
                return Some(vec![]);
            };
            let target = Target::OutboxMessage(org, *id);
            app.detail = Some(DetailView {
                target,
                data: None,
                scroll: 0,
            });
            Some(vec![detail_effect(app, target)])
        }
        Action::Retry => {
            let Some((id, failed)) = mails.get(app.outbox_pick).copied() else {
                return Some(vec![]);
            };
            if !failed {
                app.info(format!(
                    "Mail {id} has not failed: only a failed message is sent again"
                ));
                return Some(vec![]);
            }
            let jobs = vec![Job {
                label: id.to_string(),
                cmd: crate::core::Command::RetryMail { mail: id },
            }];
            Some(app.run(format!("Retry mail {id}"), jobs, true))
        }
        _ => None,
    }
}

/// The messages shown, in order, and whether each has failed (read from the view).
fn picks(app: &App) -> Vec<(MailId, bool)> {
    let Some(d) = app.detail.as_ref().and_then(|d| d.data.as_ref()) else {
        return vec![];
    };
    d.sections
        .iter()
        .filter_map(|s| {
            let title = s.title.trim_start_matches(MARK).trim_start();
            let id = title.split(' ').next()?.parse::<MailId>().ok()?;
            let failed = s
                .lines
                .iter()
                .any(|(k, v)| k == "Status" && v.starts_with(MailStatus::Failed.as_str()));
            Some((id, failed))
        })
        .collect()
}

const MARK: &str = "▶";

/// Marks the picked message, and scrolls so it is on screen.
pub fn mark(app: &mut App) {
    if !app.outbox_view() {
        return;
    }
    let count = picks(app).len();
    app.outbox_pick = app.outbox_pick.min(count.saturating_sub(1));
    let pick = app.outbox_pick;
    let rows = app.detail_rows();
    let Some(view) = app.detail.as_mut() else {
        return;
    };
    let Some(d) = view.data.as_mut() else {
        return;
    };
    // Where each section starts, as `DetailView::lines` counts them.
    let mut line = 0usize;
    let mut n = 0usize;
    let mut span = None;
    for (i, s) in d.sections.iter_mut().enumerate() {
        let start = line + usize::from(i > 0);
        line = start + usize::from(!s.title.is_empty()) + s.lines.len();
        let bare = s.title.trim_start_matches(MARK).trim_start().to_string();
        if bare
            .split(' ')
            .next()
            .is_some_and(|t| t.parse::<MailId>().is_ok())
        {
            s.title = if n == pick {
                span = Some((start, line));
                format!("{MARK} {bare}")
            } else {
                format!("  {bare}")
            };
            n += 1;
        }
    }
    if let Some((start, end)) = span {
        let (start, end) = (start as u16, end as u16);
        if start < view.scroll {
            view.scroll = start;
        } else if end > view.scroll.saturating_add(rows) {
            view.scroll = end.saturating_sub(rows).min(start);
        }
    }
}

/// Loads one message: its record, and on a local store the message itself when kept.
pub fn load_message(
    backend: &dyn Backend,
    who: &Principal,
    org: OrgId,
    mail: MailId,
) -> Result<Detail, BackendError> {
    let now = backend.now();
    let raw = match backend.local_root() {
        Some(root) => crate::mail::spool::read(&root, mail).ok().flatten(),
        None => None,
    };
    crate::backend::query(backend, |dir| {
        message_detail(dir, who, org, mail, now, raw.as_deref())
    })
}

/// One message: its record, its link, and the whole message when `raw` holds it.
pub fn message_detail(
    dir: &Directory,
    who: &Principal,
    org: OrgId,
    mail: MailId,
    now: Timestamp,
    raw: Option<&[u8]>,
) -> Detail {
    let m = dir.mails.get(&mail).filter(|m| m.org == org);
    let Some(m) = m.filter(|_| outbox::can_see_outbox(dir, who, org, now)) else {
        return Detail {
            title: format!("Mail {mail}"),
            sections: vec![Section {
                title: String::new(),
                lines: vec![(String::new(), format!("No mail {mail} in your outbox."))],
            }],
        };
    };
    let link = raw.and_then(link_in);
    let mut sections = vec![section(m, link.as_ref())];
    let mut text = Section {
        title: "Message".into(),
        lines: vec![],
    };
    match raw.and_then(readable) {
        Some(body) => {
            for l in body.lines() {
                text.lines.push((String::new(), l.to_string()));
            }
        }
        None => text.lines.push((
            String::new(),
            "Not kept on this machine: delivered over SMTP (the link went to its recipient only) or mailed by the server."
                .into(),
        )),
    }
    sections.push(text);
    Detail {
        title: format!("Mail {mail} to {}", m.to),
        sections,
    }
}

/// A spooled message as text: the headers, then the body decoded when it is
/// quoted-printable.
fn readable(raw: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let qp = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("content-transfer-encoding:") && l.contains("quoted-printable")
    });
    let body = if qp {
        let decoded =
            quoted_printable::decode(body.as_bytes(), quoted_printable::ParseMode::Robust).ok()?;
        String::from_utf8_lossy(&decoded).into_owned()
    } else {
        body.to_string()
    };
    Some(format!("{head}\n\n{body}"))
}

/// Loads the outbox and the links of the messages kept on this machine.
pub fn load(backend: &dyn Backend, who: &Principal, org: OrgId) -> Result<Detail, BackendError> {
    let now = backend.now();
    let ids = crate::backend::query(backend, |dir| {
        outbox::can_see_outbox(dir, who, org, now).then(|| {
            outbox::outbox(dir, org)
                .iter()
                .map(|m| m.id)
                .collect::<Vec<_>>()
        })
    })?;
    let mut links = BTreeMap::new();
    if let (Some(root), Some(ids)) = (backend.local_root(), &ids) {
        for id in ids {
            if let Ok(Some(raw)) = crate::mail::spool::read(&root, *id)
                && let Some(link) = link_in(&raw)
            {
                links.insert(*id, link);
            }
        }
    }
    crate::backend::query(backend, |dir| detail(dir, who, org, now, &links))
}

/// The outbox as a detail view: one section per message, newest first.
pub fn detail(
    dir: &Directory,
    who: &Principal,
    org: OrgId,
    now: Timestamp,
    links: &BTreeMap<MailId, String>,
) -> Detail {
    if !outbox::can_see_outbox(dir, who, org, now) {
        return Detail {
            title: "Outbox".into(),
            sections: vec![Section {
                title: String::new(),
                lines: vec![(
                    String::new(),
                    "The outbox is for those who send mail (members.invite or members.manage)."
                        .into(),
                )],
            }],
        };
    }
    let mails = outbox::outbox(dir, org);
    let counts = |s: MailStatus| mails.iter().filter(|m| m.status == s).count();
    let mut sections = vec![Section {
        title: String::new(),
        lines: vec![(
            String::new(),
            format!(
                "{} queued · {} sent · {} failed",
                counts(MailStatus::Queued),
                counts(MailStatus::Sent),
                counts(MailStatus::Failed)
            ),
        )],
    }];
    if mails.is_empty() {
        sections[0]
            .lines
            .push((String::new(), "(no mail yet)".into()));
    }
    for m in mails {
        sections.push(section(m, links.get(&m.id)));
    }
    Detail {
        title: "Outbox".into(),
        sections,
    }
}

fn section(m: &Mail, link: Option<&String>) -> Section {
    let mut lines = vec![
        ("To".to_string(), m.to.clone()),
        ("Subject".to_string(), m.subject.clone()),
        (
            "Status".to_string(),
            format!(
                "{} ({} attempt{})",
                m.status.as_str(),
                m.attempts,
                if m.attempts == 1 { "" } else { "s" }
            ),
        ),
        ("Updated".to_string(), super::text::when(m.updated)),
    ];
    if !m.last_error.is_empty() {
        lines.push(("Error".into(), m.last_error.clone()));
    }
    if let Some(link) = link {
        lines.push(("Link".into(), "pass it on; it works once:".into()));
        lines.push((String::new(), link.clone()));
    }
    Section {
        title: format!("{} · {}", m.id, m.kind.as_str().replace('_', " ")),
        lines,
    }
}

/// The link in a spooled message: the body line holding `://` and `#`.
fn link_in(raw: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let qp = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("content-transfer-encoding:") && l.contains("quoted-printable")
    });
    let body = if qp {
        let decoded =
            quoted_printable::decode(body.as_bytes(), quoted_printable::ParseMode::Robust).ok()?;
        String::from_utf8_lossy(&decoded).into_owned()
    } else {
        body.to_string()
    };
    body.lines()
        .map(str::trim)
        .find(|l| l.contains("://") && l.contains('#') && !l.contains(' '))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_is_found_in_plain_and_quoted_printable_bodies() {
        let plain =
            b"Subject: x\r\n\r\nHello\r\n\r\n    https://r.example/invitations/accept#abc\r\n";
        assert_eq!(
            link_in(plain).as_deref(),
            Some("https://r.example/invitations/accept#abc")
        );
        let qp = b"Content-Transfer-Encoding: quoted-printable\r\n\r\nJos=C3=A9=0A    https://r.exa=\r\nmple/invitations/accept#abc=0A";
        assert_eq!(
            link_in(qp).as_deref(),
            Some("https://r.example/invitations/accept#abc")
        );
    }
}
