//! What each tab's action keys do: they open a dialog, or turn the selected (or
//! marked) rows into commands for the core. Nothing here decides whether something is
//! allowed: the core does, and its refusals come back in words.

use super::app::*;
use super::data::*;
use super::dialogs::{Choice, Confirm, Picker, Report};
use super::form::{CheckItem, Field, Form};
use super::keymap::Action;
use super::wizard::Wizard;
use crate::core::query::Area;
use crate::core::*;
use jiff::Timestamp;

fn job(label: impl Into<String>, cmd: Command) -> Job {
    Job {
        label: label.into(),
        cmd,
    }
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// Handles an action key that is not navigation.
pub fn act(app: &mut App, action: Action) -> Vec<Effect> {
    if action == Action::Organisation {
        return super::org::open_view(app);
    }
    if action == Action::Outbox {
        return super::outbox::open_view(app);
    }
    if app.org_view() {
        return match action {
            Action::Edit => super::org::profile_form(app),
            Action::Settings => super::org::settings_form(app),
            Action::New => super::org::create_form(app),
            _ => vec![],
        };
    }
    if action == Action::Open {
        return open_detail(app);
    }
    let fx = match app.tab {
        Area::Users => users(app, action),
        Area::Roles => roles(app, action),
        Area::Contracts => contracts(app, action),
        Area::Approvals => approvals(app, action),
        Area::Groups => groups(app, action),
        Area::Programs => programs(app, action),
        Area::Invitations => invitations(app, action),
        Area::Audit => audit(app, action),
    };
    fx.unwrap_or_default()
}

fn open_detail(app: &mut App) -> Vec<Effect> {
    let target = match app.tab {
        Area::Users => app.users.selected().map(|r| Target::User(r.account.id)),
        Area::Roles => app.roles.selected().map(|r| Target::Role(r.role.id)),
        Area::Contracts => app
            .contracts
            .selected()
            .map(|r| Target::Contract(r.contract.id)),
        Area::Approvals => app
            .requests
            .selected()
            .map(|r| Target::Request(r.request.id)),
        Area::Groups => app.groups.selected().map(|r| Target::Group(r.group.id)),
        Area::Programs => app
            .programs
            .selected()
            .map(|r| Target::Program(r.program.id)),
        Area::Invitations => app
            .invitations
            .selected()
            .map(|r| Target::Invitation(r.invitation.id)),
        Area::Audit => app.audit.selected().map(|r| Target::Event(r.seq)),
    };
    let Some(target) = target else {
        app.info("Nothing selected");
        return vec![];
    };
    app.detail = Some(DetailView {
        target,
        data: None,
        scroll: 0,
    });
    vec![super::app::detail_effect(app, target)]
}

/// Rows an action applies to: the marked ones, else the selected one (only the
/// selected one from a detail view).
fn targets<R: super::list::Item + Clone>(list: &super::list::List<R>, in_detail: bool) -> Vec<R> {
    if in_detail {
        list.selected().cloned().into_iter().collect()
    } else {
        list.targets().into_iter().cloned().collect()
    }
}

fn nothing(app: &mut App) -> Option<Vec<Effect>> {
    app.info("Nothing selected");
    Some(vec![])
}

pub fn act_invite(app: &mut App) -> Vec<Effect> {
    let Some(org) = app.snap.org.id else {
        app.error("Open an organisation first");
        return vec![];
    };
    let roles = app
        .snap
        .role_choices
        .iter()
        .filter(|r| r.scope == Scope::Org)
        .map(|r| (r.id, r.name.clone()))
        .collect();
    let program_roles: Vec<&RoleChoice> = app
        .snap
        .role_choices
        .iter()
        .filter(|r| r.scope == Scope::Program && r.builtin != Some(Builtin::ProgramOwner))
        .collect();
    let mut offers = vec![];
    for p in app.programs.all() {
        for r in &program_roles {
            offers.push((
                p.program.id,
                r.id,
                format!("{} in {}", r.name, p.program.name),
            ));
        }
    }
    let words = &app.snap.org.terminology;
    let (admin, member) = (words.admin.clone(), words.member.clone());
    app.modal = Some(Modal::Wizard(Box::new(Wizard::new(
        org,
        (&admin, &member),
        roles,
        offers,
    ))));
    vec![]
}

fn users(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let in_detail = app.detail.is_some();
    let rows = targets(&app.users, in_detail);
    let simple = |f: fn(AccountId) -> Command, verb: &str, rows: &[UserRow]| -> Vec<Job> {
        let _ = verb;
        rows.iter()
            .map(|r| job(r.account.email.clone(), f(r.account.id)))
            .collect()
    };
    let label = |rows: &[UserRow]| match rows {
        [one] => one.account.email.clone(),
        many => plural(many.len(), "account"),
    };
    let fx = match action {
        Action::Invite => return Some(act_invite(app)),
        Action::New => {
            let member = app.snap.org.terminology.member.clone();
            app.modal = Some(Modal::Form {
                form: Form::new(
                    "Add an account",
                    vec![
                        Field::text("Email", ""),
                        Field::text("First name", ""),
                        Field::text("Last name", ""),
                        Field::toggle("Email verified", false),
                    ],
                )
                .submit_label("Add")
                .with_note(&format!(
                    "The account is a {member} at once, with no invitation to accept; i invites someone instead."
                )),
                purpose: FormFor::NewAccount,
            });
            vec![]
        }
        Action::StatusFilter => {
            app.pending_only = false;
            app.sticky.clear();
            app.user_status = app.user_status.next();
            app.refilter();
            app.info(format!("Showing {} accounts", app.user_status.as_str()));
            vec![]
        }
        Action::PendingFilter => {
            app.pending_only = !app.pending_only;
            app.sticky.clear();
            app.refilter();
            app.info(if app.pending_only {
                "Showing accounts waiting for approval (p again for all)".to_string()
            } else {
                format!("Showing {} accounts", app.user_status.as_str())
            });
            vec![]
        }
        _ if rows.is_empty() => return nothing(app),
        Action::Edit => {
            let id = rows[0].account.id;
            app.open_edit_account(id, false);
            vec![]
        }
        Action::Enable => {
            app.sticky.extend(rows.iter().map(|r| r.account.id));
            let jobs = simple(|account| Command::Enable { account }, "enable", &rows);
            app.run(format!("Enable {}", label(&rows)), jobs, false)
        }
        Action::Disable => {
            app.sticky.extend(rows.iter().map(|r| r.account.id));
            let jobs = simple(|account| Command::Disable { account }, "disable", &rows);
            app.run(format!("Disable {}", label(&rows)), jobs, false)
        }
        Action::Approve => {
            let next = next_account_after(app, &rows);
            app.set_reselect(next.map(Reselect::Account));
            let jobs = simple(|account| Command::Approve { account }, "approve", &rows);
            app.run(format!("Approve {}", label(&rows)), jobs, false)
        }
        Action::Reject => {
            let who: Vec<(AccountId, String)> = rows
                .iter()
                .map(|r| (r.account.id, r.account.email.clone()))
                .collect();
            let title = format!("Reject {}", label(&rows));
            app.modal = Some(Modal::Form {
                form: Form::new(title, vec![Field::text("Reason", "")]).submit_label("Reject"),
                purpose: FormFor::RejectAccounts(who),
            });
            vec![]
        }
        Action::Verify => {
            let jobs = simple(|account| Command::Verify { account }, "verify", &rows);
            app.run(format!("Verify {}", label(&rows)), jobs, false)
        }
        Action::Promote => {
            let jobs = simple(|account| Command::Promote { account }, "promote", &rows);
            app.run(format!("Promote {}", label(&rows)), jobs, false)
        }
        Action::Demote => {
            let jobs = simple(|account| Command::Demote { account }, "demote", &rows);
            app.run(format!("Demote {}", label(&rows)), jobs, false)
        }
        Action::Reset => {
            let jobs = simple(
                |account| Command::RequestPasswordReset {
                    account,
                    secret_hash: None,
                },
                "reset",
                &rows,
            );
            app.run(
                format!("Send a password reset to {}", label(&rows)),
                jobs,
                false,
            )
        }
        Action::Transfer => {
            let (Some(org), [one]) = (app.snap.org.id, rows.as_slice()) else {
                app.error("Ownership goes to exactly one account: select one (no marks)");
                return Some(vec![]);
            };
            let owner = app.snap.org.terminology.owner.clone();
            let admin = app.snap.org.terminology.admin.clone();
            app.modal = Some(Modal::Confirm {
                dialog: Confirm {
                    title: "Transfer ownership".into(),
                    lines: vec![
                        format!(
                            "Make {} the {owner} of {}?",
                            one.account.email, app.snap.org.name
                        ),
                        format!("The current {owner} becomes {admin}."),
                    ],
                    yes: "Transfer".into(),
                    danger: true,
                },
                title: format!("Transfer ownership to {}", one.account.email),
                jobs: vec![job(
                    one.account.email.clone(),
                    Command::TransferOwnership {
                        org,
                        to: one.account.id,
                    },
                )],
            });
            vec![]
        }
        Action::Delete => {
            let enabled: Vec<&str> = rows
                .iter()
                .filter(|r| r.account.enabled)
                .map(|r| r.account.email.as_str())
                .collect();
            if !enabled.is_empty() {
                let key = app.config.keymap.key_for(&app.contexts(), Action::Disable);
                app.error(format!(
                    "Only a disabled account can be deleted: disable {} first ({key})",
                    if enabled.len() == 1 {
                        enabled[0].to_string()
                    } else {
                        plural(enabled.len(), "account")
                    }
                ));
                return Some(vec![]);
            }
            let mut lines = vec![format!("Delete {} permanently?", label(&rows))];
            lines.push("Deletion cannot be undone. Someone added again later with the same email is a new account with nothing of the old one.".into());
            app.modal = Some(Modal::Confirm {
                dialog: Confirm {
                    title: "Delete".into(),
                    lines,
                    yes: "Delete".into(),
                    danger: true,
                },
                title: format!("Delete {}", label(&rows)),
                jobs: simple(
                    |account| Command::DeleteAccount { account },
                    "delete",
                    &rows,
                ),
            });
            vec![]
        }
        _ => return None,
    };
    Some(fx)
}

/// The first visible account after the selection that is not among `rows`: where the
/// cursor goes once they are dealt with.
fn next_account_after(app: &App, rows: &[UserRow]) -> Option<AccountId> {
    let gone: Vec<AccountId> = rows.iter().map(|r| r.account.id).collect();
    (app.users.cursor..app.users.len())
        .chain((0..app.users.cursor).rev())
        .filter_map(|i| app.users.get(i))
        .map(|r| r.account.id)
        .find(|id| !gone.contains(id))
}

fn next_request_after(app: &App, done: &[RequestId]) -> Option<RequestId> {
    (app.requests.cursor..app.requests.len())
        .chain((0..app.requests.cursor).rev())
        .filter_map(|i| app.requests.get(i))
        .filter(|r| r.request.status == RequestStatus::Pending)
        .map(|r| r.request.id)
        .find(|id| !done.contains(id))
}

fn approvals(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let in_detail = app.detail.is_some();
    if action == Action::History {
        app.show_decided = !app.show_decided;
        app.refilter();
        let mut fx = vec![];
        if app.show_decided {
            // Loads leave decided requests out until they are asked for.
            app.load_for("Loading decided requests".into(), &mut fx);
        }
        app.info(if app.show_decided {
            "Showing decided requests too"
        } else {
            "Showing pending requests only"
        });
        return Some(fx);
    }
    if !matches!(action, Action::Approve | Action::Reject) {
        return None;
    }
    let rows: Vec<RequestRow> = targets(&app.requests, in_detail)
        .into_iter()
        .filter(|r| r.request.status == RequestStatus::Pending)
        .collect();
    if rows.is_empty() {
        app.info("No pending request selected");
        return Some(vec![]);
    }
    let ids: Vec<RequestId> = rows.iter().map(|r| r.request.id).collect();
    let next = next_request_after(app, &ids);
    let label = match rows.as_slice() {
        [one] => one.what.clone(),
        many => plural(many.len(), "request"),
    };
    if action == Action::Approve {
        app.set_reselect(next.map(Reselect::Request));
        let jobs = rows
            .iter()
            .map(|r| {
                job(
                    r.what.clone(),
                    Command::Decide {
                        request: r.request.id,
                        approve: true,
                        reason: String::new(),
                    },
                )
            })
            .collect();
        return Some(app.run(format!("Approve {label}"), jobs, false));
    }
    let requests = rows
        .iter()
        .map(|r| (r.request.id, r.what.clone()))
        .collect();
    app.modal = Some(Modal::Form {
        form: Form::new(format!("Reject {label}"), vec![Field::text("Reason", "")])
            .submit_label("Reject"),
        purpose: FormFor::RejectRequests { requests, next },
    });
    Some(vec![])
}

fn permission_items(on: &std::collections::BTreeSet<String>) -> Vec<CheckItem> {
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

fn roles(app: &mut App, action: Action) -> Option<Vec<Effect>> {
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
            let fx = act_invite(app);
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
                    app.modal = Some(Modal::Confirm {
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
                    });
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

fn contracts(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    if action == Action::New {
        let today = app.snap.now.map(super::text::day).unwrap_or_default();
        app.modal = Some(Modal::Form {
            form: Form::new(
                format!("New contract for {}", app.snap.org.name),
                vec![
                    Field::text("Product", ""),
                    Field::text("Starts", &today),
                    Field::text("Ends", ""),
                    Field::text("Seats", "10"),
                ],
            )
            .submit_label("Create")
            .with_note("Dates as YYYY-MM-DD; leave Ends empty for an open-ended contract."),
            purpose: FormFor::NewContract,
        });
        return Some(vec![]);
    }
    let Some(row) = app.contracts.selected().cloned() else {
        return nothing(app);
    };
    let c = &row.contract;
    let name = format!("{} contract", c.product);
    let fx = match action {
        Action::Suspend => app.run(
            format!("Suspend the {name}"),
            vec![job(
                name.clone(),
                Command::SuspendContract { contract: c.id },
            )],
            false,
        ),
        Action::Resume => app.run(
            format!("Resume the {name}"),
            vec![job(
                name.clone(),
                Command::ResumeContract { contract: c.id },
            )],
            false,
        ),
        Action::End => {
            app.modal = Some(Modal::Confirm {
                dialog: Confirm {
                    title: "End contract".into(),
                    lines: vec![
                        format!("End the {name} for good?"),
                        "Roles it unlocks stop conferring anything.".into(),
                    ],
                    yes: "End".into(),
                    danger: true,
                },
                title: format!("End the {name}"),
                jobs: vec![job(name.clone(), Command::EndContract { contract: c.id })],
            });
            vec![]
        }
        Action::Seats => {
            app.modal = Some(Modal::Form {
                form: Form::new(
                    format!("Seats of the {name} ({} used)", row.seats_used),
                    vec![Field::text("Seats", &c.seats.to_string())],
                ),
                purpose: FormFor::Seats(c.id),
            });
            vec![]
        }
        _ => return None,
    };
    Some(fx)
}

fn groups(app: &mut App, action: Action) -> Option<Vec<Effect>> {
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
        Action::Delete => {
            app.modal = Some(Modal::Confirm {
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
            });
            vec![]
        }
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

fn program_role_choices(app: &App, except: Option<RoleId>) -> Vec<Choice<Pick>> {
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

fn contact_choices(row: &ProgramRow) -> Vec<Choice<Pick>> {
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

fn programs(app: &mut App, action: Action) -> Option<Vec<Effect>> {
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
        Action::Delete => {
            app.modal = Some(Modal::Confirm {
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
            });
            vec![]
        }
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

fn invitations(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let in_detail = app.detail.is_some();
    match action {
        Action::Invite => return Some(act_invite(app)),
        Action::StatusFilter => {
            use InvitationStatus::*;
            app.invitation_status = match app.invitation_status {
                None => Some(Pending),
                Some(Pending) => Some(Accepted),
                Some(Accepted) => Some(Expired),
                Some(Expired) => Some(Revoked),
                Some(Revoked) => None,
            };
            app.refilter();
            app.info(format!(
                "Showing {} invitations",
                app.invitation_status.map(|s| s.as_str()).unwrap_or("all")
            ));
            return Some(vec![]);
        }
        _ => {}
    }
    let rows = targets(&app.invitations, in_detail);
    if rows.is_empty() {
        return nothing(app);
    }
    let label = match rows.as_slice() {
        [one] => format!("the invitation for {}", one.invitation.email),
        many => plural(many.len(), "invitation"),
    };
    let fx = match action {
        Action::Resend => {
            let jobs = rows
                .iter()
                .map(|r| {
                    job(
                        r.invitation.email.clone(),
                        Command::ResendInvitation {
                            invitation: r.invitation.id,
                            secret_hash: None,
                        },
                    )
                })
                .collect();
            app.run(format!("Resend {label}"), jobs, false)
        }
        Action::Revoke => {
            app.modal = Some(Modal::Confirm {
                dialog: Confirm {
                    title: "Revoke invitation".into(),
                    lines: vec![format!("Revoke {label}?"), "Its link stops working.".into()],
                    yes: "Revoke".into(),
                    danger: true,
                },
                title: format!("Revoke {label}"),
                jobs: rows
                    .iter()
                    .map(|r| {
                        job(
                            r.invitation.email.clone(),
                            Command::RevokeInvitation {
                                invitation: r.invitation.id,
                            },
                        )
                    })
                    .collect(),
            });
            vec![]
        }
        _ => return None,
    };
    Some(fx)
}

fn audit(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    match action {
        Action::AuditFilter => {
            let f = &app.audit_filter;
            app.modal = Some(Modal::Form {
                form: Form::new(
                    "Filter the audit trail",
                    vec![
                        Field::text("Actor", &f.actor),
                        Field::text("Target or text", &f.target),
                        Field::text("Kind", &f.kind),
                    ],
                )
                .submit_label("Apply")
                .with_note("Each filled field must appear (any case). Kind is an event type such as account_disabled."),
                purpose: FormFor::AuditFilter,
            });
            Some(vec![])
        }
        Action::Follow => {
            app.follow = !app.follow;
            if app.follow {
                app.audit.top();
            }
            app.info(if app.follow {
                "Following new events"
            } else {
                "Not following: the cursor stays put"
            });
            Some(vec![])
        }
        _ => None,
    }
}

pub fn new_org_form() -> Form {
    Form::new(
        "First organisation",
        vec![
            Field::text("Short name", ""),
            Field::text("Name", ""),
            Field::text("Owner's email", ""),
            Field::text("First name", ""),
            Field::text("Last name", ""),
        ],
    )
    .submit_label("Create")
    .with_note(
        "Short name: a slug such as acme, used with --org. The owner can do everything in it.",
    )
}

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

pub fn submit_form(app: &mut App, form: Form, purpose: FormFor) -> Vec<Effect> {
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
            super::app::note_edit(app, id);
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
            super::app::request_load_for(app, "Filtering the audit trail", &mut fx);
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
            super::app::open_org(app, id, &mut fx);
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

/// A run came back: say what happened, in the status line or a results popup.
pub fn finished(app: &mut App, report: Report) -> Vec<Effect> {
    let retry = app.take_retry_form();
    if report.stale {
        super::app::reopen_after_conflict(app);
        let reason = report
            .refused
            .first()
            .map(|r| r.1.clone())
            .unwrap_or_default();
        app.error(format!(
            "Not saved: {reason} — reloaded the current version"
        ));
        return vec![];
    }
    // The start screen's organisation form stays open until it works.
    if let Some(Modal::Form {
        purpose: FormFor::NewOrg,
        ..
    }) = &app.modal
    {
        app.modal = None;
    }
    let went_through = report.refused.is_empty() && report.failed.is_none() && !report.cancelled;
    if let Some((mut form, purpose)) = retry
        && !went_through
    {
        // Refused: the form comes back with what was typed and the reason.
        app.forget_open_slug();
        form.note = report
            .refused
            .first()
            .map(|r| r.1.clone())
            .or_else(|| report.failed.clone());
        if app.modal.is_none() {
            app.modal = Some(Modal::Form { form, purpose });
        }
    }
    let single = report.total == 1 && report.secrets.is_empty();
    if single {
        match (report.ok.first(), report.refused.first(), &report.failed) {
            (Some(_), _, _) => {
                app.ok(format!("✓ {}", report.title));
                clear_marks(app);
            }
            (_, Some((_, why)), _) => app.error(format!("✗ {}: {why}", report.title)),
            (_, _, Some(f)) => app.error(format!("✗ {}: {f}", report.title)),
            _ if report.cancelled => app.info(format!("{}: cancelled", report.title)),
            _ => {}
        }
        return vec![];
    }
    if report.refused.is_empty()
        && report.failed.is_none()
        && !report.cancelled
        && report.secrets.is_empty()
    {
        app.ok(format!("✓ {}", report.headline()));
        // Done rows are no longer marked: the next bulk action starts fresh.
        clear_marks(app);
        return vec![];
    }
    if report.refused.is_empty() && report.failed.is_none() {
        app.ok(format!("✓ {}", report.headline()));
    } else {
        app.error(report.headline());
    }
    clear_marks(app);
    app.modal = Some(Modal::Results(report));
    vec![]
}

fn clear_marks(app: &mut App) {
    app.current().clear_marks();
}
