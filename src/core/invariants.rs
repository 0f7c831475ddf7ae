//! The invariants of DESIGN.md §2 as a check over a whole directory. `decide` must
//! never produce events that make this report anything; the property tests and the
//! stores (after recovery or a copy) call it to prove that.

use super::directory::Directory;
use super::ids::OrgId;
use super::model::*;
use super::policy;
use jiff::Timestamp;
use std::collections::{HashMap, HashSet};

/// What checking some of the accounts found: the broken rules, in words, and the
/// owners met, by organisation (whether each organisation has exactly one is only
/// known once every account is checked).
pub struct AccountFindings<'a> {
    out: Vec<String>,
    owners: HashMap<OrgId, Vec<&'a Account>>,
}

/// Every broken invariant, in words; empty when the directory is sound.
pub fn violations(dir: &Directory, now: Timestamp) -> Vec<String> {
    let all = check_accounts(dir, now, dir.accounts.values().map(|a| &**a));
    violations_with(dir, now, vec![all])
}

/// The per-account rules for `accounts` (some of `dir`'s). The accounts can be split
/// in parts checked apart (on several threads: at a million accounts this pass is most
/// of the check) and the parts handed, in the accounts' order, to `violations_with`,
/// which then reports exactly what `violations` would.
pub fn check_accounts<'a>(
    dir: &'a Directory,
    now: Timestamp,
    accounts: impl Iterator<Item = &'a Account>,
) -> AccountFindings<'a> {
    let mut out = vec![];
    // One pass over the accounts for every organisation at once: a pass per
    // organisation cost O(orgs × accounts) at load, and each account's email was
    // lowercased into a set only to find the duplicates the email index finds anyway.
    let mut owners: HashMap<OrgId, Vec<&Account>> = HashMap::new();
    for a in accounts {
        let Some(org) = dir.orgs.get(&a.org) else {
            out.push(format!(
                "{} belongs to {}, which does not exist",
                a.id, a.org
            ));
            continue;
        };
        if a.level == Level::Owner {
            owners.entry(a.org).or_default().push(a);
        }
        // The index holds one account per (org, email key); another account under
        // this one's key is a duplicate (the keys themselves are compared).
        match dir.email_index_check(a) {
            Ok(()) => {}
            Err(Some(_)) => out.push(format!("{} appears twice in {}", a.email, org.slug)),
            Err(None) => out.push(format!("email index is wrong for {}", a.email)),
        }
        if a.level >= Level::Admin && !a.verified {
            out.push(format!(
                "{} is {} but not verified",
                a.email,
                a.level.as_str()
            ));
        }
        // Only an inactive account's permissions are in question; computing them
        // for every active one made opening a large store check nothing at length.
        if !a.active() && !policy::effective(dir, a, now).granted.is_empty() {
            out.push(format!("{} is inactive yet holds permissions", a.email));
        }
        for g in &a.roles {
            match dir.roles.get(&g.role) {
                Some(r) if r.org == a.org && r.scope == Scope::Org => {}
                _ => out.push(format!(
                    "{} holds a role {} that is not an organisation role of its own",
                    a.email, g.role
                )),
            }
        }
    }
    AccountFindings { out, owners }
}

/// Every broken invariant, given what `check_accounts` found in every account of `dir`
/// (the parts in the accounts' order, together covering each account once).
pub fn violations_with(
    dir: &Directory,
    now: Timestamp,
    parts: Vec<AccountFindings<'_>>,
) -> Vec<String> {
    violations_from(dir, now, parts, check_others(dir))
}

/// `violations_with`, given also what `check_others` found in `dir`.
pub fn violations_from(
    dir: &Directory,
    now: Timestamp,
    parts: Vec<AccountFindings<'_>>,
    others: Others,
) -> Vec<String> {
    let mut out = vec![];
    let mut owners: HashMap<OrgId, Vec<&Account>> = HashMap::new();
    for part in parts {
        out.extend(part.out);
        for (org, mut found) in part.owners {
            owners.entry(org).or_default().append(&mut found);
        }
    }
    // Every account holds its own entry (above); more entries than accounts means
    // some point at accounts that are gone.
    if dir.email_index_len() > dir.accounts.len() {
        out.push(format!(
            "email index holds {} entries for {} accounts",
            dir.email_index_len(),
            dir.accounts.len()
        ));
    }
    for org in dir.orgs.values() {
        let owners = owners.remove(&org.id).unwrap_or_default();
        if owners.len() != 1 {
            out.push(format!("{} has {} owners", org.slug, owners.len()));
        }
        for o in owners {
            if !(o.enabled && o.approval == Approval::Approved && o.verified) {
                out.push(format!(
                    "owner {} of {} is not enabled, approved and verified",
                    o.email, org.slug
                ));
            }
        }
        // Role names are unique per organisation (ASCII case-insensitive, as `decide`
        // checks them): people and the CLI name roles, so two with one name would make
        // "grant Reports" ambiguous.
        let mut names = HashSet::new();
        for role in dir.roles_of(org.id) {
            if !names.insert(role.name.trim().to_ascii_lowercase()) {
                out.push(format!("two roles of {} are named {}", org.slug, role.name));
            }
        }
        for role in dir.roles_of(org.id) {
            if let Some(product) = &role.gate {
                let held = policy::holders(dir, role, now).len();
                let Some(seats) = policy::seat_capacity(dir, org.id, product) else {
                    continue;
                };
                if held > seats as usize {
                    out.push(format!(
                        "{} is held by {held} accounts but {product} has {seats} seats",
                        role.name
                    ));
                }
            }
        }
    }
    out.extend(others.0);
    out
}

/// What `check_others` found: the rules about everything but accounts and
/// organisations, which need no account's findings and can be checked at the same time
/// as the accounts.
pub struct Others(Vec<String>);

/// The rules about programs, groups, invitations and what belongs to which
/// organisation, in words.
pub fn check_others(dir: &Directory) -> Others {
    let mut out = vec![];
    for p in dir.programs.values() {
        match dir.accounts.get(&p.owner) {
            Some(o) if o.org == p.org && o.enabled => {}
            _ => out.push(format!(
                "program {} has no enabled owner in its organisation",
                p.name
            )),
        }
        for (a, grants) in &p.grants {
            if dir.accounts.get(a).is_none_or(|x| x.org != p.org) {
                out.push(format!(
                    "program {} has a contact {a} outside its organisation",
                    p.name
                ));
            }
            for g in grants {
                if dir
                    .roles
                    .get(&g.role)
                    .is_none_or(|r| r.scope != Scope::Program || r.org != p.org)
                {
                    out.push(format!(
                        "program {} grants {} which is not one of its program roles",
                        p.name, g.role
                    ));
                }
            }
        }
    }
    for g in dir.groups.values() {
        for m in &g.members {
            if dir.accounts.get(m).is_none_or(|a| a.org != g.org) {
                out.push(format!(
                    "group {} has a member {m} outside its organisation",
                    g.name
                ));
            }
        }
        for grant in &g.roles {
            if dir
                .roles
                .get(&grant.role)
                .is_none_or(|r| r.org != g.org || r.scope != Scope::Org)
            {
                out.push(format!(
                    "group {} holds a role {} that is not an organisation role of its own",
                    g.name, grant.role
                ));
            }
        }
    }
    for i in dir.invitations.values() {
        if i.status == InvitationStatus::Accepted && i.account.is_none() {
            out.push(format!(
                "invitation {} is accepted without an account",
                i.id
            ));
        }
    }
    // Everything belongs to an organisation that exists: `decide` relies on it, so a
    // snapshot read from disk that breaks this must be refused, not used.
    // Ids are named only when something is wrong: formatting each of a million up
    // front cost more than the check itself.
    use std::fmt::Display;
    // (Accounts are checked in their own pass above.)
    let owned = (dir.roles.values().map(|r| (r.org, &r.id as &dyn Display)))
        .chain(dir.groups.values().map(|g| (g.org, &g.id as &dyn Display)))
        .chain(
            dir.programs
                .values()
                .map(|p| (p.org, &p.id as &dyn Display)),
        )
        .chain(
            dir.contracts
                .values()
                .map(|c| (c.org, &c.id as &dyn Display)),
        )
        .chain(
            dir.invitations
                .values()
                .map(|i| (i.org, &i.id as &dyn Display)),
        )
        .chain(
            dir.requests
                .values()
                .map(|r| (r.org, &r.id as &dyn Display)),
        )
        .chain(dir.resets.values().map(|r| (r.org, &r.id as &dyn Display)));
    for (org, id) in owned {
        if !dir.orgs.contains_key(&org) {
            out.push(format!("{id} belongs to {org}, which does not exist"));
        }
    }
    let accepted: Vec<_> = dir.invitations.values().filter_map(|i| i.account).collect();
    if accepted.len() != accepted.iter().collect::<HashSet<_>>().len() {
        out.push("an account was created by two invitations".into());
    }
    Others(out)
}
