//! A picker answered: the choice becomes a command, or the next picker of a two-step
//! flow (who, then which role).

use super::dialogs::Picker;
use super::jobs::*;
use super::modal::*;
use super::msg::*;
use super::state::*;
use super::tabs::programs::program_role_choices;
use crate::core::*;

pub fn picked(app: &mut App, purpose: PickFor, v: Pick) -> Vec<Effect> {
    let email = |app: &App, id: AccountId| {
        app.users
            .find(id)
            .map(|u| u.account.email.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let role_name = |app: &App, id: RoleId| {
        app.snap
            .role_choices
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let group_name = |app: &App, id: GroupId| {
        app.groups
            .find(id)
            .map(|g| g.group.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let program_name = |app: &App, id: ProgramId| {
        app.programs
            .find(id)
            .map(|p| p.program.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let one = |app: &mut App, title: String, label: String, cmd: Command| {
        app.run(title, vec![job(label, cmd)], true)
    };
    match (purpose, v) {
        (PickFor::RoleGrant(role), Pick::Account(account)) => {
            let (r, e) = (role_name(app, role), email(app, account));
            one(
                app,
                format!("Grant {r} to {e}"),
                e,
                Command::GrantRole {
                    account,
                    role,
                    until: None,
                },
            )
        }
        (PickFor::RoleGrant(role), Pick::Group(group)) => {
            let (r, g) = (role_name(app, role), group_name(app, group));
            one(
                app,
                format!("Grant {r} to group {g}"),
                g,
                Command::GrantGroupRole {
                    group,
                    role,
                    until: None,
                },
            )
        }
        (PickFor::RoleRevoke(role), Pick::Account(account)) => {
            let (r, e) = (role_name(app, role), email(app, account));
            one(
                app,
                format!("Revoke {r} from {e}"),
                e,
                Command::RevokeRole { account, role },
            )
        }
        (PickFor::RoleRevoke(role), Pick::Group(group)) => {
            let (r, g) = (role_name(app, role), group_name(app, group));
            one(
                app,
                format!("Revoke {r} from group {g}"),
                g,
                Command::RevokeGroupRole { group, role },
            )
        }
        (PickFor::GroupAdd(group), Pick::Account(account)) => {
            let (g, e) = (group_name(app, group), email(app, account));
            one(
                app,
                format!("Add {e} to {g}"),
                e,
                Command::AddToGroup { group, account },
            )
        }
        (PickFor::GroupRemove(group), Pick::Account(account)) => {
            let (g, e) = (group_name(app, group), email(app, account));
            one(
                app,
                format!("Remove {e} from {g}"),
                e,
                Command::RemoveFromGroup { group, account },
            )
        }
        (PickFor::GroupGrant(group), Pick::Role(role)) => {
            let (g, r) = (group_name(app, group), role_name(app, role));
            one(
                app,
                format!("Grant {r} to group {g}"),
                r,
                Command::GrantGroupRole {
                    group,
                    role,
                    until: None,
                },
            )
        }
        (PickFor::GroupRevoke(group), Pick::Role(role)) => {
            let (g, r) = (group_name(app, group), role_name(app, role));
            one(
                app,
                format!("Revoke {r} from group {g}"),
                r,
                Command::RevokeGroupRole { group, role },
            )
        }
        (PickFor::ProgramGrantWho(program), Pick::Account(account)) => {
            let title = format!(
                "Role of {} in {}",
                email(app, account),
                program_name(app, program)
            );
            app.modal = Some(Modal::Picker {
                picker: Picker::new(title, program_role_choices(app, None)),
                purpose: PickFor::ProgramGrantRole(program, account),
            });
            vec![]
        }
        (PickFor::ProgramGrantRole(program, account), Pick::Role(role)) => {
            let (p, e, r) = (
                program_name(app, program),
                email(app, account),
                role_name(app, role),
            );
            one(
                app,
                format!("Make {e} {r} in {p}"),
                e,
                Command::GrantProgramRole {
                    program,
                    account,
                    role,
                    until: None,
                },
            )
        }
        (PickFor::ProgramChangeWho(program), Pick::Contact(account, from)) => {
            let title = format!(
                "{} in {}: {} becomes",
                email(app, account),
                program_name(app, program),
                role_name(app, from)
            );
            app.modal = Some(Modal::Picker {
                picker: Picker::new(title, program_role_choices(app, Some(from))),
                purpose: PickFor::ProgramChangeTo(program, account, from),
            });
            vec![]
        }
        (PickFor::ProgramChangeTo(program, account, from), Pick::Role(to)) => {
            let (p, e, r) = (
                program_name(app, program),
                email(app, account),
                role_name(app, to),
            );
            one(
                app,
                format!("Make {e} {r} in {p}"),
                e,
                Command::ChangeProgramRole {
                    program,
                    account,
                    from,
                    to,
                },
            )
        }
        (PickFor::ProgramRevoke(program), Pick::Contact(account, role)) => {
            let (p, e, r) = (
                program_name(app, program),
                email(app, account),
                role_name(app, role),
            );
            one(
                app,
                format!("Take {r} from {e} in {p}"),
                e,
                Command::RevokeProgramRole {
                    program,
                    account,
                    role,
                },
            )
        }
        (PickFor::ProgramTransfer(program), Pick::Account(to)) => {
            let (p, e) = (program_name(app, program), email(app, to));
            one(
                app,
                format!("Make {e} owner of {p}"),
                e,
                Command::TransferProgram { program, to },
            )
        }
        (PickFor::Org, Pick::Org(id)) => {
            let mut fx = vec![];
            super::state::open_org(app, id, &mut fx);
            fx
        }
        (PickFor::Org, Pick::NewOrg) => super::org::create_form(app),
        (PickFor::ProgramOwner(name), Pick::Account(owner)) => {
            let Some(org) = app.snap.org.id else {
                return vec![];
            };
            one(
                app,
                format!("Create {name}"),
                name.clone(),
                Command::CreateProgram {
                    org,
                    name,
                    owner: Some(owner),
                },
            )
        }
        _ => {
            app.error("That choice does not fit here");
            vec![]
        }
    }
}
