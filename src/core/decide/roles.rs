//! Roles: creating, editing and deleting them, granting and revoking them on accounts,
//! and an account asking for one (ZITADEL's `org_member.go` with custom roles).

use super::context::{Ctx, Out, done};
use std::collections::BTreeSet;

use crate::core::command::Command;
use crate::core::error::*;
use crate::core::event::Event;
use crate::core::ids::*;
use crate::core::model::*;
use crate::core::perms;
use crate::core::validate;

/// Decides one command of this family (`decide` routes only these here).
pub(super) fn run(cx: &mut Ctx<'_>, cmd: &Command) -> Out {
    use Command::*;
    match cmd {
        CreateRole {
            org,
            name,
            description,
            scope,
            permissions,
            gate,
        } => {
            cx.org(*org)?;
            cx.need(*org, perms::ROLES_MANAGE, "create roles")?;
            let name = validate::line("role name", name, 60, true)?;
            let description = validate::line("description", description, 300, false)?;
            role_name_free(cx, *org, &name, None)?;
            check_permissions(*scope, permissions)?;
            let gate = match gate {
                Some(g) => {
                    if !cx.actor.is_operator() {
                        return forbidden("only a platform operator can tie a role to a contract");
                    }
                    Some(validate::line("product", g, 40, true)?)
                }
                None => None,
            };
            let role = Role {
                id: RoleId(cx.ids.next()),
                org: *org,
                name,
                description,
                scope: *scope,
                permissions: permissions.clone(),
                builtin: None,
                gate,
                version: 1,
            };
            cx.may_confer(&role)?;
            done(*org, vec![Event::RoleCreated { role }])
        }
        EditRole {
            role,
            name,
            description,
            permissions,
        } => {
            let r = cx.role(*role)?;
            cx.need(r.org, perms::ROLES_MANAGE, "edit roles")?;
            if r.builtin.is_some() {
                return forbidden(format!(
                    "{} is built in and cannot be edited: rename it in the organisation's terminology",
                    r.name
                ));
            }
            let name = validate::line("role name", name, 60, true)?;
            let description = validate::line("description", description, 300, false)?;
            role_name_free(cx, r.org, &name, Some(r.id))?;
            check_permissions(r.scope, permissions)?;
            let mut edited = r.clone();
            edited.permissions = permissions.clone();
            cx.may_confer(r)?;
            cx.may_confer(&edited)?;
            if name == r.name && description == r.description && *permissions == r.permissions {
                return conflict("nothing to change");
            }
            done(
                r.org,
                vec![Event::RoleEdited {
                    role: r.id,
                    name,
                    description,
                    permissions: permissions.clone(),
                }],
            )
        }
        DeleteRole { role } => {
            let r = cx.role(*role)?;
            cx.need(r.org, perms::ROLES_MANAGE, "delete roles")?;
            if r.builtin.is_some() {
                return forbidden(format!("{} is built in and cannot be deleted", r.name));
            }
            cx.may_confer(r)?;
            let has = |gs: &[Grant]| gs.iter().any(|g| g.role == r.id);
            let accounts = cx.dir.accounts_of(r.org).filter(|a| has(&a.roles)).count()
                + cx.dir
                    .programs
                    .values()
                    .filter(|p| p.org == r.org)
                    .map(|p| p.grants.values().filter(|g| has(g)).count())
                    .sum::<usize>();
            let groups = cx
                .dir
                .groups
                .values()
                .filter(|g| g.org == r.org && has(&g.roles))
                .count();
            let invitations = cx
                .dir
                .invitations
                .values()
                .filter(|i| {
                    i.status_at(cx.now) == InvitationStatus::Pending
                        && (i.roles.contains(&r.id) || i.programs.iter().any(|o| o.role == r.id))
                })
                .count();
            if accounts + groups + invitations > 0 {
                let count = crate::core::wording::count;
                return conflict(format!(
                    "{} is held by {} and {} and offered by {}: revoke it first",
                    r.name,
                    count(accounts as u64, "account"),
                    count(groups as u64, "group"),
                    count(invitations as u64, "pending invitation")
                ));
            }
            done(r.org, vec![Event::RoleDeleted { role: r.id }])
        }
        GrantRole {
            account,
            role,
            until,
        } => {
            let a = cx.account(*account)?;
            let r = cx.role(*role)?;
            cx.need(a.org, perms::ROLES_MANAGE, "grant roles")?;
            if r.org != a.org || r.scope != Scope::Org {
                return invalid(format!(
                    "{} is a program role: grant it in a program",
                    r.name
                ));
            }
            cx.may_manage(a, "grant roles to")?;
            cx.may_confer(r)?;
            cx.future(*until, "the grant")?;
            if a.roles.iter().any(|g| g.role == r.id && g.until == *until) {
                return conflict(format!("{} already holds {}", a.email, r.name));
            }
            cx.seat_for(r, a.id, &[])?;
            done(
                a.org,
                vec![Event::RoleGranted {
                    account: a.id,
                    role: r.id,
                    until: *until,
                }],
            )
        }
        RevokeRole { account, role } => {
            let a = cx.account(*account)?;
            let r = cx.role(*role)?;
            cx.need(a.org, perms::ROLES_MANAGE, "revoke roles")?;
            cx.may_manage(a, "revoke roles from")?;
            cx.may_confer(r)?;
            if !a.roles.iter().any(|g| g.role == r.id) {
                return conflict(format!("{} does not hold {}", a.email, r.name));
            }
            done(
                a.org,
                vec![Event::RoleRevoked {
                    account: a.id,
                    role: r.id,
                }],
            )
        }
        RequestRole {
            role,
            program,
            note,
        } => {
            let Some(me) = cx.actor.account else {
                return forbidden("only an account can ask for a role");
            };
            let r = cx.role(*role)?;
            let note = validate::message("note", note, 500)?;
            match (r.scope, program) {
                (Scope::Org, None) => {
                    if me.roles.iter().any(|g| g.role == r.id && g.live(cx.now)) {
                        return conflict(format!("you already hold {}", r.name));
                    }
                }
                (Scope::Program, Some(p)) => {
                    let p = cx.program(*p)?;
                    if p.grants
                        .get(&me.id)
                        .is_some_and(|gs| gs.iter().any(|g| g.role == r.id && g.live(cx.now)))
                    {
                        return conflict(format!("you already hold {} in {}", r.name, p.name));
                    }
                    if r.builtin == Some(Builtin::ProgramOwner) {
                        return invalid("ownership of a program is transferred, not requested");
                    }
                }
                (Scope::Org, Some(_)) => {
                    return invalid(format!(
                        "{} is an organisation role, not a program role",
                        r.name
                    ));
                }
                (Scope::Program, None) => {
                    return invalid(format!("{} is a program role: name the program", r.name));
                }
            }
            let kind = RequestKind::Role {
                role: r.id,
                program: *program,
            };
            if cx
                .dir
                .requests_of(me.id)
                .any(|q| q.kind == kind && q.status == RequestStatus::Pending)
            {
                return conflict(
                    "you already asked for this: the request is waiting in the approval queue",
                );
            }
            let request = ApprovalRequest {
                id: RequestId(cx.ids.next()),
                org: me.org,
                account: me.id,
                kind,
                note,
                requested_at: cx.now,
                status: RequestStatus::Pending,
                decided_by: None,
                decided_at: None,
                reason: String::new(),
            };
            done(me.org, vec![Event::ApprovalRequested { request }])
        }
        _ => unreachable!("{} is not a role command", cmd.verb()),
    }
}

fn role_name_free(cx: &Ctx<'_>, org: OrgId, name: &str, except: Option<RoleId>) -> Decision<()> {
    if cx
        .dir
        .roles_of(org)
        .any(|r| r.name.eq_ignore_ascii_case(name) && Some(r.id) != except)
    {
        return conflict(format!("a role named {name} already exists"));
    }
    Ok(())
}

fn check_permissions(scope: Scope, permissions: &BTreeSet<String>) -> Decision<()> {
    for p in permissions {
        if !perms::valid_name(p) {
            // The refusal echoes the input, so it must not carry escape sequences to a screen.
            let shown: String = p
                .chars()
                .map(|c| {
                    if validate::is_unsafe_char(c) {
                        '\u{FFFD}'
                    } else {
                        c
                    }
                })
                .collect();
            return invalid(format!(
                "'{shown}' is not a permission name (lowercase letters, digits, . _ - :)"
            ));
        }
        let program = perms::is_program_permission(p);
        if program && scope == Scope::Org {
            return invalid(format!(
                "{p} is a program permission: put it in a program role"
            ));
        }
        let known = perms::CATALOGUE.iter().any(|(k, _)| k == p);
        if !program && known && scope == Scope::Program {
            return invalid(format!(
                "{p} is an organisation permission: put it in an organisation role"
            ));
        }
    }
    Ok(())
}
