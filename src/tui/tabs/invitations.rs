//! The Invitations tab's action keys: invite, resend, revoke, the status filter.
//! Nothing here decides whether something is allowed: the core does.

use super::super::dialogs::Confirm;
use super::super::jobs::*;
use super::super::keymap::Action;
use super::super::msg::*;
use super::super::state::*;
use crate::core::*;

pub fn invitations(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let in_detail = app.detail.is_some();
    match action {
        Action::Invite => return Some(super::super::invite::act_invite(app)),
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
        Action::Revoke => app.confirm_first(ConfirmFirst {
            then: vec![],
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
        }),
        _ => return None,
    };
    Some(fx)
}
