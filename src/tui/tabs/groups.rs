//! The Groups tab's action keys: new, rename, delete, members and role grants.
//! Nothing here decides whether something is allowed: the core does.

use super::super::dialogs::{Choice, Confirm, Picker};
use super::super::form::{Field, Form};
use super::super::jobs::*;
use super::super::keymap::Action;
use super::super::modal::*;
use super::super::msg::*;
use super::super::state::*;
use crate::core::*;

pub fn groups(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    if action == Action::New {
        app.modal = Some(Modal::Form {
            form: Form::new("New group", vec![Field::text("Name", "")]).submit_label("Create"),
            purpose: FormFor::NewGroup,
        });
        return Some(vec![]);
    }
    let Some(row) = app.groups.selected().cloned() else {
        return nothing(app);
    };
    let g = &row.group;
    let fx = match action {
        Action::Edit => {
            app.modal = Some(Modal::Form {
                form: Form::new(
                    format!("Rename group {}", g.name),
                    vec![Field::text("Name", &g.name)],
                ),
                purpose: FormFor::RenameGroup(g.id),
            });
            vec![]
        }
        Action::Delete => app.confirm_first(ConfirmFirst {
            then: vec![],
            dialog: Confirm {
                title: "Delete group".into(),
                lines: vec![
                    format!("Delete the group {}?", g.name),
                    format!(
                        "Its {} lose the roles it gives.",
                        plural(g.members.len(), "member")
                    ),
                ],
                yes: "Delete".into(),
                danger: true,
            },
            title: format!("Delete group {}", g.name),
            jobs: vec![job(g.name.clone(), Command::DeleteGroup { group: g.id })],
        }),
        Action::AddMember => {
            let choices = app.account_choices(|u| !g.members.contains(&u.account.id));
            app.modal = Some(Modal::Picker {
                picker: Picker::new(format!("Add to {}", g.name), choices),
                purpose: PickFor::GroupAdd(g.id),
            });
            vec![]
        }
        Action::RemoveMember => {
            let mut choices = app.account_choices(|u| g.members.contains(&u.account.id));
            if choices.len() < g.members.len() {
                // Members the Users tab does not hold (a principal who may manage
                // groups without reading accounts): still removable, named by id.
                let shown: std::collections::BTreeSet<AccountId> = choices
                    .iter()
                    .filter_map(|c| match c.value {
                        Pick::Account(id) => Some(id),
                        _ => None,
                    })
                    .collect();
                choices.extend(g.members.iter().filter(|id| !shown.contains(id)).map(|id| {
                    Choice {
                        label: format!("account {id}"),
                        hint: String::new(),
                        value: Pick::Account(*id),
                    }
                }));
            }
            if choices.is_empty() {
                app.info(format!("{} has no members", g.name));
                return Some(vec![]);
            }
            app.modal = Some(Modal::Picker {
                picker: Picker::new(format!("Remove from {}", g.name), choices),
                purpose: PickFor::GroupRemove(g.id),
            });
            vec![]
        }
        Action::Grant => {
            let choices = app
                .snap
                .role_choices
                .iter()
                .filter(|r| r.scope == Scope::Org && !row.roles.iter().any(|x| x.0 == r.id))
                .map(|r| Choice {
                    label: r.name.clone(),
                    hint: String::new(),
                    value: Pick::Role(r.id),
                })
                .collect();
            app.modal = Some(Modal::Picker {
                picker: Picker::new(format!("Grant to group {}", g.name), choices),
                purpose: PickFor::GroupGrant(g.id),
            });
            vec![]
        }
        Action::Revoke => {
            let choices: Vec<Choice<Pick>> = row
                .roles
                .iter()
                .map(|(id, name, _)| Choice {
                    label: name.clone(),
                    hint: String::new(),
                    value: Pick::Role(*id),
                })
                .collect();
            if choices.is_empty() {
                app.info(format!("{} has no roles", g.name));
                return Some(vec![]);
            }
            app.modal = Some(Modal::Picker {
                picker: Picker::new(format!("Revoke from group {}", g.name), choices),
                purpose: PickFor::GroupRevoke(g.id),
            });
            vec![]
        }
        _ => return None,
    };
    Some(fx)
}
