//! `decide`: given the state, who acts, what they ask and when, either the events that
//! happen or the reason it may not. Every rule of DESIGN.md §2 lives here, once: this file
//! holds the entry points, the check that the actor may act at all, and the dispatch to
//! one file per aggregate below (`decide/accounts.rs`, `decide/programs.rs`, …). The
//! families share `decide/context.rs` (lookups) and `decide/checks.rs` (permissions,
//! delegation, seats); those two sit at the bottom and use no family.

use super::command::Command;
use super::directory::Directory;
use super::error::*;
use super::event::{Event, Recorded};
use super::ids::*;
use super::model::*;
use context::{Actor, Ctx, Ids, Out};
use jiff::Timestamp;

mod accounts;
mod approvals;
mod checks;
mod context;
mod contracts;
mod credentials;
mod groups;
mod invitations;
pub use invitations::LINK_NOT_VALID;
mod mail;
mod organisations;
mod programs;
mod roles;
mod tokens;

/// Kept at its old path for the edges that compare secrets (`core::token` owns it).
pub use super::token::constant_time_eq;
pub use context::label;

/// Decides a command and numbers its events, ready to append and apply.
pub fn execute(
    dir: &Directory,
    who: &Principal,
    cmd: &Command,
    now: Timestamp,
) -> Decision<Vec<Recorded>> {
    let (org, events) = decide_in(dir, who, cmd, now)?;
    let actor_label = label(dir, who);
    Ok(events
        .into_iter()
        .enumerate()
        .map(|(i, event)| Recorded {
            seq: dir.seq + 1 + i as u64,
            at: now,
            actor: who.clone(),
            actor_label: actor_label.clone(),
            org,
            event,
        })
        .collect())
}

/// The events a command produces, or why it is refused.
pub fn decide(
    dir: &Directory,
    who: &Principal,
    cmd: &Command,
    now: Timestamp,
) -> Decision<Vec<Event>> {
    decide_in(dir, who, cmd, now).map(|(_, events)| events)
}

fn decide_in(
    dir: &Directory,
    who: &Principal,
    cmd: &Command,
    now: Timestamp,
) -> Decision<(Option<OrgId>, Vec<Event>)> {
    let account = match who {
        Principal::Account { id } => {
            let Some(a) = dir.accounts.get(id) else {
                return forbidden("your account no longer exists");
            };
            // Giving up one's own access is always allowed (signing out while disabled).
            let exempt = credentials::ends_own_access(dir, a.id, cmd);
            if !a.enabled && !exempt {
                return forbidden(format!("{} is disabled and cannot act", a.email));
            }
            match a.approval {
                _ if exempt => {}
                Approval::Pending => {
                    return forbidden(format!(
                        "{} is waiting for approval and cannot act yet",
                        a.email
                    ));
                }
                Approval::Rejected => {
                    return forbidden(format!("{} was rejected and cannot act", a.email));
                }
                Approval::Approved => {}
            }
            Some(&**a)
        }
        _ => None,
    };
    let mut cx = Ctx {
        dir,
        actor: Actor { who, account },
        now,
        ids: Ids(dir.next_id.max(1)),
    };
    run(&mut cx, cmd)
}

/// One arm per command family; each family decides its own commands.
fn run(cx: &mut Ctx<'_>, cmd: &Command) -> Out {
    use Command::*;
    match cmd {
        CreateOrg { .. }
        | UpdateOrgProfile { .. }
        | UpdateOrgSettings { .. }
        | TransferOwnership { .. } => organisations::run(cx, cmd),
        Register { .. }
        | AddAccount { .. }
        | EditAccount { .. }
        | Verify { .. }
        | Enable { .. }
        | Disable { .. }
        | Approve { .. }
        | Reject { .. }
        | Promote { .. }
        | Demote { .. }
        | DeleteAccount { .. }
        | RequestPasswordReset { .. } => accounts::run(cx, cmd),
        Invite { .. }
        | AcceptInvitation { .. }
        | RevokeInvitation { .. }
        | ResendInvitation { .. }
        | ExpireInvitations { .. } => invitations::run(cx, cmd),
        CreateRole { .. }
        | EditRole { .. }
        | DeleteRole { .. }
        | GrantRole { .. }
        | RevokeRole { .. }
        | RequestRole { .. } => roles::run(cx, cmd),
        CreateGroup { .. }
        | RenameGroup { .. }
        | DeleteGroup { .. }
        | AddToGroup { .. }
        | RemoveFromGroup { .. }
        | GrantGroupRole { .. }
        | RevokeGroupRole { .. } => groups::run(cx, cmd),
        CreateProgram { .. }
        | RenameProgram { .. }
        | DeleteProgram { .. }
        | GrantProgramRole { .. }
        | ChangeProgramRole { .. }
        | RevokeProgramRole { .. }
        | RemoveFromProgram { .. }
        | TransferProgram { .. } => programs::run(cx, cmd),
        CreateContract { .. }
        | SuspendContract { .. }
        | ResumeContract { .. }
        | EndContract { .. }
        | ChangeSeats { .. } => contracts::run(cx, cmd),
        Decide { .. } => approvals::run(cx, cmd),
        IssueToken { .. } | RevokeToken { .. } => tokens::run(cx, cmd),
        RecordMailDelivery { .. } | RecordMailAttempt { .. } | RetryMail { .. } => {
            mail::run(cx, cmd)
        }
        CompletePasswordReset { .. }
        | AcceptInvitationLink { .. }
        | StartSession { .. }
        | RevokeSessions { .. } => credentials::run(cx, cmd),
    }
}
