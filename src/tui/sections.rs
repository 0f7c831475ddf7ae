//! What a detail view is about (`Target`) and what it shows: a title and sections of
//! label/value lines (`Detail`, `Section`). Plain data, filled by `details` and
//! `outbox_detail`, drawn by `view::detail`.

use crate::core::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    User(AccountId),
    Role(RoleId),
    Contract(ContractId),
    Request(RequestId),
    Group(GroupId),
    Program(ProgramId),
    Invitation(InvitationId),
    Event(u64),
    /// The organisation itself: profile, settings, terminology.
    Org(OrgId),
    /// The organisation's outbox (`M`).
    Outbox(OrgId),
    /// One message of the outbox, whole when it is kept on this machine.
    OutboxMessage(OrgId, MailId),
}

/// A detail view: a title and sections of label/value lines.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Detail {
    pub title: String,
    pub sections: Vec<Section>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Section {
    pub title: String,
    pub lines: Vec<(String, String)>,
}

impl Section {
    pub(super) fn new(title: impl Into<String>) -> Self {
        Section {
            title: title.into(),
            lines: vec![],
        }
    }
    pub(super) fn kv(&mut self, k: impl Into<String>, v: impl Into<String>) {
        self.lines.push((k.into(), v.into()));
    }
    pub(super) fn line(&mut self, v: impl Into<String>) {
        self.lines.push((String::new(), v.into()));
    }
    pub(super) fn or_none(mut self, what: &str) -> Self {
        if self.lines.is_empty() {
            self.line(format!("({what})"));
        }
        self
    }
}
