//! The checks every command family shares: permissions (`need`, `need_admin`),
//! delegation (`not_self`, `may_manage`), anti-escalation (`may_confer`), seats of gated
//! roles (`seat_for`) and grants that end in the future. Their refusals are worded once,
//! here, in the organisation's own terminology.

use super::context::Ctx;
use crate::core::error::*;
use crate::core::ids::*;
use crate::core::model::*;
use crate::core::policy;
use jiff::{SignedDuration, Timestamp};

impl Ctx<'_> {
    pub(super) fn has(&self, org: OrgId, perm: &str) -> bool {
        match self.actor.who {
            Principal::Operator => true,
            Principal::Anonymous => false,
            Principal::Account { .. } => {
                let a = self.actor.account.expect("account principal");
                a.org == org && policy::effective(self.dir, a, self.now).has(perm)
            }
        }
    }

    pub(super) fn need(&self, org: OrgId, perm: &str, doing: &str) -> Decision<()> {
        if self.has(org, perm) {
            return Ok(());
        }
        if matches!(self.actor.who, Principal::Anonymous) {
            return forbidden(format!("sign in to {doing}"));
        }
        let admin = &self.words(org).admin;
        forbidden(format!(
            "you need the {perm} permission to {doing}: ask {}",
            an(admin)
        ))
    }

    pub(super) fn need_admin(&self, org: OrgId, doing: &str) -> Decision<()> {
        if self.actor.is_admin() {
            return Ok(());
        }
        let admin = &self.words(org).admin;
        forbidden(format!("only {} can {doing}", an(admin)))
    }

    pub(super) fn not_self(&self, target: &Account, what: &str) -> Decision<()> {
        if self.actor.id() == Some(target.id) {
            return forbidden(format!("you cannot {what} yourself"));
        }
        Ok(())
    }

    /// Delegation: admins manage members and admins but never the owner; holders of a
    /// management permission who are members manage only members.
    pub(super) fn may_manage(&self, target: &Account, doing: &str) -> Decision<()> {
        let w = self.words(target.org);
        if target.level == Level::Owner && self.actor.id() != Some(target.id) {
            if self.actor.is_operator() {
                return Ok(());
            }
            return forbidden(format!(
                "{} is the {} and cannot be managed by others: only a platform operator can {doing} them",
                target.email, w.owner
            ));
        }
        if target.level == Level::Admin && !self.actor.is_admin() {
            return forbidden(format!(
                "only {} can {doing} {}, who is {}",
                an(&w.admin),
                target.email,
                an(&w.admin)
            ));
        }
        Ok(())
    }

    /// Anti-escalation: a non-admin may confer only permissions it holds itself.
    pub(super) fn may_confer(&self, role: &Role) -> Decision<()> {
        if self.actor.is_admin() || role.scope == Scope::Program {
            return Ok(());
        }
        let mine = policy::org_permissions(self.dir, self.actor.who, role.org, self.now);
        let missing: Vec<&str> = role
            .permissions
            .iter()
            .filter(|p| !mine.contains(*p))
            .map(String::as_str)
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            forbidden(format!(
                "you cannot confer {}: it carries permissions you do not hold ({})",
                role.name,
                missing.join(", ")
            ))
        }
    }

    /// Invariant 7: a gated role needs a contract in force with a free seat.
    pub(super) fn seat_for(
        &self,
        role: &Role,
        account: AccountId,
        extra: &[AccountId],
    ) -> Decision<()> {
        let Some(product) = &role.gate else {
            return Ok(());
        };
        if !policy::product_active(self.dir, role.org, product, self.now) {
            return conflict(format!(
                "{} is available only with an active {product} contract: contact the platform operator",
                role.name
            ));
        }
        let seats = policy::product_seats(self.dir, role.org, product, self.now) as usize;
        let mut holders = policy::holders(self.dir, role, self.now);
        let before = holders.len();
        holders.insert(account);
        holders.extend(extra.iter().copied());
        if holders.len() > before && holders.len() > seats {
            let taken = if seats == 0 {
                format!("the {product} contract has no seats")
            } else if seats == 1 {
                format!("the only seat of the {product} contract is taken")
            } else {
                format!("all {seats} seats of the {product} contract are taken")
            };
            return conflict(format!(
                "{taken} for {}: revoke it from someone, or ask the platform operator for more seats",
                role.name
            ));
        }
        Ok(())
    }

    pub(super) fn future(&self, until: Option<Timestamp>, what: &str) -> Decision<()> {
        match until {
            Some(u) if u <= self.now => invalid(format!("{what} must end in the future, not {u}")),
            _ => Ok(()),
        }
    }
}

/// Shared with summaries and sign-in texts, so it lives in `core::wording`.
pub(super) use crate::core::wording::an;

pub(super) fn hours(h: u32) -> SignedDuration {
    SignedDuration::from_hours(h as i64)
}
