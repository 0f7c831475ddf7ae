//! The approval queue: deciding a join or role request, and the requests that approving,
//! rejecting and joining open and close.

use super::context::{Ctx, Out, done};
use super::programs;

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
        Decide {
            request,
            approve,
            reason,
        } => {
            let q = cx.request(*request)?;
            cx.need(q.org, perms::MEMBERS_APPROVE, "decide approval requests")?;
            let a = cx.account(q.account)?;
            if cx.actor.id() == Some(a.id) {
                return forbidden("you cannot decide your own request");
            }
            if q.status != RequestStatus::Pending {
                return conflict(format!(
                    "request {} was already {} by {}",
                    q.id,
                    q.status.as_str(),
                    q.decided_by.as_deref().unwrap_or("someone")
                ));
            }
            let reason = validate::message("reason", reason, 500)?;
            let by = cx.label();
            match &q.kind {
                RequestKind::Join => {
                    cx.may_manage(a, "approve")?;
                    let approval = if *approve {
                        Approval::Approved
                    } else {
                        Approval::Rejected
                    };
                    let mut events = vec![];
                    if a.approval != approval {
                        events.push(Event::ApprovalChanged {
                            account: a.id,
                            approval,
                            reason: reason.clone(),
                        });
                    }
                    events.push(Event::RequestDecided {
                        request: q.id,
                        approved: *approve,
                        by,
                        reason,
                    });
                    done(q.org, events)
                }
                RequestKind::Role { role, program } => {
                    let decided = Event::RequestDecided {
                        request: q.id,
                        approved: *approve,
                        by,
                        reason,
                    };
                    if !*approve {
                        return done(q.org, vec![decided]);
                    }
                    let Some(r) = cx.dir.roles.get(role) else {
                        return conflict("the requested role no longer exists: reject the request");
                    };
                    let grant = match program {
                        None => {
                            cx.need(q.org, perms::ROLES_MANAGE, "grant roles")?;
                            cx.may_manage(a, "grant roles to")?;
                            cx.may_confer(r)?;
                            Event::RoleGranted {
                                account: a.id,
                                role: r.id,
                                until: None,
                            }
                        }
                        Some(pid) => {
                            let Some(p) = cx.dir.programs.get(pid) else {
                                return conflict(
                                    "the program no longer exists: reject the request",
                                );
                            };
                            programs::check_program_grant(cx, p, r, Some(a))?;
                            Event::ProgramRoleGranted {
                                program: p.id,
                                account: a.id,
                                role: r.id,
                                until: None,
                            }
                        }
                    };
                    cx.seat_for(r, a.id, &[])?;
                    done(q.org, vec![grant, decided])
                }
            }
        }
        _ => unreachable!("{} is not an approval command", cmd.verb()),
    }
}

/// The join request an account waits in when its organisation requires approval
/// (registering, being added, accepting an invitation).
pub(super) fn join_request(cx: &mut Ctx<'_>, account: &Account, note: &str) -> Event {
    Event::ApprovalRequested {
        request: ApprovalRequest {
            id: RequestId(cx.ids.next()),
            org: account.org,
            account: account.id,
            kind: RequestKind::Join,
            note: note.into(),
            requested_at: cx.now,
            status: RequestStatus::Pending,
            decided_by: None,
            decided_at: None,
            reason: String::new(),
        },
    }
}

/// Approving or rejecting an account directly also decides its pending join requests.
pub(super) fn close_join_requests(
    cx: &Ctx<'_>,
    account: AccountId,
    approved: bool,
    reason: &str,
) -> Vec<Event> {
    cx.dir
        .requests_of(account)
        .filter(|r| r.kind == RequestKind::Join && r.status == RequestStatus::Pending)
        .map(|r| Event::RequestDecided {
            request: r.id,
            approved,
            by: cx.label(),
            reason: reason.into(),
        })
        .collect()
}
