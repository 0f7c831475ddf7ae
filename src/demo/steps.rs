//! One demo step → who acts and the core command, looked up in the current state.

use super::data::{Action, OrgSpec};
use crate::core::*;
use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;

/// What a step needs besides the state: when the demo is built (for "days from now"),
/// invitation secrets handed out so far, and how expiring invitations are made.
pub struct Env<'a> {
    /// The moment the demo is built; durations ahead count from it.
    pub base: Timestamp,
    /// The time the step runs at.
    pub now: Timestamp,
    pub secrets: &'a HashMap<(OrgId, String), String>,
    /// `Some(lifetime)` when the store's clock cannot be moved: an invitation meant to
    /// expire gets this short lifetime instead of the organisation's.
    pub short_expiry: Option<SignedDuration>,
}

/// The principal and commands of a step, or what in the data set is wrong.
pub fn commands(
    dir: &Directory,
    spec: &OrgSpec,
    by: Option<&str>,
    action: &Action,
    env: &Env,
) -> Result<Vec<(Principal, Command)>, String> {
    let org = dir
        .org_by_slug(&spec.slug)
        .ok_or_else(|| format!("organisation {} is missing", spec.slug))?;
    let o = org.id;
    let account = |email: &str| {
        dir.account_by_email(o, email)
            .map(|a| a.id)
            .ok_or_else(|| format!("no account {email}"))
    };
    let role = |name: &str| {
        dir.roles_of(o)
            .find(|r| r.name.eq_ignore_ascii_case(name))
            .map(|r| r.id)
            .ok_or_else(|| format!("no role {name}"))
    };
    let group = |name: &str| {
        dir.groups
            .values()
            .find(|g| g.org == o && g.name == name)
            .map(|g| g.id)
            .ok_or_else(|| format!("no group {name}"))
    };
    let program = |name: &str| {
        dir.programs
            .values()
            .find(|p| p.org == o && p.name == name)
            .map(|p| p.id)
            .ok_or_else(|| format!("no program {name}"))
    };
    let program_role = |name: Option<&str>| match name {
        Some(n) => role(n),
        None => dir
            .builtin_role(o, Builtin::Viewer)
            .map(|r| r.id)
            .ok_or_else(|| "no viewer role".to_string()),
    };
    let days = |d: u32| env.base + SignedDuration::from_hours(24 * i64::from(d));
    let pending_invitation = |email: &str| {
        dir.invitations
            .values()
            .find(|i| {
                i.org == o
                    && i.email.eq_ignore_ascii_case(email)
                    && i.status_at(env.now) == InvitationStatus::Pending
            })
            .map(|i| i.id)
            .ok_or_else(|| format!("no pending invitation to {email}"))
    };
    let who = match by {
        Some("operator") => Principal::Operator,
        Some(email) => Principal::Account {
            id: account(email)?,
        },
        None => match dir.owner_of(o) {
            Some(a) => Principal::Account { id: a.id },
            None => return Err(format!("{} has no owner", spec.slug)),
        },
    };
    let cmd = match action {
        Action::Register { email, first, last } => {
            let cmd = Command::Register {
                org: o,
                email: email.clone(),
                first_name: first.clone(),
                last_name: last.clone(),
            };
            return Ok(vec![(Principal::Anonymous, cmd)]);
        }
        Action::Add {
            email,
            first,
            last,
            verified,
        } => Command::AddAccount {
            org: o,
            email: email.clone(),
            first_name: first.clone(),
            last_name: last.clone(),
            verified: *verified,
        },
        Action::Verify { email } => Command::Verify {
            account: account(email)?,
        },
        Action::Approve { email } => Command::Approve {
            account: account(email)?,
        },
        Action::Reject { email, reason } => Command::Reject {
            account: account(email)?,
            reason: reason.clone(),
        },
        Action::Promote { email } => Command::Promote {
            account: account(email)?,
        },
        Action::Disable { email } => Command::Disable {
            account: account(email)?,
        },
        Action::Delete { email } => Command::DeleteAccount {
            account: account(email)?,
        },
        Action::Reset { email } => {
            // The demo mails nothing, so the secret is thrown away; only its hash is kept.
            let (_, hash) = crate::secret::new_secret().map_err(|e| e.to_string())?;
            Command::RequestPasswordReset {
                account: account(email)?,
                secret_hash: Some(hash),
            }
        }
        Action::Role {
            name,
            description,
            permissions,
            program,
            gate,
        } => Command::CreateRole {
            org: o,
            name: name.clone(),
            description: description.clone(),
            scope: if *program { Scope::Program } else { Scope::Org },
            permissions: permissions.iter().cloned().collect(),
            gate: gate.clone(),
        },
        Action::Grant {
            email,
            role: r,
            until,
        } => Command::GrantRole {
            account: account(email)?,
            role: role(r)?,
            until: until.map(days),
        },
        Action::Group { name } => Command::CreateGroup {
            org: o,
            name: name.clone(),
        },
        Action::Join { group: g, emails } => {
            let g = group(g)?;
            return emails
                .iter()
                .map(|e| {
                    Ok((
                        who.clone(),
                        Command::AddToGroup {
                            group: g,
                            account: account(e)?,
                        },
                    ))
                })
                .collect();
        }
        Action::GroupGrant { group: g, role: r } => Command::GrantGroupRole {
            group: group(g)?,
            role: role(r)?,
            until: None,
        },
        Action::Program { name } => Command::CreateProgram {
            org: o,
            name: name.clone(),
            owner: None,
        },
        Action::Contact {
            program: p,
            email,
            role: r,
            until,
        } => Command::GrantProgramRole {
            program: program(p)?,
            account: account(email)?,
            role: program_role(r.as_deref())?,
            until: until.map(days),
        },
        Action::Contract {
            product,
            seats,
            start_days,
            end_days,
        } => Command::CreateContract {
            org: o,
            product: product.clone(),
            start: env.base - SignedDuration::from_hours(24 * i64::from(*start_days)),
            end: end_days.map(days),
            seats: *seats,
        },
        Action::ContractEnd { product } => {
            let c = dir
                .contracts
                .values()
                .find(|c| c.org == o && &c.product == product && c.status != ContractStatus::Ended)
                .ok_or_else(|| format!("no running {product} contract"))?;
            Command::EndContract { contract: c.id }
        }
        Action::Invite {
            email,
            first,
            last,
            message,
            roles,
            programs,
            expire,
        } => {
            let roles = roles
                .iter()
                .map(|r| role(r))
                .collect::<Result<Vec<_>, _>>()?;
            let programs = programs
                .iter()
                .map(|spec| {
                    let (p, r) = spec
                        .rsplit_once(':')
                        .ok_or_else(|| format!("'{spec}' is not Program:Role"))?;
                    Ok(ProgramOffer {
                        program: program(p)?,
                        role: role(r)?,
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
            let hash = env
                .secrets
                .get(&(o, email.to_lowercase()))
                .map(|s| crate::secret::hash(s))
                .ok_or_else(|| format!("no secret made for {email}"))?;
            Command::Invite {
                org: o,
                email: email.clone(),
                first_name: first.clone(),
                last_name: last.clone(),
                message: message.clone(),
                level: Level::Member,
                roles,
                programs,
                expires: if *expire {
                    env.short_expiry.map(|d| env.now + d)
                } else {
                    None
                },
                secret_hash: Some(hash),
            }
        }
        Action::Accept { email } => {
            let secret = env
                .secrets
                .get(&(o, email.to_lowercase()))
                .ok_or_else(|| format!("no secret for {email}"))?;
            let cmd = Command::AcceptInvitation {
                invitation: pending_invitation(email)?,
                secret_hash: Some(crate::secret::hash(secret)),
            };
            return Ok(vec![(Principal::Anonymous, cmd)]);
        }
        Action::RevokeInvite { email } => Command::RevokeInvitation {
            invitation: pending_invitation(email)?,
        },
        Action::ExpireInvitations {} => Command::ExpireInvitations { org: o },
        Action::Request {
            role: r,
            program: p,
            note,
        } => Command::RequestRole {
            role: role(r)?,
            program: p.as_deref().map(program).transpose()?,
            note: note.clone(),
        },
        Action::Decide {
            email,
            approve,
            reason,
        } => {
            let a = account(email)?;
            let q = query::approval_queue(dir, o, false)
                .into_iter()
                .find(|q| q.account == a)
                .ok_or_else(|| format!("no pending request of {email}"))?;
            Command::Decide {
                request: q.id,
                approve: *approve,
                reason: reason.clone(),
            }
        }
        Action::Transfer { email } => Command::TransferOwnership {
            org: o,
            to: account(email)?,
        },
    };
    Ok(vec![(who, cmd)])
}
