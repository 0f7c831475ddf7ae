//! The context every command is decided in: the directory, the acting principal (already
//! checked to be allowed to act at all), the time, and the ids handed out. Its lookups
//! respect invariant 8: what the actor may not reach does not exist. The bottom of
//! `decide/`: it uses no sibling.

use crate::core::directory::Directory;
use crate::core::error::*;
use crate::core::event::Event;
use crate::core::ids::*;
use crate::core::model::*;
use jiff::Timestamp;

/// How a principal is named in the audit trail.
pub fn label(dir: &Directory, who: &Principal) -> String {
    match who {
        Principal::Operator => "operator".into(),
        Principal::Anonymous => "anonymous".into(),
        Principal::Account { id } => dir
            .accounts
            .get(id)
            .map(|a| a.email.clone())
            .unwrap_or_else(|| id.to_string()),
    }
}

/// Hands out fresh ids in order, starting from the directory's counter.
pub(super) struct Ids(pub(super) u64);
impl Ids {
    pub(super) fn next(&mut self) -> u64 {
        let id = self.0;
        self.0 += 1;
        id
    }
}

/// The acting principal, checked to be allowed to act at all.
pub(super) struct Actor<'a> {
    pub(super) who: &'a Principal,
    pub(super) account: Option<&'a Account>,
}

impl Actor<'_> {
    pub(super) fn is_operator(&self) -> bool {
        matches!(self.who, Principal::Operator)
    }
    pub(super) fn id(&self) -> Option<AccountId> {
        self.account.map(|a| a.id)
    }
    pub(super) fn level(&self) -> Option<Level> {
        self.account.map(|a| a.level)
    }
    pub(super) fn is_admin(&self) -> bool {
        self.is_operator() || self.level() >= Some(Level::Admin)
    }
}

/// The acting principal's handle on the state, for one command.
pub(super) struct Ctx<'a> {
    pub(super) dir: &'a Directory,
    pub(super) actor: Actor<'a>,
    pub(super) now: Timestamp,
    pub(super) ids: Ids,
}

/// What a command decides: the organisation it happened in, and its events.
pub(super) type Out = Decision<(Option<OrgId>, Vec<Event>)>;

pub(super) fn done(org: OrgId, events: Vec<Event>) -> Out {
    Ok((Some(org), events))
}

impl<'a> Ctx<'a> {
    // ----- lookups that respect invariant 8: what you may not reach does not exist -----

    pub(super) fn reaches(&self, org: OrgId) -> bool {
        match self.actor.who {
            Principal::Operator => true,
            Principal::Account { .. } => self.actor.account.map(|a| a.org) == Some(org),
            Principal::Anonymous => false,
        }
    }

    pub(super) fn org(&self, id: OrgId) -> Decision<&'a Org> {
        match self.dir.orgs.get(&id) {
            Some(o) if self.reaches(id) || matches!(self.actor.who, Principal::Anonymous) => Ok(o),
            _ => not_found(format!("no organisation {id}")),
        }
    }

    pub(super) fn account(&self, id: AccountId) -> Decision<&'a Account> {
        match self.dir.accounts.get(&id) {
            Some(a) if self.reaches(a.org) => Ok(a),
            _ => not_found(format!("no account {id} in your organisation")),
        }
    }

    pub(super) fn role(&self, id: RoleId) -> Decision<&'a Role> {
        match self.dir.roles.get(&id) {
            Some(r) if self.reaches(r.org) => Ok(r),
            _ => not_found(format!("no role {id} in your organisation")),
        }
    }

    pub(super) fn group(&self, id: GroupId) -> Decision<&'a Group> {
        match self.dir.groups.get(&id) {
            Some(g) if self.reaches(g.org) => Ok(g),
            _ => not_found(format!("no group {id} in your organisation")),
        }
    }

    pub(super) fn program(&self, id: ProgramId) -> Decision<&'a Program> {
        match self.dir.programs.get(&id) {
            Some(p) if self.reaches(p.org) => Ok(p),
            _ => not_found(format!("no program {id} in your organisation")),
        }
    }

    pub(super) fn contract(&self, id: ContractId) -> Decision<&'a Contract> {
        match self.dir.contracts.get(&id) {
            Some(c) if self.reaches(c.org) => Ok(c),
            _ => not_found(format!("no contract {id}")),
        }
    }

    pub(super) fn request(&self, id: RequestId) -> Decision<&'a ApprovalRequest> {
        match self.dir.requests.get(&id) {
            Some(r) if self.reaches(r.org) => Ok(r),
            _ => not_found(format!("no approval request {id} in your organisation")),
        }
    }

    pub(super) fn invitation(&self, id: InvitationId) -> Decision<&'a Invitation> {
        match self.dir.invitations.get(&id) {
            Some(i) if self.reaches(i.org) || matches!(self.actor.who, Principal::Anonymous) => {
                Ok(i)
            }
            _ => not_found(format!("no invitation {id}")),
        }
    }

    pub(super) fn words(&self, org: OrgId) -> &'a Terminology {
        &self.dir.orgs[&org].settings.terminology
    }

    // ----- permission checks -----

    pub(super) fn label(&self) -> String {
        label(self.dir, self.actor.who)
    }
}
