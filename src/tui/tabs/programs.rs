//! The Programs tab's action keys: new, rename, delete, contacts and ownership.
//! Nothing here decides whether something is allowed: the core does.

use super::super::data::*;
use super::super::dialogs::{Choice, Confirm, Picker};
use super::super::form::{Field, Form};
use super::super::jobs::*;
use super::super::keymap::Action;
use super::super::modal::*;
use super::super::msg::*;
use super::super::state::*;
use crate::core::*;

pub fn program_role_choices(app: &App, except: Option<RoleId>) -> Vec<Choice<Pick>> {
    app.snap
        .role_choices
        .iter()
        .filter(|r| {
            r.scope == Scope::Program
                && r.builtin != Some(Builtin::ProgramOwner)
                && Some(r.id) != except
        })
        .map(|r| Choice {
            label: r.name.clone(),
            hint: String::new(),
            value: Pick::Role(r.id),
        })
        .collect()
}

pub fn contact_choices(row: &ProgramRow) -> Vec<Choice<Pick>> {
    row.contacts
        .iter()
        .flat_map(|c| {
            c.roles.iter().map(move |(rid, rname)| Choice {
                label: c.account.email.clone(),
                hint: rname.to_string(),
                value: Pick::Contact(c.account.id, *rid),
            })
        })
        .collect()
}

pub fn programs(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let word = app.snap.org.terminology.program.clone();
    if action == Action::New {
        app.modal = Some(Modal::Form {
            form: Form::new(
                format!("New {}", word.to_lowercase()),
                vec![Field::text("Name", "")],
            )
            .submit_label("Create"),
            purpose: FormFor::NewProgram,
        });
        return Some(vec![]);
    }
    let Some(row) = app.programs.selected().cloned() else {
        return nothing(app);
    };
    let p = &row.program;
    let fx = match action {
        Action::Edit => {
            app.modal = Some(Modal::Form {
                form: Form::new(
                    format!("Rename {}", p.name),
                    vec![Field::text("Name", &p.name)],
                ),
                purpose: FormFor::RenameProgram(p.id),
            });
            vec![]
        }
        Action::Delete => app.confirm_first(ConfirmFirst {
            then: vec![],
            dialog: Confirm {
                title: format!("Delete {}", word.to_lowercase()),
                lines: vec![
                    format!("Delete {}?", p.name),
                    format!(
                        "Its {} lose their access to it.",
                        plural(row.contacts.len(), "contact")
                    ),
                ],
                yes: "Delete".into(),
                danger: true,
            },
            title: format!("Delete {}", p.name),
            jobs: vec![job(
                p.name.clone(),
                Command::DeleteProgram { program: p.id },
            )],
        }),
        Action::Grant => {
            let choices = app.account_choices(|u| u.account.enabled);
            app.modal = Some(Modal::Picker {
                picker: Picker::new(format!("Add a contact to {}", p.name), choices),
                purpose: PickFor::ProgramGrantWho(p.id),
            });
            vec![]
        }
        Action::Change | Action::Revoke => {
            let choices = contact_choices(&row);
            if choices.is_empty() {
                app.info(format!("{} has no contacts with a role to change", p.name));
                return Some(vec![]);
            }
            let (title, purpose) = if action == Action::Change {
                (
                    format!("Change whose role in {}", p.name),
                    PickFor::ProgramChangeWho(p.id),
                )
            } else {
                (
                    format!("Remove which role in {}", p.name),
                    PickFor::ProgramRevoke(p.id),
                )
            };
            app.modal = Some(Modal::Picker {
                picker: Picker::new(title, choices),
                purpose,
            });
            vec![]
        }
        Action::Transfer => {
            if let Some(why) = &row.transfer_refusal {
                let word = app.snap.org.terminology.program_owner.clone();
                app.error(format!("✗ New {word} of {}: {why}", p.name));
                return Some(vec![]);
            }
            let choices = app.account_choices(|u| u.account.active() && u.account.id != p.owner);
            let title = format!(
                "New {} of {}",
                app.snap.org.terminology.program_owner, p.name
            );
            app.modal = Some(Modal::Picker {
                picker: Picker::new(title, choices),
                purpose: PickFor::ProgramTransfer(p.id),
            });
            vec![]
        }
        _ => return None,
    };
    Some(fx)
}
