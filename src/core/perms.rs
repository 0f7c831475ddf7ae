//! The permission catalogue. Permissions are strings so custom roles can carry
//! application permissions (`app:…`) next to roster's own administrative ones, which
//! are the constants below; `CATALOGUE` lists them with a description for checklists.

/// See the organisation's profile and settings.
pub const ORG_READ: &str = "org.read";
/// Change the organisation's settings (approval, terminology, link lifetimes).
pub const ORG_SETTINGS: &str = "org.settings";
/// See the list of accounts (seed 000: all users can view the list).
pub const MEMBERS_READ: &str = "members.read";
/// Invite people and add accounts.
pub const MEMBERS_INVITE: &str = "members.invite";
/// Edit, verify, enable, disable, delete accounts and send password resets.
pub const MEMBERS_MANAGE: &str = "members.manage";
/// Approve or reject pending accounts and role requests.
pub const MEMBERS_APPROVE: &str = "members.approve";
/// See roles and who holds them (seed 001: the Roles tab).
pub const ROLES_READ: &str = "roles.read";
/// Create, edit and delete custom roles; grant and revoke organisation roles.
pub const ROLES_MANAGE: &str = "roles.manage";
/// See groups.
pub const GROUPS_READ: &str = "groups.read";
/// Create, rename, delete groups and change their members and roles.
pub const GROUPS_MANAGE: &str = "groups.manage";
/// See every program of the organisation.
pub const PROGRAMS_READ: &str = "programs.read";
/// Create programs (seed 004: affiliates may add programs).
pub const PROGRAMS_CREATE: &str = "programs.create";
/// Manage every program: contacts, names, owners, deletion (corporate contacts).
pub const PROGRAMS_MANAGE: &str = "programs.manage";
/// See the organisation's contracts.
pub const CONTRACTS_READ: &str = "contracts.read";
/// See invitations.
pub const INVITATIONS_READ: &str = "invitations.read";
/// See the audit trail.
pub const AUDIT_READ: &str = "audit.read";
/// Account settings, payment information and subscriptions (seed 002).
pub const BILLING_MANAGE: &str = "billing.manage";
/// End another account's live sessions.
pub const SESSIONS_REVOKE: &str = "sessions.revoke";

/// Program permissions: held through a program role, for one program.
pub const PROGRAM_VIEW: &str = "program.view";
pub const PROGRAM_PAY: &str = "program.pay";
pub const PROGRAM_EDIT: &str = "program.edit";
pub const PROGRAM_SUBMIT: &str = "program.submit";
/// Manage the program's viewer and contributor contacts (seed 004).
pub const PROGRAM_CONTACTS: &str = "program.contacts";
/// Change program information and designate a new owner (Main Site Contact).
pub const PROGRAM_ADMIN: &str = "program.admin";
/// Application configuration settings (seed 002 ADMIN role).
pub const PROGRAM_SETTINGS: &str = "program.settings";
/// Create and edit content (seed 002 CONTENT_EDITOR role).
pub const PROGRAM_CONTENT: &str = "program.content";

/// Every permission roster itself knows, with what it allows, organisation scope first.
pub const CATALOGUE: &[(&str, &str)] = &[
    (ORG_READ, "see the organisation's profile and settings"),
    (
        ORG_SETTINGS,
        "change approval, terminology and link lifetimes",
    ),
    (MEMBERS_READ, "see the list of accounts"),
    (MEMBERS_INVITE, "invite people and add accounts"),
    (
        MEMBERS_MANAGE,
        "edit, verify, enable, disable and delete accounts; send password resets",
    ),
    (
        MEMBERS_APPROVE,
        "approve or reject pending accounts and role requests",
    ),
    (ROLES_READ, "see roles and who holds them"),
    (
        ROLES_MANAGE,
        "create, edit and delete roles; grant and revoke them",
    ),
    (GROUPS_READ, "see groups"),
    (GROUPS_MANAGE, "create and change groups"),
    (PROGRAMS_READ, "see every program"),
    (PROGRAMS_CREATE, "create programs"),
    (
        PROGRAMS_MANAGE,
        "manage every program's contacts, names and owners",
    ),
    (CONTRACTS_READ, "see contracts"),
    (INVITATIONS_READ, "see invitations"),
    (AUDIT_READ, "see the audit trail"),
    (BILLING_MANAGE, "payment information and subscriptions"),
    (SESSIONS_REVOKE, "end another account's live sessions"),
    (PROGRAM_VIEW, "view the program (program role)"),
    (PROGRAM_PAY, "pay program fees (program role)"),
    (PROGRAM_EDIT, "edit projects and answers (program role)"),
    (PROGRAM_SUBMIT, "submit the application (program role)"),
    (
        PROGRAM_CONTACTS,
        "manage viewer and contributor contacts (program role)",
    ),
    (
        PROGRAM_ADMIN,
        "change program information, name a new owner (program role)",
    ),
    (
        PROGRAM_SETTINGS,
        "application configuration settings (program role)",
    ),
    (PROGRAM_CONTENT, "create and edit content (program role)"),
];

/// What a plain member (Affiliate, Standard account, User) may do.
pub const MEMBER_BASE: &[&str] = &[ORG_READ, MEMBERS_READ, PROGRAMS_CREATE];

/// Organisation-scope permissions an admin holds (all of them; the owner adds the
/// profile and ownership transfer, which are rules, not permissions).
pub fn admin_permissions() -> impl Iterator<Item = &'static str> {
    CATALOGUE
        .iter()
        .map(|(p, _)| *p)
        .filter(|p| !p.starts_with("program."))
}

/// True for a permission that only means something inside one program.
pub fn is_program_permission(p: &str) -> bool {
    p.starts_with("program.")
}

/// A permission name is lowercase words joined by `.`, `_`, `-` or `:` (so `app:downloads`
/// works); anything else is refused so a checklist never shows garbage.
pub fn valid_name(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= 64
        && p.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-' | ':')
        })
}
