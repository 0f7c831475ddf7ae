//! The Roles tab's action keys: new, edit, delete a role, grant and revoke it.
//! Nothing here decides whether something is allowed: the core does.

use super::super::dialogs::{Choice, Confirm, Picker};
use super::super::form::{CheckItem, Field, Form};
use super::super::jobs::*;
use super::super::keymap::Action;
use super::super::modal::*;
use super::super::msg::*;
use super::super::state::*;
use crate::core::*;

pub fn permission_items(on: &std::collections::BTreeSet<String>) -> Vec<CheckItem> {
    perms::CATALOGUE
        .iter()
        .map(|(p, what)| CheckItem {
            label: p.to_string(),
            hint: what.to_string(),
            on: on.contains(*p),
            value: p.to_string(),
        })
        .collect()
}

pub fn roles(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let selected = app.roles.selected().cloned();
    match action {
        Action::Invite => {
            // Seed 001: select the role(s), then "Invite user to roles": the wizard
            // opens with them checked.
            let chosen: Vec<RoleId> = targets(&app.roles, false)
                .iter()
                .filter(|r| r.role.scope == Scope::Org)
                .map(|r| r.role.id)
                .collect();
            let fx = super::super::invite::act_invite(app);
            if let Some(Modal::Wizard(w)) = app.modal.as_mut() {
                w.check_roles(&chosen);
            }
            return Some(fx);
        }
        Action::New => {
            app.modal = Some(Modal::Form {
                form: Form::new(
                    "New role",
                    vec![
                        Field::text("Name", ""),
                        Field::text("Description", ""),
                        Field::toggle("Program role", false),
                        Field::text("Needs contract", ""),
                        Field::check("Permissions", permission_items(&Default::default())),
                    ],
                )
                .submit_label("Create")
                .with_note("Needs contract: a product code (e.g. IDaaS) whose active contract unlocks the role; platform operators only."),
                purpose: FormFor::NewRole,
            });
        }
        _ => {
            let Some(row) = selected else {
                return nothing(app);
            };
            let r = &row.role;
            match action {
                Action::Edit => {
                    app.modal = Some(Modal::Form {
                        form: Form::new(
                            format!("Edit role {}", r.name),
                            vec![
                                Field::text("Name", &r.name),
                                Field::text("Description", &r.description),
                                Field::check("Permissions", permission_items(&r.permissions)),
                            ],
                        ),
                        purpose: FormFor::EditRole(r.id),
                    });
                }
                Action::Delete => {
                    return Some(app.confirm_first(ConfirmFirst {
                        then: vec![],
                        dialog: Confirm {
                            title: "Delete role".into(),
                            lines: vec![
                                format!("Delete the role {}?", r.name),
                                format!(
                                    "{} hold it now; they lose what it gives.",
                                    plural(row.holders, "account")
                                ),
                            ],
                            yes: "Delete".into(),
                            danger: true,
                        },
                        title: format!("Delete role {}", r.name),
                        jobs: vec![job(r.name.clone(), Command::DeleteRole { role: r.id })],
                    }));
                }
                Action::Grant => {
                    let mut choices =
                        app.account_choices(|u| !u.account.roles.iter().any(|g| g.role == r.id));
                    if r.scope == Scope::Org {
                        choices.extend(
                            app.groups
                                .all()
                                .iter()
                                .filter(|g| !g.roles.iter().any(|x| x.0 == r.id))
                                .map(|g| Choice {
                                    label: format!("group {}", g.group.name),
                                    hint: plural(g.group.members.len(), "member"),
                                    value: Pick::Group(g.group.id),
                                }),
                        );
                    }
                    app.modal = Some(Modal::Picker {
                        picker: Picker::new(format!("Grant {} to", r.name), choices),
                        purpose: PickFor::RoleGrant(r.id),
                    });
                }
                Action::Revoke => {
                    let mut choices =
                        app.account_choices(|u| u.account.roles.iter().any(|g| g.role == r.id));
                    choices.extend(
                        app.groups
                            .all()
                            .iter()
                            .filter(|g| g.roles.iter().any(|x| x.0 == r.id))
                            .map(|g| Choice {
                                label: format!("group {}", g.group.name),
                                hint: plural(g.group.members.len(), "member"),
                                value: Pick::Group(g.group.id),
                            }),
                    );
                    if choices.is_empty() {
                        app.info(format!(
                            "Nobody holds {} directly or through a group",
                            r.name
                        ));
                        return Some(vec![]);
                    }
                    app.modal = Some(Modal::Picker {
                        picker: Picker::new(format!("Revoke {} from", r.name), choices),
                        purpose: PickFor::RoleRevoke(r.id),
                    });
                }
                _ => return None,
            }
        }
    }
    Some(vec![])
}
