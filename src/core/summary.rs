//! One line of plain words per event, for the audit trail in the CLI and the TUI.
//! Names are looked up in the current directory; what is gone shows by id.

use super::directory::Directory;
use super::event::{Event, Recorded};
use super::query::{account_label, role_name};

pub fn summary(dir: &Directory, rec: &Recorded) -> String {
    let acc = |id| account_label(dir, id);
    let role = |id| role_name(dir, id);
    let group = |id| {
        dir.groups
            .get(&id)
            .map(|g| g.name.clone())
            .unwrap_or_else(|| format!("{id}"))
    };
    let program = |id| {
        dir.programs
            .get(&id)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| format!("{id}"))
    };
    let until = |u: &Option<jiff::Timestamp>| u.map(|u| format!(" until {u}")).unwrap_or_default();
    use Event::*;
    match &rec.event {
        OrgCreated { org, .. } => format!("created organisation {} ({})", org.name, org.slug),
        OrgProfileUpdated { name, .. } => format!("updated the organisation profile ({name})"),
        OrgSettingsUpdated { settings, .. } => format!(
            "changed settings: approval {}, registration {}, invitations {}h, resets {}h",
            if settings.approval_required {
                "required"
            } else {
                "not required"
            },
            if settings.open_registration {
                "open"
            } else {
                "closed"
            },
            settings.invitation_ttl_hours,
            settings.reset_ttl_hours
        ),
        OwnershipTransferred { from, to, .. } => {
            format!("transferred ownership from {} to {}", acc(*from), acc(*to))
        }
        AccountCreated { account, origin } => {
            let how = match origin {
                super::event::Origin::Founder => "as the organisation's owner".to_string(),
                super::event::Origin::Registered => "by registration".to_string(),
                super::event::Origin::Added => "directly".to_string(),
                super::event::Origin::Invited { invitation } => {
                    format!("from invitation {invitation}")
                }
            };
            format!("created account {} {how}", account.email)
        }
        AccountEdited { account, email, .. } => format!("edited {} ({email})", acc(*account)),
        AccountVerified { account } => format!("verified {}", acc(*account)),
        AccountEnabled { account } => format!("enabled {}", acc(*account)),
        AccountDisabled { account } => format!("disabled {}", acc(*account)),
        ApprovalChanged {
            account,
            approval,
            reason,
        } => {
            let r = if reason.is_empty() {
                String::new()
            } else {
                format!(": {reason}")
            };
            format!("marked {} {}{r}", acc(*account), approval.as_str())
        }
        LevelChanged { account, level } => format!("made {} {}", acc(*account), level.as_str()),
        AccountDeleted { email, .. } => format!("deleted {email}"),
        PasswordResetRequested { reset } => format!(
            "sent a password reset to {} (expires {})",
            acc(reset.account),
            reset.expires
        ),
        RoleCreated { role } => format!("created role {}", role.name),
        RoleEdited { name, .. } => format!("edited role {name}"),
        RoleDeleted { role: r } => format!("deleted role {}", role(*r)),
        RoleGranted {
            account,
            role: r,
            until: u,
        } => format!("granted {} to {}{}", role(*r), acc(*account), until(u)),
        RoleRevoked { account, role: r } => format!("revoked {} from {}", role(*r), acc(*account)),
        GroupCreated { group } => format!("created group {}", group.name),
        GroupRenamed { name, .. } => format!("renamed a group to {name}"),
        GroupDeleted { group: g } => format!("deleted group {}", group(*g)),
        GroupMemberAdded { group: g, account } => {
            format!("added {} to {}", acc(*account), group(*g))
        }
        GroupMemberRemoved { group: g, account } => {
            format!("removed {} from {}", acc(*account), group(*g))
        }
        GroupRoleGranted {
            group: g,
            role: r,
            until: u,
        } => format!("granted {} to group {}{}", role(*r), group(*g), until(u)),
        GroupRoleRevoked { group: g, role: r } => {
            format!("revoked {} from group {}", role(*r), group(*g))
        }
        ProgramCreated { program } => format!("created program {}", program.name),
        ProgramRenamed { name, .. } => format!("renamed a program to {name}"),
        ProgramDeleted { program: p } => format!("deleted program {}", program(*p)),
        ProgramRoleGranted {
            program: p,
            account,
            role: r,
            until: u,
        } => {
            format!(
                "gave {} {} in {}{}",
                acc(*account),
                role(*r),
                program(*p),
                until(u)
            )
        }
        ProgramRoleRevoked {
            program: p,
            account,
            role: r,
        } => format!(
            "took {} from {} in {}",
            role(*r),
            acc(*account),
            program(*p)
        ),
        ProgramOwnerChanged {
            program: p,
            from,
            to,
        } => format!(
            "made {} owner of {} instead of {}",
            acc(*to),
            program(*p),
            acc(*from)
        ),
        ContractCreated { contract } => format!(
            "created contract {} for {} with {}",
            contract.id,
            contract.product,
            crate::core::wording::count(contract.seats, "seat")
        ),
        ContractStatusChanged { contract, status } => {
            format!("set contract {contract} {}", status.as_str())
        }
        ContractSeatsChanged { contract, seats } => {
            format!(
                "set contract {contract} to {}",
                crate::core::wording::count(*seats, "seat")
            )
        }
        InvitationSent { invitation } => format!(
            "invited {} (expires {})",
            invitation.email, invitation.expires
        ),
        InvitationAccepted {
            invitation,
            account,
        } => format!("{} accepted invitation {invitation}", acc(*account)),
        InvitationRevoked { invitation } => format!("revoked invitation {invitation}"),
        InvitationResent {
            invitation,
            expires,
            ..
        } => format!("resent invitation {invitation} (expires {expires})"),
        InvitationExpired { invitation } => format!("invitation {invitation} expired"),
        ApprovalRequested { request } => super::query::describe_request(dir, request),
        RequestDecided {
            request,
            approved,
            reason,
            ..
        } => {
            let r = if reason.is_empty() {
                String::new()
            } else {
                format!(": {reason}")
            };
            format!(
                "{} request {request}{r}",
                if *approved { "approved" } else { "rejected" }
            )
        }
        TokenIssued { token } => {
            let whom = match &token.principal {
                super::model::Principal::Account { id } => acc(*id),
                _ => "the platform operator".to_string(),
            };
            let label = if token.label.is_empty() {
                String::new()
            } else {
                format!(" ({})", token.label)
            };
            if token.session {
                return format!("{whom} signed in (session {})", token.id);
            }
            format!("issued API token {}{label} for {whom}", token.id)
        }
        TokenRevoked { token } => format!("revoked API token {token}"),
        MailQueued { mail } => format!(
            "queued {} mail {} to {}",
            mail.kind.as_str().replace('_', " "),
            mail.id,
            mail.to
        ),
        MailSent { mail, attempts } => format!("sent mail {mail} (attempt {attempts})"),
        MailFailed {
            mail,
            attempts,
            reason,
        } => format!("gave up on mail {mail} after {attempts} attempts: {reason}"),
        MailRequeued { mail } => format!("queued mail {mail} again"),
        MailAttemptFailed {
            mail,
            attempts,
            reason,
        } => format!("attempt {attempts} at mail {mail} failed, to be retried: {reason}"),
        PasswordSet { account, reset, .. } => match reset {
            Some(r) => format!("{} set a new password with reset link {r}", acc(*account)),
            None => format!("set the password of {}", acc(*account)),
        },
    }
}

/// The serde tag of an event (`account_disabled`), for filters.
pub fn kind(event: &Event) -> String {
    serde_json::to_value(event)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(String::from))
        .unwrap_or_default()
}
