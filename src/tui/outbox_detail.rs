//! The outbox's detail views, read from the backend: the organisation's messages with
//! their delivery status, and one message whole (with the link to pass on) when it is
//! kept next to a local store.

use super::sections::{Detail, Section};
use crate::backend::{Backend, BackendError};
use crate::core::mail::{self as outbox, Mail, MailStatus};
use crate::core::{Directory, MailId, OrgId, Principal};
use jiff::Timestamp;
use std::collections::BTreeMap;

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
