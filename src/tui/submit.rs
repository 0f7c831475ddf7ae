//! A form was submitted: its values become commands for the core (only what changed,
//! for edits), or it comes back with the reason when something does not parse.

use super::data::*;
use super::dialogs::Picker;
use super::feedback::Busy;
use super::form::Form;
use super::jobs::*;
use super::modal::*;
use super::msg::*;
use super::state::*;
use crate::core::*;
use jiff::Timestamp;

fn parse_day(s: &str) -> Result<Timestamp, String> {
    let d: jiff::civil::Date = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a date like 2026-12-31"))?;
    d.to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|e| e.to_string())
}

fn reopen(app: &mut App, mut form: Form, purpose: FormFor, note: String) -> Vec<Effect> {
    form.note = Some(note);
    app.modal = Some(Modal::Form { form, purpose });
    vec![]
}

/// Submits a form; while its save is decided or runs, the form is kept aside so a
/// refusal brings it back with every field as typed and the reason.
pub fn submit_form(app: &mut App, form: Form, purpose: FormFor) -> Vec<Effect> {
    let kept = (form.clone(), purpose.clone());
    let fx = submit(app, form, purpose);
    let saving = fx
        .iter()
        .any(|e| matches!(e, Effect::Run { .. } | Effect::Preview { .. }));
    if saving && app.retry_form.is_none() {
        app.keep_form(kept.0, kept.1);
    }
    fx
}

fn submit(app: &mut App, form: Form, purpose: FormFor) -> Vec<Effect> {
    let org = app.snap.org.id;
    match purpose {
        FormFor::EditAccount {
            id,
            version,
            before,
        } => {
            let after = AccountFields {
                first: form.text(0),
                last: form.text(1),
                email: form.text(2),
                enabled: form.on(3),
                approved: form.on(4),
            };
            let label = before.email.clone();
            let mut jobs = vec![];
            if (&after.first, &after.last, &after.email)
                != (&before.first, &before.last, &before.email)
            {
                jobs.push(job(
                    format!("{label}: names and email"),
                    Command::EditAccount {
                        account: id,
                        expected_version: version,
                        first_name: after.first.clone(),
                        last_name: after.last.clone(),
                        email: after.email.clone(),
                    },
                ));
            }
            if after.enabled != before.enabled {
                let cmd = if after.enabled {
                    Command::Enable { account: id }
                } else {
                    Command::Disable { account: id }
                };
                jobs.push(job(
                    format!(
                        "{label}: {}",
                        if after.enabled { "enable" } else { "disable" }
                    ),
                    cmd,
                ));
            }
            if after.approved != before.approved {
                let cmd = if after.approved {
                    Command::Approve { account: id }
                } else {
                    Command::Reject {
                        account: id,
                        reason: String::new(),
                    }
                };
                jobs.push(job(
                    format!(
                        "{label}: {}",
                        if after.approved {
                            "approve"
                        } else {
                            "unapprove"
                        }
                    ),
                    cmd,
                ));
            }
            if jobs.is_empty() {
                app.info("Nothing changed");
                return vec![];
            }
            super::state::note_edit(app, id);
            app.run(format!("Save {label}"), jobs, true)
        }
        FormFor::NewAccount => {
            let Some(org) = org else { return vec![] };
            let email = form.text(0);
            let cmd = Command::AddAccount {
                org,
                email: email.clone(),
                first_name: form.text(1),
                last_name: form.text(2),
                verified: form.on(3),
            };
            let fx = app.run(format!("Add {email}"), vec![job(email, cmd)], true);
            if !fx.is_empty() {
                // A bad email or a taken one: the form comes back with the reason.
                app.keep_form(form, FormFor::NewAccount);
            }
            fx
        }
        FormFor::RejectAccounts(who) => {
            let reason = form.text(0);
            let title = match who.as_slice() {
                [one] => format!("Reject {}", one.1),
                many => format!("Reject {}", plural(many.len(), "account")),
            };
            let jobs = who
                .into_iter()
                .map(|(account, l)| {
                    job(
                        l,
                        Command::Reject {
                            account,
                            reason: reason.clone(),
                        },
                    )
                })
                .collect();
            app.run(title, jobs, false)
        }
        FormFor::RejectRequests { requests, next } => {
            let reason = form.text(0);
            app.set_reselect(next.map(Reselect::Request));
            let title = match requests.as_slice() {
                [one] => format!("Reject: {}", one.1),
                many => format!("Reject {}", plural(many.len(), "request")),
            };
            let jobs = requests
                .into_iter()
                .map(|(request, l)| {
                    job(
                        l,
                        Command::Decide {
                            request,
                            approve: false,
                            reason: reason.clone(),
                        },
                    )
                })
                .collect();
            app.run(title, jobs, false)
        }
        FormFor::NewRole | FormFor::EditRole(_) => {
            let Some(org) = org else { return vec![] };
            let name = form.text(0);
            let description = form.text(1);
            let (cmd, title) = match purpose {
                FormFor::NewRole => {
                    let gate = form.text(3);
                    (
                        Command::CreateRole {
                            org,
                            name: name.clone(),
                            description,
                            scope: if form.on(2) {
                                Scope::Program
                            } else {
                                Scope::Org
                            },
                            permissions: form.checked(4).into_iter().collect(),
                            gate: (!gate.is_empty()).then_some(gate),
                        },
                        format!("Create role {name}"),
                    )
                }
                FormFor::EditRole(role) => (
                    Command::EditRole {
                        role,
                        name: name.clone(),
                        description,
                        permissions: form.checked(2).into_iter().collect(),
                    },
                    format!("Save role {name}"),
                ),
                _ => return vec![],
            };
            app.run(title, vec![job(name, cmd)], true)
        }
        FormFor::NewGroup => {
            let Some(org) = org else { return vec![] };
            let name = form.text(0);
            app.run(
                format!("Create group {name}"),
                vec![job(name.clone(), Command::CreateGroup { org, name })],
                true,
            )
        }
        FormFor::RenameGroup(group) => {
            let name = form.text(0);
            app.run(
                format!("Rename group to {name}"),
                vec![job(name.clone(), Command::RenameGroup { group, name })],
                true,
            )
        }
        FormFor::NewProgram => {
            let Some(org) = org else { return vec![] };
            let name = form.text(0);
            if matches!(app.who, Principal::Operator) {
                // The operator has no account to own it: pick the owner.
                let choices = app.account_choices(|u| u.account.active());
                let title = format!("{} of {name}", app.snap.org.terminology.program_owner);
                app.modal = Some(Modal::Picker {
                    picker: Picker::new(title, choices),
                    purpose: PickFor::ProgramOwner(name),
                });
                return vec![];
            }
            app.run(
                format!("Create {name}"),
                vec![job(
                    name.clone(),
                    Command::CreateProgram {
                        org,
                        name,
                        owner: None,
                    },
                )],
                true,
            )
        }
        FormFor::RenameProgram(program) => {
            let name = form.text(0);
            app.run(
                format!("Rename to {name}"),
                vec![job(name.clone(), Command::RenameProgram { program, name })],
                true,
            )
        }
        FormFor::NewContract => {
            let Some(org) = org else { return vec![] };
            let product = form.text(0);
            let start = match parse_day(&form.text(1)) {
                Ok(t) => t,
                Err(e) => return reopen(app, form, FormFor::NewContract, e),
            };
            let end = match form.text(2) {
                s if s.is_empty() => None,
                s => match parse_day(&s) {
                    Ok(t) => Some(t),
                    Err(e) => return reopen(app, form, FormFor::NewContract, e),
                },
            };
            let seats = match form.text(3).parse::<u32>() {
                Ok(n) => n,
                Err(_) => {
                    return reopen(
                        app,
                        form,
                        FormFor::NewContract,
                        "Seats must be a whole number".into(),
                    );
                }
            };
            app.run(
                format!("Create a {product} contract"),
                vec![job(
                    product.clone(),
                    Command::CreateContract {
                        org,
                        product,
                        start,
                        end,
                        seats,
                    },
                )],
                true,
            )
        }
        FormFor::Seats(contract) => match form.text(0).parse::<u32>() {
            Ok(seats) => app.run(
                format!("Set {seats} seats"),
                vec![job(
                    format!("{seats} seats"),
                    Command::ChangeSeats { contract, seats },
                )],
                true,
            ),
            Err(_) => reopen(
                app,
                form,
                FormFor::Seats(contract),
                "Seats must be a whole number".into(),
            ),
        },
        FormFor::AuditFilter => {
            app.audit_filter = AuditFilter {
                actor: form.text(0),
                target: form.text(1),
                kind: form.text(2),
            };
            let f = &app.audit_filter;
            let on = [("actor", &f.actor), ("text", &f.target), ("kind", &f.kind)]
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| format!("{k} ~ {v}"))
                .collect::<Vec<_>>();
            app.info(if on.is_empty() {
                "Audit: no filter".to_string()
            } else {
                format!("Audit filtered by {}", on.join(", "))
            });
            let mut fx = vec![];
            super::state::request_load_for(app, "Filtering the audit trail", &mut fx);
            fx
        }
        FormFor::OrgProfile { .. } | FormFor::OrgSettings { .. } | FormFor::CreateOrg => {
            super::org::submit(app, form, purpose)
        }
        FormFor::NewOrg => {
            let cmd = Command::CreateOrg {
                slug: form.text(0),
                name: form.text(1),
                owner_email: form.text(2),
                owner_first_name: form.text(3),
                owner_last_name: form.text(4),
                settings: None,
            };
            // The core checks it when it runs; a bad slug or email comes back in words
            // and the form stays open with what was typed.
            app.modal = Some(Modal::Form {
                form,
                purpose: FormFor::NewOrg,
            });
            app.busy = Some(Busy {
                op: 0,
                title: "Creating the organisation".into(),
                done: 0,
                total: 1,
                cancelling: false,
            });
            vec![Effect::CreateStore {
                path: app.store_path.clone(),
                setup: Setup::Org(Box::new(cmd)),
                who: app.who.clone(),
            }]
        }
    }
}
