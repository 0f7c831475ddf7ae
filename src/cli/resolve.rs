//! Names as people use them → the ids commands take: accounts by email, roles, groups
//! and programs by name (case-insensitive, or by id like `r5`), the rest by id (`c12`,
//! `i7`, `a3`, with or without the prefix). An unknown name is a plain refusal (exit 1).

use crate::core::*;

fn slug(dir: &Directory, org: OrgId) -> &str {
    dir.orgs
        .get(&org)
        .map(|o| o.slug.as_str())
        .unwrap_or("this organisation")
}

pub fn account<'a>(dir: &'a Directory, org: OrgId, email: &str) -> Result<&'a Account, String> {
    dir.account_by_email(org, email)
        .ok_or_else(|| format!("no account {} in {}", email.trim(), slug(dir, org)))
}

/// A role by name (case-insensitive; built-in program roles by the organisation's words)
/// or by id.
pub fn role<'a>(dir: &'a Directory, org: OrgId, name: &str) -> Result<&'a Role, String> {
    let name = name.trim();
    let by_id = name
        .parse::<RoleId>()
        .ok()
        .and_then(|id| dir.roles.get(&id))
        .filter(|r| r.org == org);
    by_id
        .or_else(|| dir.roles_of(org).find(|r| r.name.eq_ignore_ascii_case(name)))
        .ok_or_else(|| {
            if let Some(o) = dir.orgs.get(&org) {
                let t = &o.settings.terminology;
                let level = [t.owner.as_str(), t.admin.as_str(), t.member.as_str(), "owner", "admin", "member"]
                    .iter()
                    .any(|w| w.eq_ignore_ascii_case(name));
                if level {
                    return format!(
                        "{name} is a level, not a role: use `roster user promote`/`demote`, or `roster org transfer` for the {}",
                        t.owner
                    );
                }
            }
            let names: Vec<&str> = dir.roles_of(org).map(|r| r.name.as_str()).collect();
            format!("no role '{name}' in {} (roles: {})", slug(dir, org), names.join(", "))
        })
}

/// A program role: `None` means the organisation's viewer ("added to a service" alone
/// gives Reader permissions, seed 002).
pub fn program_role<'a>(
    dir: &'a Directory,
    org: OrgId,
    name: Option<&str>,
) -> Result<&'a Role, String> {
    match name {
        Some(n) => role(dir, org, n),
        None => dir
            .builtin_role(org, Builtin::Viewer)
            .ok_or_else(|| format!("{} has no viewer role", slug(dir, org))),
    }
}

pub fn group<'a>(dir: &'a Directory, org: OrgId, name: &str) -> Result<&'a Group, String> {
    let name = name.trim();
    let by_id = name
        .parse::<GroupId>()
        .ok()
        .and_then(|id| dir.groups.get(&id))
        .filter(|g| g.org == org);
    by_id
        .or_else(|| {
            dir.groups
                .values()
                .find(|g| g.org == org && g.name.eq_ignore_ascii_case(name))
        })
        .ok_or_else(|| format!("no group '{name}' in {}", slug(dir, org)))
}

pub fn program<'a>(dir: &'a Directory, org: OrgId, name: &str) -> Result<&'a Program, String> {
    let name = name.trim();
    let by_id = name
        .parse::<ProgramId>()
        .ok()
        .and_then(|id| dir.programs.get(&id))
        .filter(|p| p.org == org);
    by_id
        .or_else(|| {
            dir.programs
                .values()
                .find(|p| p.org == org && p.name.eq_ignore_ascii_case(name))
        })
        .ok_or_else(|| no_program(dir, org, name))
}

/// The refusal for a program that does not exist, or that the principal may not see.
pub fn no_program(dir: &Directory, org: OrgId, name: &str) -> String {
    let word = dir
        .orgs
        .get(&org)
        .map(|o| o.settings.terminology.program.to_lowercase());
    format!(
        "no {} '{}' in {}",
        word.as_deref().unwrap_or("program"),
        name.trim(),
        slug(dir, org)
    )
}

/// `NAME` or `NAME:ROLE` for an invitation's program offer. A program whose name itself
/// contains `:` is found by its whole name first.
pub fn program_offer(dir: &Directory, org: OrgId, spec: &str) -> Result<ProgramOffer, String> {
    let (p, r) = match (program(dir, org, spec), spec.rsplit_once(':')) {
        (Ok(p), _) => (p, program_role(dir, org, None)?),
        (Err(_), Some((p, r))) => (program(dir, org, p)?, role(dir, org, r)?),
        (Err(e), None) => return Err(e),
    };
    Ok(ProgramOffer {
        program: p.id,
        role: r.id,
    })
}

/// Parses an id and checks it exists; `org` (when known) must match so one
/// organisation's ids do not reach another's.
fn by_id<'a, I, T>(
    map: &'a std::collections::BTreeMap<I, T>,
    text: &str,
    what: &str,
    org: Option<OrgId>,
    org_of: impl Fn(&T) -> OrgId,
) -> Result<&'a T, String>
where
    I: std::str::FromStr<Err = String> + Ord,
{
    let id: I = text.trim().parse()?;
    map.get(&id)
        .filter(|t| org.is_none_or(|o| org_of(t) == o))
        .ok_or_else(|| format!("no {what} {}", text.trim()))
}

pub fn contract<'a>(
    dir: &'a Directory,
    org: Option<OrgId>,
    id: &str,
) -> Result<&'a Contract, String> {
    by_id(&dir.contracts, id, "contract", org, |c| c.org)
}

pub fn invitation<'a>(
    dir: &'a Directory,
    org: Option<OrgId>,
    id: &str,
) -> Result<&'a Invitation, String> {
    by_id(&dir.invitations, id, "invitation", org, |i| i.org)
}

pub fn request<'a>(
    dir: &'a Directory,
    org: Option<OrgId>,
    id: &str,
) -> Result<&'a ApprovalRequest, String> {
    by_id(&dir.requests, id, "approval request", org, |r| r.org)
}
