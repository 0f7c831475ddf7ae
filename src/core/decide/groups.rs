//! Groups: their names, their members, and the roles a group confers on its members.

use super::context::{Ctx, Out, done};
use crate::core::policy;
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
        CreateGroup { org, name } => {
            cx.org(*org)?;
            cx.need(*org, perms::GROUPS_MANAGE, "create groups")?;
            let name = validate::line("group name", name, 80, true)?;
            group_name_free(cx, *org, &name, None)?;
            let group = Group {
                id: GroupId(cx.ids.next()),
                org: *org,
                name,
                members: BTreeSet::new(),
                roles: vec![],
                version: 1,
            };
            done(*org, vec![Event::GroupCreated { group }])
        }
        RenameGroup { group, name } => {
            let g = cx.group(*group)?;
            cx.need(g.org, perms::GROUPS_MANAGE, "rename groups")?;
            let name = validate::line("group name", name, 80, true)?;
            group_name_free(cx, g.org, &name, Some(g.id))?;
            if name == g.name {
                return conflict("nothing to change");
            }
            done(g.org, vec![Event::GroupRenamed { group: g.id, name }])
        }
        DeleteGroup { group } => {
            let g = cx.group(*group)?;
            cx.need(g.org, perms::GROUPS_MANAGE, "delete groups")?;
            for grant in &g.roles {
                if let Some(r) = cx.dir.roles.get(&grant.role) {
                    cx.may_confer(r)?;
                }
            }
            done(g.org, vec![Event::GroupDeleted { group: g.id }])
        }
        AddToGroup { group, account } => {
            let g = cx.group(*group)?;
            let a = cx.account(*account)?;
            cx.need(g.org, perms::GROUPS_MANAGE, "change group members")?;
            if a.org != g.org {
                return not_found(format!("no account {} in your organisation", a.id));
            }
            cx.may_manage(a, "add to groups")?;
            if g.members.contains(&a.id) {
                return conflict(format!("{} is already in {}", a.email, g.name));
            }
            for grant in g.roles.iter().filter(|x| x.live(cx.now)) {
                if let Some(r) = cx.dir.roles.get(&grant.role) {
                    cx.may_confer(r)?;
                    cx.seat_for(r, a.id, &[])?;
                }
            }
            done(
                g.org,
                vec![Event::GroupMemberAdded {
                    group: g.id,
                    account: a.id,
                }],
            )
        }
        RemoveFromGroup { group, account } => {
            let g = cx.group(*group)?;
            let a = cx.account(*account)?;
            cx.need(g.org, perms::GROUPS_MANAGE, "change group members")?;
            cx.may_manage(a, "remove from groups")?;
            if !g.members.contains(&a.id) {
                return conflict(format!("{} is not in {}", a.email, g.name));
            }
            done(
                g.org,
                vec![Event::GroupMemberRemoved {
                    group: g.id,
                    account: a.id,
                }],
            )
        }
        GrantGroupRole { group, role, until } => {
            let g = cx.group(*group)?;
            let r = cx.role(*role)?;
            cx.need(g.org, perms::ROLES_MANAGE, "grant roles to groups")?;
            if r.org != g.org || r.scope != Scope::Org {
                return invalid(format!(
                    "{} is a program role: grant it in a program",
                    r.name
                ));
            }
            cx.may_confer(r)?;
            cx.future(*until, "the grant")?;
            if g.roles.iter().any(|x| x.role == r.id && x.until == *until) {
                return conflict(format!("{} already holds {}", g.name, r.name));
            }
            let members: Vec<AccountId> = g.members.iter().copied().collect();
            if let Some(first) = members.first() {
                cx.seat_for(r, *first, &members)?;
            } else if let Some(product) = &r.gate
                && !policy::product_active(cx.dir, r.org, product, cx.now)
            {
                return conflict(format!(
                    "{} is available only with an active {product} contract: contact the platform operator",
                    r.name
                ));
            }
            done(
                g.org,
                vec![Event::GroupRoleGranted {
                    group: g.id,
                    role: r.id,
                    until: *until,
                }],
            )
        }
        RevokeGroupRole { group, role } => {
            let g = cx.group(*group)?;
            let r = cx.role(*role)?;
            cx.need(g.org, perms::ROLES_MANAGE, "revoke roles from groups")?;
            cx.may_confer(r)?;
            if !g.roles.iter().any(|x| x.role == r.id) {
                return conflict(format!("{} does not hold {}", g.name, r.name));
            }
            done(
                g.org,
                vec![Event::GroupRoleRevoked {
                    group: g.id,
                    role: r.id,
                }],
            )
        }
        _ => unreachable!("{} is not a group command", cmd.verb()),
    }
}

fn group_name_free(cx: &Ctx<'_>, org: OrgId, name: &str, except: Option<GroupId>) -> Decision<()> {
    if cx
        .dir
        .groups
        .values()
        .any(|g| g.org == org && g.name.eq_ignore_ascii_case(name) && Some(g.id) != except)
    {
        return conflict(format!("a group named {name} already exists"));
    }
    Ok(())
}
