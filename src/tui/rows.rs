//! The rows of each tab, copied out of the directory as owned values (shared where a
//! million copies would cost), with how each sorts and what the `/` filter searches.

use super::item::{Item, SortPrefix};
use crate::core::policy::{self};
use crate::core::query::{self, AccountSort};
use crate::core::*;
use jiff::Timestamp;
use std::cmp::Ordering;

pub(super) fn lower(s: &str) -> String {
    s.to_lowercase()
}

#[derive(Clone, Debug)]
pub struct UserRow {
    /// The directory's own account (shared, not copied: a million rows would double
    /// the console's memory).
    pub account: std::sync::Arc<Account>,
    /// The level in the organisation's own words ("Main Corporate Contact"), shared by
    /// every row of that level rather than copied into each.
    pub level_name: std::sync::Arc<str>,
}

/// The texts `compare_accounts` orders by for sort column `c`, before the id that
/// breaks its ties (`None`: a column compared otherwise).
fn sort_parts(a: &Account, c: usize) -> Option<([&str; 3], usize)> {
    match AccountSort::ALL.get(c).copied().unwrap_or_default() {
        AccountSort::Name => Some(([&a.last_name, &a.first_name, ""], 2)),
        AccountSort::Email => Some(([&a.email, &a.last_name, &a.first_name], 3)),
        _ => None,
    }
}

impl Item for UserRow {
    type Key = AccountId;
    fn key(&self) -> AccountId {
        self.account.id
    }
    fn sort_names() -> &'static [&'static str] {
        &["name", "email", "level", "status", "created"]
    }
    fn compare(&self, o: &Self, c: usize) -> Ordering {
        if std::sync::Arc::ptr_eq(&self.account, &o.account) {
            // The same account (a reload shares unchanged accounts with the rows on
            // hand): equal without comparing its names char by char.
            return Ordering::Equal;
        }
        let sort = AccountSort::ALL.get(c).copied().unwrap_or_default();
        query::compare_accounts(&self.account, &o.account, sort)
    }
    fn sort_prefix(&self, c: usize) -> Option<SortPrefix> {
        // Names repeat a lot in a large tenant and most fit in 24 bytes, so sorting a
        // million rows is mostly integer comparisons.
        let a = &self.account;
        let (parts, n) = sort_parts(a, c)?;
        Some(SortPrefix::lowercase(&parts[..n], a.id.0))
    }
    fn sort_key(&self, c: usize) -> Option<Vec<u8>> {
        let a = &self.account;
        let (parts, n) = sort_parts(a, c)?;
        Some(SortPrefix::lowercase_key(&parts[..n], a.id.0))
    }
    fn search(&self, field: &mut dyn FnMut(&str)) {
        // The full name built in a reused buffer: a keystroke in a list of a million
        // would otherwise allocate a million names.
        thread_local! {
            static NAME: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        NAME.with_borrow_mut(|name| {
            name.clear();
            let a = &self.account;
            name.push_str(&a.first_name);
            if !a.first_name.is_empty() && !a.last_name.is_empty() {
                name.push(' ');
            }
            name.push_str(&a.last_name);
            field(name);
        });
        field(&self.account.email);
    }
}

#[derive(Clone, Debug)]
pub struct RoleRow {
    pub role: Role,
    pub holders: usize,
    pub groups: usize,
    pub unlocked: bool,
    pub seats: Option<u32>,
    pub pos: usize,
}

impl Item for RoleRow {
    type Key = RoleId;
    fn key(&self) -> RoleId {
        self.role.id
    }
    fn sort_names() -> &'static [&'static str] {
        &["scope", "name", "holders"]
    }
    fn compare(&self, o: &Self, c: usize) -> Ordering {
        match c {
            1 => lower(&self.role.name).cmp(&lower(&o.role.name)),
            2 => o.holders.cmp(&self.holders),
            _ => self.pos.cmp(&o.pos),
        }
    }
    fn search(&self, field: &mut dyn FnMut(&str)) {
        let r = &self.role;
        field(&r.name);
        field(&r.description);
        if let Some(g) = &r.gate {
            field(g);
        }
    }
}

#[derive(Clone, Debug)]
pub struct ContractRow {
    pub contract: Contract,
    pub org_slug: String,
    pub seats_used: usize,
    pub ends_soon: bool,
    pub in_force: bool,
    pub pos: usize,
}

impl Item for ContractRow {
    type Key = ContractId;
    fn key(&self) -> ContractId {
        self.contract.id
    }
    fn sort_names() -> &'static [&'static str] {
        &["status", "product", "end", "seats"]
    }
    fn compare(&self, o: &Self, c: usize) -> Ordering {
        let (a, b) = (&self.contract, &o.contract);
        match c {
            1 => lower(&a.product).cmp(&lower(&b.product)),
            // Open-ended contracts last.
            2 => (a.end.is_none(), a.end).cmp(&(b.end.is_none(), b.end)),
            3 => a.seats.cmp(&b.seats),
            _ => self.pos.cmp(&o.pos),
        }
    }
    fn search(&self, field: &mut dyn FnMut(&str)) {
        field(&self.contract.product);
    }
}

#[derive(Clone, Debug)]
pub struct RequestRow {
    pub request: ApprovalRequest,
    pub email: String,
    pub name: String,
    /// "bob@… asks to join", in words.
    pub what: String,
    pub pos: usize,
}

impl Item for RequestRow {
    type Key = RequestId;
    fn key(&self) -> RequestId {
        self.request.id
    }
    fn sort_names() -> &'static [&'static str] {
        &["queue", "who", "asked"]
    }
    fn compare(&self, o: &Self, c: usize) -> Ordering {
        match c {
            1 => lower(&self.email).cmp(&lower(&o.email)),
            2 => self.request.requested_at.cmp(&o.request.requested_at),
            _ => self.pos.cmp(&o.pos),
        }
    }
    fn search(&self, field: &mut dyn FnMut(&str)) {
        field(&self.name);
        field(&self.email);
        field(&self.what);
        field(&self.request.note);
    }
}

#[derive(Clone, Debug)]
pub struct GroupRow {
    /// The group, its members by id (emails are the Users tab's: copying them into
    /// every group row cost a second per load at a million accounts).
    pub group: Group,
    /// Roles as (id, name, until).
    pub roles: Vec<(RoleId, String, Option<Timestamp>)>,
}

impl Item for GroupRow {
    type Key = GroupId;
    fn key(&self) -> GroupId {
        self.group.id
    }
    fn sort_names() -> &'static [&'static str] {
        &["name", "members"]
    }
    fn compare(&self, o: &Self, c: usize) -> Ordering {
        match c {
            1 => o.group.members.len().cmp(&self.group.members.len()),
            _ => lower(&self.group.name).cmp(&lower(&o.group.name)),
        }
    }
    fn search(&self, field: &mut dyn FnMut(&str)) {
        field(&self.group.name);
    }
}

#[derive(Clone, Debug)]
pub struct Contact {
    /// The directory's own account (shared: a program of a large tenant has tens of
    /// thousands of contacts).
    pub account: std::sync::Arc<Account>,
    pub owner: bool,
    /// The contact's roles here, names shared by every contact holding the role.
    pub roles: Vec<(RoleId, std::sync::Arc<str>)>,
}

#[derive(Clone, Debug)]
pub struct ProgramRow {
    /// The program without its grants (see `contacts`).
    pub program: Program,
    pub owner_email: String,
    /// Owner first, then everyone with a grant.
    pub contacts: Vec<Contact>,
    /// How much the principal may do here (for the footer; the core decides).
    pub authority: policy::ProgramAuthority,
    /// Why the principal may not name a new owner, in the core's words.
    pub transfer_refusal: Option<String>,
}

impl Item for ProgramRow {
    type Key = ProgramId;
    fn key(&self) -> ProgramId {
        self.program.id
    }
    fn sort_names() -> &'static [&'static str] {
        &["name", "owner", "contacts", "created"]
    }
    fn compare(&self, o: &Self, c: usize) -> Ordering {
        match c {
            1 => lower(&self.owner_email).cmp(&lower(&o.owner_email)),
            2 => o.contacts.len().cmp(&self.contacts.len()),
            3 => self.program.created.cmp(&o.program.created),
            _ => lower(&self.program.name).cmp(&lower(&o.program.name)),
        }
    }
    fn search(&self, field: &mut dyn FnMut(&str)) {
        field(&self.program.name);
    }
}

#[derive(Clone, Debug)]
pub struct InvitationRow {
    /// The invitation without its secret hash: the console never needs it.
    pub invitation: Invitation,
    pub status: InvitationStatus,
    pub sent_by: String,
    /// What accepting it grants, in words.
    pub grants: Vec<String>,
    pub pos: usize,
}

impl Item for InvitationRow {
    type Key = InvitationId;
    fn key(&self) -> InvitationId {
        self.invitation.id
    }
    fn sort_names() -> &'static [&'static str] {
        &["sent", "email", "status", "expires"]
    }
    fn compare(&self, o: &Self, c: usize) -> Ordering {
        let (a, b) = (&self.invitation, &o.invitation);
        match c {
            1 => lower(&a.email).cmp(&lower(&b.email)),
            2 => self.status.cmp(&o.status),
            3 => a.expires.cmp(&b.expires),
            _ => self.pos.cmp(&o.pos),
        }
    }
    fn search(&self, field: &mut dyn FnMut(&str)) {
        let i = &self.invitation;
        field(&i.email);
        field(format!("{} {}", i.first_name, i.last_name).trim());
    }
}

#[derive(Clone, Debug)]
pub struct AuditRow {
    pub seq: u64,
    pub at: Timestamp,
    pub actor: String,
    pub kind: String,
    pub summary: String,
}

impl Item for AuditRow {
    type Key = u64;
    fn key(&self) -> u64 {
        self.seq
    }
    fn sort_names() -> &'static [&'static str] {
        &["newest", "actor", "kind"]
    }
    fn compare(&self, o: &Self, c: usize) -> Ordering {
        match c {
            1 => lower(&self.actor).cmp(&lower(&o.actor)),
            2 => self.kind.cmp(&o.kind),
            _ => o.seq.cmp(&self.seq),
        }
    }
    fn search(&self, field: &mut dyn FnMut(&str)) {
        field(&self.actor);
        field(&self.summary);
    }
    /// The trail's order is its meaning: a filter narrows it, never reorders it.
    const RANKED: bool = false;
}
