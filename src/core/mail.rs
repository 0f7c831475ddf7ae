//! The outbox: every message roster sends (an invitation, a password-reset link), as a
//! record of who it went to, what about, and how delivery went. The record never holds
//! the message body or the link's secret: those exist only at the boundary that made the
//! secret (a spool file until delivered), so neither the store nor the audit trail ever
//! holds a usable link.
//!
//! The message templates are compiled in from `assets/mail/`; rendering is a plain,
//! pure `{name}` substitution (no template engine: there is nothing to evaluate).
//!
//! The record types live one floor down, in `mail_record`, so the directory and the
//! events can hold them without depending on this file (re-exported here).

use super::directory::Directory;
use super::ids::*;
use super::model::*;
use jiff::Timestamp;

pub use super::mail_record::{Mail, MailKind, MailStatus};

impl MailKind {
    /// The template for this kind: a `Subject:` line, a blank line, the body.
    pub fn template(self) -> &'static str {
        match self {
            MailKind::Invitation { .. } => INVITATION_TEMPLATE,
            MailKind::PasswordReset { .. } => RESET_TEMPLATE,
        }
    }
}

pub const INVITATION_TEMPLATE: &str = include_str!("../../assets/mail/invitation.txt");
pub const RESET_TEMPLATE: &str = include_str!("../../assets/mail/password_reset.txt");

/// The values a template may name. `link` is absent in the core (it has no secret).
pub struct Vars<'a> {
    pub org: &'a str,
    pub inviter: &'a str,
    pub recipient: &'a str,
    pub email: &'a str,
    pub message: &'a str,
    pub expires: &'a str,
    pub link: &'a str,
}

impl Vars<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        Some(match name {
            "org" => self.org,
            "inviter" => self.inviter,
            "recipient" => self.recipient,
            "email" => self.email,
            "message" => self.message,
            "expires" => self.expires,
            "link" => self.link,
            _ => return None,
        })
    }
}

/// Replaces each `{name}` in `template` with its value; unknown names stay as written.
/// Substituted text is never scanned again, so a value cannot smuggle in a placeholder.
pub fn render(template: &str, vars: &Vars, one_line: bool) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if after[..close].chars().all(|c| c.is_ascii_lowercase()) => {
                let name = &after[..close];
                match vars.get(name) {
                    Some(v) if one_line => out.push_str(&single_line(v)),
                    Some(v) => out.push_str(v),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Control characters (CR and LF above all: header injection) become spaces.
pub fn single_line(v: &str) -> String {
    v.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// A template's subject line (without `Subject:`) and its body.
pub fn split(template: &str) -> (&str, &str) {
    let (first, body) = template.split_once('\n').unwrap_or((template, ""));
    let subject = first.strip_prefix("Subject:").unwrap_or(first).trim();
    (subject, body.strip_prefix('\n').unwrap_or(body))
}

/// The subject of a message, as the outbox records it.
pub fn subject(kind: MailKind, vars: &Vars) -> String {
    let (s, _) = split(kind.template());
    render(s, vars, true)
}

/// The outbox entry a command that sends a link queues with it, so the record and its
/// message are written in the same step (a crash cannot keep one without the other).
/// `to` is the recipient's address and name.
pub fn queued(
    id: MailId,
    kind: MailKind,
    org: &Org,
    (to, to_name): (&str, &str),
    inviter: &str,
    now: Timestamp,
) -> Mail {
    let vars = Vars {
        org: &org.name,
        inviter,
        recipient: to_name,
        email: to,
        message: "",
        expires: "",
        link: "",
    };
    Mail {
        id,
        org: org.id,
        to: to.to_string(),
        to_name: to_name.to_string(),
        kind,
        subject: subject(kind, &vars),
        status: MailStatus::Queued,
        attempts: 0,
        last_error: String::new(),
        created: now,
        updated: now,
    }
}

/// Whether a queued message is still worth sending: its invitation still pending, its
/// reset still unused and unexpired. `Err` says why not (recorded as the failure).
pub fn still_wanted(dir: &Directory, mail: &Mail, now: Timestamp) -> Result<(), String> {
    // A resend makes a new link and a new message: the older one's link no longer works.
    if let Some(newer) = dir
        .mails
        .range(MailId(mail.id.0 + 1)..)
        .map(|(_, m)| m)
        .find(|m| m.kind == mail.kind)
    {
        return Err(format!("replaced by mail {} with a new link", newer.id));
    }
    match mail.kind {
        MailKind::Invitation { invitation } => match dir.invitations.get(&invitation) {
            Some(i) if i.status_at(now) == InvitationStatus::Pending => Ok(()),
            Some(i) => Err(format!(
                "invitation {} is {}: the link would not work",
                i.id,
                i.status_at(now).as_str()
            )),
            None => Err(format!("invitation {invitation} no longer exists")),
        },
        MailKind::PasswordReset { reset } => match dir.resets.get(&reset) {
            Some(r) if !r.used && now < r.expires => Ok(()),
            Some(r) if r.used => Err(format!(
                "reset {} was used or replaced by a newer one",
                r.id
            )),
            Some(r) => Err(format!("reset {} expired", r.id)),
            None => Err(format!("reset {reset} no longer exists")),
        },
    }
}

/// Who may see (and retry) the outbox: those who send its mail, with `members.invite`
/// or `members.manage` (recipients and subjects only: the store has no bodies).
pub fn can_see_outbox(dir: &Directory, who: &Principal, org: OrgId, now: Timestamp) -> bool {
    let p = super::policy::org_permissions(dir, who, org, now);
    p.contains(super::perms::MEMBERS_INVITE) || p.contains(super::perms::MEMBERS_MANAGE)
}

/// The outbox of one organisation, newest first.
pub fn outbox(dir: &Directory, org: OrgId) -> Vec<&Mail> {
    let mut v: Vec<&Mail> = dir.mails.values().filter(|m| m.org == org).collect();
    v.reverse();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(name: &'a str) -> Vars<'a> {
        Vars {
            org: "Acme",
            inviter: "alice@acme.example",
            recipient: name,
            email: "bob@acme.example",
            message: "",
            expires: "2026-12-01 10:00 UTC",
            link: "https://x/invitations/accept#s3cr3t",
        }
    }

    #[test]
    fn placeholders_are_filled_once_and_unknown_ones_kept() {
        let v = vars("{link}");
        assert_eq!(
            render("hi {recipient} {nope} {", &v, false),
            "hi {link} {nope} {"
        );
        assert_eq!(render("{org}{org}", &v, false), "AcmeAcme");
    }

    #[test]
    fn a_subject_cannot_break_into_a_new_header() {
        let v = vars("Bob\r\nBcc: evil@x");
        let s = render("Hello {recipient}", &v, true);
        assert!(!s.contains('\n') && !s.contains('\r'), "{s:?}");
    }

    #[test]
    fn the_shipped_templates_have_a_subject_and_a_link() {
        for t in [INVITATION_TEMPLATE, RESET_TEMPLATE] {
            let (subject, body) = split(t);
            assert!(!subject.is_empty() && !subject.contains("{link}"));
            assert!(body.contains("{link}") && body.contains("{expires}"));
        }
    }
}
