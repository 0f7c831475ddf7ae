//! The Users tab's action keys: approve, reject, enable, disable, delete, edit and
//! add accounts, each turned into commands for the core.
//! Nothing here decides whether something is allowed: the core does.

use super::super::data::*;
use super::super::dialogs::Confirm;
use super::super::form::{Field, Form};
use super::super::jobs::*;
use super::super::keymap::Action;
use super::super::modal::*;
use super::super::msg::*;
use super::super::state::*;
use crate::core::*;

pub fn users(app: &mut App, action: Action) -> Option<Vec<Effect>> {
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
        Action::Invite => return Some(super::super::invite::act_invite(app)),
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
            let title = format!("Approve {}", label(&rows));
            // Approving a rejected account reverses an earlier decision: spelled out and
            // asked, with the rejection's date and reason where the trail shows them.
            let notes: Vec<(String, String)> = rows
                .iter()
                .filter(|r| r.account.approval == Approval::Rejected)
                .map(|r| {
                    (
                        r.account.email.clone(),
                        rejected_note(app, &r.account.email),
                    )
                })
                .collect();
            if notes.is_empty() {
                // Pending accounts: one key per decision, as in the approval queue.
                app.commit(title, jobs, false)
            } else {
                let mut plan = super::super::preview_rule::plan(title, jobs, false);
                plan.notes = notes;
                app.preview(plan)
            }
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
            app.confirm_first(ConfirmFirst {
                then: vec![],
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
            })
        }
        Action::Delete => {
            // Only a disabled account can be deleted (seed 003, the core's rule): the
            // check before the question says so at once for an enabled one, in the
            // core's words, rather than disabling it behind the administrator's back.
            let lines = vec![
                format!("Delete {} permanently?", label(&rows)),
                "Deletion cannot be undone. Someone added again later with the same email is a new account with nothing of the old one.".into(),
            ];
            let jobs: Vec<_> = rows
                .iter()
                .map(|r| {
                    job(
                        r.account.email.clone(),
                        Command::DeleteAccount {
                            account: r.account.id,
                        },
                    )
                })
                .collect();
            let then = vec![];
            app.confirm_first(ConfirmFirst {
                then,
                dialog: Confirm {
                    title: "Delete".into(),
                    lines,
                    yes: "Delete".into(),
                    danger: true,
                },
                title: format!("Delete {}", label(&rows)),
                jobs,
            })
        }
        _ => return None,
    };
    Some(fx)
}

/// The first visible account after the selection that is not among `rows`: where the
/// cursor goes once they are dealt with.
pub fn next_account_after(app: &App, rows: &[UserRow]) -> Option<AccountId> {
    let gone: Vec<AccountId> = rows.iter().map(|r| r.account.id).collect();
    (app.users.cursor..app.users.len())
        .chain((0..app.users.cursor).rev())
        .filter_map(|i| app.users.get(i))
        .map(|r| r.account.id)
        .find(|id| !gone.contains(id))
}

/// "rejected → approved; rejected 2026-11-20: not a member of staff", from the newest
/// rejection of `email` in the loaded trail (without date and reason if not loaded).
fn rejected_note(app: &App, email: &str) -> String {
    let marker = format!("marked {email} rejected");
    let found = app
        .audit
        .all()
        .iter()
        .filter(|a| a.summary.starts_with(&marker))
        .max_by_key(|a| a.seq);
    match found {
        Some(a) => {
            let reason = a.summary[marker.len()..].trim_start_matches(": ").trim();
            let date = a.at.strftime("%Y-%m-%d");
            if reason.is_empty() {
                format!("rejected → approved; rejected {date}")
            } else {
                format!("rejected → approved; rejected {date}: {reason}")
            }
        }
        None => "rejected → approved".into(),
    }
}
