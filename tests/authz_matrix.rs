//! Who may do what: a table of (principal, command, expected outcome) rows drawn from the
//! seed help pages, each run against a fresh copy of the shared fixture, followed by the
//! rules that need more than one step (seats, expiry, demotion) as small sequences.
//!
//! The fixture (tests/support) has organisation A (`acme`, approval required, open
//! registration) with an owner, two admins, members in every state, members holding the
//! custom "User management" and "Role manager" roles, the Portal program with its owner
//! (Main Site Contact), a contributor and a viewer, an IDaaS contract with two seats and
//! the Integrator role gated on it; and organisation B (`globex`).

mod support;

use roster::core::perms::*;
use roster::core::policy;
use roster::core::*;
use support::{Fixture, INVITE_SECRET, acct, perm_set};

/// The kinds of principal the seeds distinguish.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Operator,
    /// Main Corporate Contact (004), the one Management Contact who cannot be removed (000).
    Owner,
    /// Main User (001), admin account (003), Secondary Corporate Contact (004).
    Admin,
    /// User (001), standard account (003), Affiliate (004).
    Member,
    /// A member holding the custom "User management" account role (002).
    UserMgr,
    /// A member holding a custom role with roles.read and roles.manage.
    RoleMgr,
    /// Main Site Contact of the Portal program (004).
    ProgOwner,
    Contributor,
    Viewer,
    Pending,
    Disabled,
    /// An admin of organisation B: an admin, but of another subscription (003).
    OtherOrg,
    Anonymous,
}

fn principal(f: &Fixture, k: Kind) -> Principal {
    let id = match k {
        Kind::Operator => return Principal::Operator,
        Kind::Anonymous => return Principal::Anonymous,
        Kind::Owner => f.owner,
        Kind::Admin => f.admin,
        Kind::Member => f.member,
        Kind::UserMgr => f.usermgr,
        Kind::RoleMgr => f.rolemgr,
        Kind::ProgOwner => f.prog_owner,
        Kind::Contributor => f.contributor,
        Kind::Viewer => f.viewer,
        Kind::Pending => f.pending,
        Kind::Disabled => f.disabled,
        Kind::OtherOrg => f.b_admin,
    };
    acct(id)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Ok,
    Forbidden,
    Conflict,
    NotFound,
    Invalid,
}

fn kind_of(e: &DomainError) -> Expect {
    match e {
        DomainError::Forbidden(_) => Expect::Forbidden,
        DomainError::Conflict(_) => Expect::Conflict,
        DomainError::NotFound(_) => Expect::NotFound,
        DomainError::Invalid(_) => Expect::Invalid,
        DomainError::Stale(_) => panic!("no row expects a stale edit: {e}"),
    }
}

struct Row {
    /// The seed sentence (or DESIGN rule) the row checks.
    why: &'static str,
    who: Kind,
    cmd: fn(&Fixture) -> Command,
    expect: Expect,
    /// Words the refusal must contain so a person knows what to do.
    words: &'static [&'static str],
}

macro_rules! rows {
    ($( $why:literal, $who:ident, |$f:ident| $cmd:expr, $expect:ident $(, [$($w:literal),*])? ; )*) => {
        vec![$( Row {
            why: $why,
            who: Kind::$who,
            cmd: |$f: &Fixture| $cmd,
            expect: Expect::$expect,
            words: &[$($($w),*)?],
        } ),*]
    };
}

fn profile(f: &Fixture) -> Command {
    Command::UpdateOrgProfile {
        org: f.a,
        name: "Acme Corporation".into(),
        profile: Profile {
            address: "1 Main Street".into(),
            ..Profile::default()
        },
    }
}

fn grant(account: AccountId, role: RoleId) -> Command {
    Command::GrantRole {
        account,
        role,
        until: None,
    }
}

fn program_grant(program: ProgramId, account: AccountId, role: RoleId) -> Command {
    Command::GrantProgramRole {
        program,
        account,
        role,
        until: None,
    }
}

fn invite_to_program(f: &Fixture, role: RoleId) -> Command {
    Command::Invite {
        org: f.a,
        email: "contact@partner.example".into(),
        first_name: "Casey".into(),
        last_name: "Contact".into(),
        message: String::new(),
        level: Level::Member,
        roles: vec![],
        programs: vec![ProgramOffer {
            program: f.portal,
            role,
        }],
        expires: None,
        secret_hash: None,
    }
}

fn contract(f: &Fixture) -> Command {
    Command::CreateContract {
        org: f.a,
        product: "Support".into(),
        start: f.w.now,
        end: None,
        seats: 5,
    }
}

fn matrix() -> Vec<Row> {
    rows![
        // ----- organisation information: seed 004 "Main Corporate Contact … Able to change
        // organization level information"; DESIGN: only the owner and operators.
        "004: the Main Corporate Contact changes organisation information", Owner, |f| profile(f), Ok;
        "DESIGN: platform operators change organisation information", Operator, |f| profile(f), Ok;
        "004: a Secondary Corporate Contact cannot", Admin, |f| profile(f), Forbidden, ["only the Owner"];
        "004: nor can a holder of the user-management role", UserMgr, |f| profile(f), Forbidden, ["only the Owner"];
        "004: nor an Affiliate", Member, |f| profile(f), Forbidden, ["only the Owner"];
        "003: another subscription's admin does not even see it", OtherOrg, |f| profile(f), NotFound;
        "anonymous visitors change nothing", Anonymous, |f| profile(f), Forbidden;

        // ----- ownership: seed 004 "Able to designate a new/replacement Main Corporate Contact".
        "004: the Main Corporate Contact designates a replacement", Owner, |f| Command::TransferOwnership { org: f.a, to: f.admin }, Ok;
        "DESIGN: so does the platform operator", Operator, |f| Command::TransferOwnership { org: f.a, to: f.member }, Ok;
        "004: a Secondary Corporate Contact cannot", Admin, |f| Command::TransferOwnership { org: f.a, to: f.admin }, Forbidden, ["only the Owner"];
        "000: only verified users are elevated", Owner, |f| Command::TransferOwnership { org: f.a, to: f.unverified }, Conflict, ["verif"];
        "DESIGN 1: the owner is enabled", Owner, |f| Command::TransferOwnership { org: f.a, to: f.disabled }, Conflict, ["enabled"];
        "003: another subscription's admin", OtherOrg, |f| Command::TransferOwnership { org: f.a, to: f.b_admin }, NotFound;

        // ----- elevation: seed 000 "only verified users can be elevated to a Management Contact".
        "000: a Management Contact elevates a verified user", Admin, |f| Command::Promote { account: f.member }, Ok;
        "000: so does the owner", Owner, |f| Command::Promote { account: f.member }, Ok;
        "000: only verified users can be elevated", Admin, |f| Command::Promote { account: f.unverified }, Conflict, ["verif"];
        "000: a registered user waiting for approval is not verified", Admin, |f| Command::Promote { account: f.pending }, Conflict, ["verif"];
        "003: only an admin changes an account to admin", UserMgr, |f| Command::Promote { account: f.member }, Forbidden, ["only an Admin"];
        "003: … not a standard account", Member, |f| Command::Promote { account: f.contributor }, Forbidden, ["only an Admin"];
        "003: an admin of another subscription", OtherOrg, |f| Command::Promote { account: f.member }, NotFound;

        // ----- demotion: seed 003 "An admin cannot change their own account to a standard account".
        "003: an admin cannot change their own account to a standard account", Admin, |f| Command::Demote { account: f.admin }, Forbidden, ["yourself", "another Admin"];
        "003: an admin changes another admin to standard", Admin, |f| Command::Demote { account: f.admin2 }, Ok;
        "003: so does the owner", Owner, |f| Command::Demote { account: f.admin }, Ok;
        "003: only an admin changes an account between admin and standard", UserMgr, |f| Command::Demote { account: f.admin }, Forbidden, ["only an Admin"];
        "DESIGN 1: the owner is not demoted, ownership is transferred", Admin, |f| Command::Demote { account: f.owner }, Conflict, ["transfer ownership"];

        // ----- deletion: seed 003 "Once an account has been made Inactive, it can then be deleted".
        "003: an active account cannot be deleted", Admin, |f| Command::DeleteAccount { account: f.member }, Conflict, ["must be disabled before it can be deleted"];
        "003: an inactive account is deleted by an admin", Admin, |f| Command::DeleteAccount { account: f.disabled }, Ok;
        "001/002: a manager with the user-management role deletes", UserMgr, |f| Command::DeleteAccount { account: f.disabled }, Ok;
        "003: a standard account cannot delete", Member, |f| Command::DeleteAccount { account: f.disabled }, Forbidden, ["members.manage"];
        "002: you cannot delete your own user entry", Admin, |f| Command::DeleteAccount { account: f.admin }, Forbidden, ["cannot delete yourself"];
        "002: … nor can the owner", Owner, |f| Command::DeleteAccount { account: f.owner }, Forbidden, ["cannot delete yourself"];
        "003: accounts of another subscription are out of reach", OtherOrg, |f| Command::DeleteAccount { account: f.disabled }, NotFound;

        // ----- disabling: seed 002 "Users can be Enabled or Disabled at any time by a Manager";
        // DESIGN 3: nobody disables themselves.
        "002: a manager disables a user", Admin, |f| Command::Disable { account: f.member }, Ok;
        "002: so does a holder of the user-management role", UserMgr, |f| Command::Disable { account: f.member }, Ok;
        "DESIGN 3: nobody disables themselves", Admin, |f| Command::Disable { account: f.admin }, Forbidden, ["cannot disable yourself"];
        "DESIGN 3: … whatever role they hold", UserMgr, |f| Command::Disable { account: f.usermgr }, Forbidden, ["cannot disable yourself"];
        "DESIGN: a member-level manager manages members, not admins", UserMgr, |f| Command::Disable { account: f.admin }, Forbidden, ["only an Admin"];
        "003: inactive accounts can be reactivated by an admin", Admin, |f| Command::Enable { account: f.disabled }, Ok;
        "DESIGN 2: a Main Site Contact stays enabled while it owns a program", Admin, |f| Command::Disable { account: f.prog_owner }, Conflict, ["name a new one first"];

        // ----- the owner is out of the admins' reach (DESIGN delegation).
        "DESIGN: admins never manage the owner", Admin, |f| Command::EditAccount {
            account: f.owner,
            expected_version: f.w.dir.accounts[&f.owner].version,
            first_name: "Changed".into(),
            last_name: String::new(),
            email: "owner@acme.example".into(),
        }, Forbidden, ["Owner"];
        "DESIGN: … nor reset the owner's password", Admin, |f| Command::RequestPasswordReset { account: f.owner, secret_hash: None }, Forbidden, ["Owner"];
        "DESIGN: … nor grant the owner roles", Admin, |f| grant(f.owner, f.billing_role), Forbidden, ["Owner"];
        "DESIGN 1: … nor disable the owner: ownership must move first", Admin, |f| Command::Disable { account: f.owner }, Conflict, ["transfer ownership"];
        "DESIGN 1: not even the operator disables the owner", Operator, |f| Command::Disable { account: f.owner }, Conflict, ["transfer ownership"];

        // ----- other organisations: seed 003 "An account can only be used to access the
        // subscription that the account belongs to" — what you may not reach does not exist.
        "003: another subscription's accounts are not found", OtherOrg, |f| Command::Disable { account: f.member }, NotFound;
        "003: … nor can they be edited", OtherOrg, |f| Command::EditAccount {
            account: f.member,
            expected_version: f.w.dir.accounts[&f.member].version,
            first_name: "X".into(),
            last_name: String::new(),
            email: "member@acme.example".into(),
        }, NotFound;
        "003: … nor accounts added to it", OtherOrg, |f| Command::AddAccount {
            org: f.a,
            email: "spy@globex.example".into(),
            first_name: "Spy".into(),
            last_name: String::new(),
            verified: false,
        }, NotFound;
        "003: … nor its groups created", OtherOrg, |f| Command::CreateGroup { org: f.a, name: "Spies".into() }, NotFound;
        "003: … nor its roles granted", OtherOrg, |f| grant(f.member, f.reports_role), NotFound;
        "003: … nor its settings changed", OtherOrg, |f| Command::UpdateOrgSettings { org: f.a, settings: support::settings(false, false) }, NotFound;
        "003: … nor its programs transferred", OtherOrg, |f| Command::TransferProgram { program: f.portal, to: f.b_admin }, NotFound;
        "003: … nor its invitations accepted, even with the link", OtherOrg, |f| Command::AcceptInvitation {
            invitation: f.invitation,
            secret_hash: Some(INVITE_SECRET.into()),
        }, NotFound;
        "003: … nor its people invited", OtherOrg, |f| invite_to_program(f, f.viewer_role), NotFound;
        "003: … nor its approval queue decided", OtherOrg, |f| Command::Decide {
            request: *f.w.dir.requests.keys().next().expect("the pending registration's request"),
            approve: true,
            reason: String::new(),
        }, NotFound;
        "003: … and its own-org member may not reach A either", Member, |f| Command::RenameGroup { group: f.b_staff, name: "Mine".into() }, NotFound;

        // ----- program contacts: seed 004 Contributor "Can manage (add, remove, edit) other
        // program level contacts (for those with Contributor or Viewer permissions)".
        "004: a contributor adds a viewer", Contributor, |f| program_grant(f.portal, f.member, f.viewer_role), Ok;
        "004: a contributor adds a contributor", Contributor, |f| program_grant(f.portal, f.member, f.contributor_role), Ok;
        "004: a contributor removes a viewer", Contributor, |f| Command::RevokeProgramRole { program: f.portal, account: f.viewer, role: f.viewer_role }, Ok;
        "004: a contributor edits a viewer's level", Contributor, |f| Command::ChangeProgramRole {
            program: f.portal,
            account: f.viewer,
            from: f.viewer_role,
            to: f.contributor_role,
        }, Ok;
        "004: a contributor invites a viewer to the program", Contributor, |f| invite_to_program(f, f.viewer_role), Ok;
        "004: a contributor cannot give roles beyond viewer and contributor", Contributor, |f| program_grant(f.portal, f.member, f.app_admin_role), Forbidden, ["only the Program owner"];
        "004: a contributor cannot name a new Main Site Contact", Contributor, |f| Command::TransferProgram { program: f.portal, to: f.contributor }, Forbidden, ["only the Program owner", "corporate-level contact"];
        "004: only the Main Site Contact or a corporate contact invites a new Main Site Contact", Contributor, |f| invite_to_program(f, f.program_owner_role), Forbidden, ["only the Program owner"];
        "004: the Main Site Contact invites their successor", ProgOwner, |f| invite_to_program(f, f.program_owner_role), Ok;
        "004: a corporate contact invites a new Main Site Contact", Admin, |f| invite_to_program(f, f.program_owner_role), Ok;
        "004: a viewer manages no contacts", Viewer, |f| program_grant(f.portal, f.member, f.viewer_role), Forbidden, ["cannot manage the contacts"];
        "004: a contributor of one program has no say in another (rule 8: nor learns it exists)", Contributor, |f| program_grant(f.wiki, f.member, f.viewer_role), NotFound, ["no program"];
        "004: an Affiliate manages no program contacts (of a program it cannot see)", Member, |f| program_grant(f.portal, f.member, f.viewer_role), NotFound;
        "004: the Main Site Contact grants application roles (002 ADMIN)", ProgOwner, |f| program_grant(f.portal, f.member, f.app_admin_role), Ok;
        "004: ownership moves by transfer, not by grant", ProgOwner, |f| program_grant(f.portal, f.member, f.program_owner_role), Invalid, ["transfer"];
        "004: Affiliates can add programs to their organisation", Member, |f| Command::CreateProgram { org: f.a, name: "New".into(), owner: None }, Ok;
        "004: … but not for someone else", Member, |f| Command::CreateProgram { org: f.a, name: "New".into(), owner: Some(f.viewer) }, Forbidden, ["programs.manage"];

        // ----- program transfer: seed 004 Main Site Contact "Can designate a new Main Site Contact".
        "004: the Main Site Contact designates a new one", ProgOwner, |f| Command::TransferProgram { program: f.portal, to: f.contributor }, Ok;
        "004: a corporate-level contact does too", Admin, |f| Command::TransferProgram { program: f.portal, to: f.viewer }, Ok;
        "004: … and the Main Corporate Contact", Owner, |f| Command::TransferProgram { program: f.portal, to: f.viewer }, Ok;
        "DESIGN: … and the platform operator", Operator, |f| Command::TransferProgram { program: f.portal, to: f.viewer }, Ok;
        "004: a viewer cannot", Viewer, |f| Command::TransferProgram { program: f.portal, to: f.viewer }, Forbidden, ["only the Program owner"];
        "004: a user manager without program authority cannot (nor sees the program)", UserMgr, |f| Command::TransferProgram { program: f.portal, to: f.usermgr }, NotFound, ["no program"];

        // ----- contracts are the platform operator's (DESIGN §2 Contract).
        "DESIGN: the operator creates contracts", Operator, |f| contract(f), Ok;
        "DESIGN: the owner does not", Owner, |f| contract(f), Forbidden, ["platform operator"];
        "DESIGN: nor an admin", Admin, |f| contract(f), Forbidden, ["platform operator"];
        "DESIGN: nor an admin changing seats", Admin, |f| Command::ChangeSeats { contract: f.contract, seats: 10 }, Forbidden, ["platform operator"];
        "DESIGN: nor suspending", Owner, |f| Command::SuspendContract { contract: f.contract }, Forbidden, ["platform operator"];
        "003: another organisation's contract is not found", OtherOrg, |f| Command::EndContract { contract: f.contract }, NotFound;
        "001: only the operator ties a role to a contract", Owner, |f| Command::CreateRole {
            org: f.a,
            name: "Integrator 2".into(),
            description: String::new(),
            scope: Scope::Org,
            permissions: perm_set(&["app:control-desk"]),
            gate: Some("IDaaS".into()),
        }, Forbidden, ["platform operator"];

        // ----- the gated role: seed 001 "If you are a IDaaS customer you have also option to
        // invite users to role Integrator" (two seats, one taken).
        "001: an IDaaS customer grants Integrator while a seat is free", Owner, |f| grant(f.member, f.integrator_role), Ok;
        "001: and invites users to it", Admin, |f| Command::Invite {
            org: f.a,
            email: "integrator2@partner.example".into(),
            first_name: "Ina".into(),
            last_name: String::new(),
            message: "Control desk access".into(),
            level: Level::Member,
            roles: vec![f.integrator_role],
            programs: vec![],
            expires: None,
            secret_hash: None,
        }, Ok;

        // ----- disabled and pending accounts: seed 002/003 "an inactive account is locked
        // out"; "new users need to be Approved before they are able to access".
        "003: an inactive account is locked out", Disabled, |f| Command::CreateProgram { org: f.a, name: "X".into(), owner: None }, Forbidden, ["disabled"];
        "003: … even for itself", Disabled, |f| Command::RequestPasswordReset { account: f.disabled, secret_hash: None }, Forbidden, ["disabled"];
        "002: a user waiting for approval cannot act", Pending, |f| Command::CreateProgram { org: f.a, name: "X".into(), owner: None }, Forbidden, ["waiting for approval"];
        "002: … not even ask for a role", Pending, |f| Command::RequestRole { role: f.reports_role, program: None, note: String::new() }, Forbidden, ["waiting for approval"];
        "002: a manager approves a pending user", UserMgr, |f| Command::Approve { account: f.pending }, Ok;
        "002: a standard user does not", Member, |f| Command::Approve { account: f.pending }, Forbidden, ["members.approve"];

        // ----- anti-escalation: a member with roles.manage confers only what it holds.
        "DESIGN: a role manager grants a role whose permissions it holds", RoleMgr, |f| grant(f.member, f.rolemgr_role), Ok;
        "DESIGN: … but not one carrying permissions it lacks", RoleMgr, |f| grant(f.member, f.billing_role), Forbidden, ["billing.manage", "do not hold"];
        "DESIGN: … nor create one", RoleMgr, |f| Command::CreateRole {
            org: f.a,
            name: "Super".into(),
            description: String::new(),
            scope: Scope::Org,
            permissions: perm_set(&[MEMBERS_MANAGE]),
            gate: None,
        }, Forbidden, ["members.manage"];
        "DESIGN: … nor widen an existing one", RoleMgr, |f| Command::EditRole {
            role: f.rolemgr_role,
            name: "Role manager".into(),
            description: String::new(),
            permissions: perm_set(&[ROLES_READ, ROLES_MANAGE, BILLING_MANAGE]),
        }, Forbidden, ["billing.manage"];
        "DESIGN: … nor hand it to a group", RoleMgr, |f| Command::GrantGroupRole { group: f.ops, role: f.billing_role, until: None }, Forbidden, ["billing.manage"];
        "DESIGN: … nor take one away", RoleMgr, |f| Command::RevokeRole { account: f.usermgr, role: f.usermgmt_role }, Forbidden, ["do not hold"];
        "002: the user-management role does not grant roles", UserMgr, |f| grant(f.member, f.reports_role), Forbidden, ["roles.manage"];

        // ----- account creation: seed 003 "Accounts can only be created by an admin".
        "003: an admin creates accounts", Admin, |f| Command::AddAccount {
            org: f.a,
            email: "new@acme.example".into(),
            first_name: "New".into(),
            last_name: String::new(),
            verified: false,
        }, Ok;
        "003: a standard account does not", Member, |f| Command::AddAccount {
            org: f.a,
            email: "new@acme.example".into(),
            first_name: "New".into(),
            last_name: String::new(),
            verified: false,
        }, Forbidden, ["members.invite"];
        "003: the same email twice in one subscription", Admin, |f| Command::AddAccount {
            org: f.a,
            email: "MEMBER@acme.example".into(),
            first_name: "Dup".into(),
            last_name: String::new(),
            verified: false,
        }, Conflict, ["already has an account"];
        "003: a closed organisation takes no registrations", Anonymous, |f| Command::Register {
            org: f.b,
            email: "walk-in@globex.example".into(),
            first_name: "Walk".into(),
            last_name: "In".into(),
        }, Forbidden, ["invitation"];
    ]
}

#[test]
fn authorization_matrix() {
    let mut failures = vec![];
    for row in matrix() {
        let mut f = Fixture::build();
        let who = principal(&f, row.who);
        let cmd = (row.cmd)(&f);
        let shown = format!("{:?} {}", row.who, cmd.verb());
        match (f.w.try_run(&who, cmd), row.expect) {
            (Ok(_), Expect::Ok) => {}
            (Ok(_), want) => failures.push(format!(
                "{shown}: accepted, expected {want:?} — {}",
                row.why
            )),
            (Err(e), Expect::Ok) => failures.push(format!(
                "{shown}: refused ({e:?}), expected Ok — {}",
                row.why
            )),
            (Err(e), want) => {
                if kind_of(&e) != want {
                    failures.push(format!("{shown}: {e:?}, expected {want:?} — {}", row.why));
                }
                for w in row.words {
                    if !e.message().contains(w) {
                        failures.push(format!(
                            "{shown}: '{}' lacks '{w}' — {}",
                            e.message(),
                            row.why
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} row(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Seed 003: what you may not reach does not exist. A refusal for another organisation's
/// account reads exactly like one for an id that was never used, so it leaks nothing.
#[test]
fn other_organisations_look_like_nothing_at_all() {
    let mut f = Fixture::build();
    let outsider = acct(f.b_admin);
    let real =
        f.w.refuse(&outsider, Command::Disable { account: f.member });
    let never = f.w.refuse(
        &outsider,
        Command::Disable {
            account: AccountId(999_999),
        },
    );
    assert!(matches!(real, DomainError::NotFound(_)), "{real:?}");
    let pattern = |e: &DomainError, id: AccountId| e.message().replace(&id.to_string(), "#");
    assert_eq!(
        pattern(&real, f.member),
        pattern(&never, AccountId(999_999))
    );
}

/// Seed 001: "Select Roles tab (roles tab is visible only for the main users)"; seed 000:
/// "All users can view the list of authorised users".
#[test]
fn roles_are_readable_only_with_roles_read() {
    let f = Fixture::build();
    let reads = |id: AccountId, perm: &str| f.w.perms_of(id).contains(perm);
    for (id, who) in [
        (f.owner, "owner"),
        (f.admin, "admin"),
        (f.rolemgr, "role manager"),
    ] {
        assert!(reads(id, ROLES_READ), "{who} should see the Roles tab");
    }
    for (id, who) in [
        (f.member, "member"),
        (f.usermgr, "user manager"),
        (f.prog_owner, "program owner"),
        (f.contributor, "contributor"),
        (f.viewer, "viewer"),
        (f.pending, "pending"),
        (f.disabled, "disabled"),
    ] {
        assert!(!reads(id, ROLES_READ), "{who} must not see the Roles tab");
    }
    for (id, who) in [
        (f.member, "member"),
        (f.viewer, "viewer"),
        (f.owner, "owner"),
        (f.usermgr, "user manager"),
    ] {
        assert!(
            reads(id, MEMBERS_READ),
            "seed 000: every user ({who}) views the list"
        );
    }
    assert!(
        !reads(f.pending, MEMBERS_READ),
        "a pending account views nothing"
    );
}

/// DESIGN 6, seeds 002/003: disabled or pending accounts hold nothing at all, whatever
/// roles and groups they have on record.
#[test]
fn disabled_and_pending_accounts_hold_no_permission() {
    let mut f = Fixture::build();
    let o = acct(f.owner);
    f.w.run(&o, grant(f.disabled, f.billing_role));
    f.w.run(&o, grant(f.pending, f.billing_role));
    f.w.run(
        &o,
        Command::AddToGroup {
            group: f.ops,
            account: f.disabled,
        },
    );
    for id in [f.disabled, f.pending] {
        let eff = policy::effective(&f.w.dir, &f.w.dir.accounts[&id], f.w.now);
        assert!(eff.granted.is_empty(), "{:?}", eff.granted);
        assert!(eff.inactive.is_some(), "the reason is shown");
        let p = policy::program_permissions(
            &f.w.dir,
            &f.w.dir.accounts[&id],
            &f.w.dir.programs[&f.portal],
            f.w.now,
        );
        assert!(p.is_empty());
    }
    // Once enabled again, what was on record counts again (seed 003 "set back to active").
    f.w.run(
        &o,
        Command::Enable {
            account: f.disabled,
        },
    );
    assert!(f.w.perms_of(f.disabled).contains(BILLING_MANAGE));
    assert!(
        f.w.perms_of(f.disabled).contains("app:reports"),
        "through the Ops group"
    );
}

/// Seed 002: with "User Approval Required", a self-registered user waits for a manager;
/// without it, the account is usable at once.
#[test]
fn approval_required_puts_registrations_in_pending() {
    let mut f = Fixture::build();
    let anon = Principal::Anonymous;
    let register = |org, email: &str| Command::Register {
        org,
        email: email.into(),
        first_name: "Reg".into(),
        last_name: "Istered".into(),
    };
    let id = support::created_account(&f.w.run(&anon, register(f.a, "reg@acme.example")));
    assert_eq!(f.w.dir.accounts[&id].approval, Approval::Pending);
    assert!(f.w.perms_of(id).is_empty());
    // The operator opens B's registration; B does not require approval.
    f.w.run(
        &Principal::Operator,
        Command::UpdateOrgSettings {
            org: f.b,
            settings: support::settings(false, true),
        },
    );
    let id = support::created_account(&f.w.run(&anon, register(f.b, "reg@globex.example")));
    assert_eq!(f.w.dir.accounts[&id].approval, Approval::Approved);
    assert!(f.w.perms_of(id).contains(MEMBERS_READ));
    // An account added by a manager who may approve needs no second step.
    let added = f.w.add(&acct(f.usermgr), f.a, "added@acme.example", false);
    assert_eq!(f.w.dir.accounts[&added].approval, Approval::Approved);
}

/// Seed 001: the Integrator role needs an active IDaaS contract and a free seat.
#[test]
fn gated_role_needs_an_active_contract_and_a_free_seat() {
    let mut f = Fixture::build();
    let o = acct(f.owner);
    let op = Principal::Operator;
    assert!(f.w.perms_of(f.integrator).contains("app:control-desk"));
    f.w.run(&o, grant(f.member, f.integrator_role));
    // Both seats are taken now.
    let e = f.w.refuse(&o, grant(f.viewer, f.integrator_role));
    assert!(matches!(e, DomainError::Conflict(_)), "{e:?}");
    assert!(
        e.message().contains("all 2 seats") && e.message().contains("IDaaS"),
        "{e}"
    );
    // Joining a group that carries the role needs a seat too.
    f.w.run(
        &o,
        Command::RevokeRole {
            account: f.member,
            role: f.integrator_role,
        },
    );
    f.w.run(
        &o,
        Command::GrantGroupRole {
            group: f.ops,
            role: f.integrator_role,
            until: None,
        },
    );
    let e = f.w.refuse(
        &o,
        Command::AddToGroup {
            group: f.ops,
            account: f.viewer,
        },
    );
    assert!(e.message().contains("seats"), "{e}");
    // The operator adds seats; now it fits.
    f.w.run(
        &op,
        Command::ChangeSeats {
            contract: f.contract,
            seats: 3,
        },
    );
    f.w.run(
        &o,
        Command::AddToGroup {
            group: f.ops,
            account: f.viewer,
        },
    );
    assert!(f.w.perms_of(f.viewer).contains("app:control-desk"));
    // Seats cannot drop below the holders.
    let e = f.w.refuse(
        &op,
        Command::ChangeSeats {
            contract: f.contract,
            seats: 1,
        },
    );
    assert!(e.message().contains("revoke"), "{e}");
    // Suspended: the role stays on record but confers nothing, and cannot be granted.
    f.w.run(
        &op,
        Command::SuspendContract {
            contract: f.contract,
        },
    );
    let a = &f.w.dir.accounts[&f.integrator];
    let eff = policy::effective(&f.w.dir, a, f.w.now);
    assert!(!eff.has("app:control-desk"));
    assert!(
        eff.ignored
            .iter()
            .any(|i| i.role == f.integrator_role && i.why.contains("IDaaS")),
        "{:?}",
        eff.ignored
    );
    let e = f.w.refuse(&o, grant(f.admin2, f.integrator_role));
    assert!(e.message().contains("active IDaaS contract"), "{e}");
    f.w.run(
        &op,
        Command::ResumeContract {
            contract: f.contract,
        },
    );
    assert!(f.w.perms_of(f.integrator).contains("app:control-desk"));
}

/// Invariant 7 through contract changes: a second, smaller contract for the same product
/// must not become the one in force while more accounts hold the role than it has seats.
#[test]
fn contract_changes_keep_the_seat_count() {
    let mut f = Fixture::build();
    let op = Principal::Operator;
    f.w.run(&acct(f.owner), grant(f.member, f.integrator_role));
    let small = f.w.contract(f.a, "IDaaS", 1);
    let e = f.w.refuse(
        &op,
        Command::SuspendContract {
            contract: f.contract,
        },
    );
    assert!(
        matches!(e, DomainError::Conflict(_)) && e.message().contains("revoke"),
        "{e:?}"
    );
    let e = f.w.refuse(
        &op,
        Command::EndContract {
            contract: f.contract,
        },
    );
    assert!(e.message().contains("revoke"), "{e}");
    // Ending the small one is harmless; then the big one may go, leaving nothing in force.
    f.w.run(&op, Command::EndContract { contract: small });
    f.w.run(
        &op,
        Command::EndContract {
            contract: f.contract,
        },
    );
    // A new contract with too few seats for those still holding the role is refused.
    let e = f.w.refuse(
        &op,
        Command::CreateContract {
            org: f.a,
            product: "IDaaS".into(),
            start: f.w.now,
            end: None,
            seats: 1,
        },
    );
    assert!(e.message().contains("revoke"), "{e}");
    f.w.contract(f.a, "IDaaS", 2);
}

/// An expired grant stays on record but confers nothing.
#[test]
fn an_expired_grant_confers_nothing() {
    let mut f = Fixture::build();
    let o = acct(f.owner);
    let until = f.w.now + jiff::SignedDuration::from_hours(2);
    f.w.run(
        &o,
        Command::GrantRole {
            account: f.member,
            role: f.usermgmt_role,
            until: Some(until),
        },
    );
    let m = acct(f.member);
    f.w.run(&m, Command::Disable { account: f.viewer });
    f.w.advance_hours(3);
    assert!(!f.w.perms_of(f.member).contains(MEMBERS_MANAGE));
    let eff = policy::effective(&f.w.dir, &f.w.dir.accounts[&f.member], f.w.now);
    assert!(
        eff.ignored
            .iter()
            .any(|i| i.role == f.usermgmt_role && i.why.contains("ended"))
    );
    let e = f.w.refuse(&m, Command::Enable { account: f.viewer });
    assert!(
        matches!(e, DomainError::Forbidden(_)) && e.message().contains("members.manage"),
        "{e:?}"
    );
    // A grant cannot be made already expired.
    let e = f.w.refuse(
        &o,
        Command::GrantRole {
            account: f.viewer,
            role: f.reports_role,
            until: Some(f.w.now),
        },
    );
    assert!(matches!(e, DomainError::Invalid(_)), "{e:?}");
}

/// Seed 003: "When a standard account is changed to be an admin account any permissions
/// applied to the account are retained, but they are ignored while the account is an
/// admin account. If the account is reverted back to a standard account, the existing
/// permissions will be enforced again."
#[test]
fn an_admins_roles_are_kept_ignored_and_enforced_again_after_demotion() {
    let mut f = Fixture::build();
    let o = acct(f.owner);
    f.w.run(&o, Command::Promote { account: f.usermgr });
    let a = &f.w.dir.accounts[&f.usermgr];
    assert_eq!(a.roles.len(), 1, "the role is retained");
    let eff = policy::effective(&f.w.dir, a, f.w.now);
    assert!(
        eff.ignored
            .iter()
            .any(|i| i.role == f.usermgmt_role && i.why.contains("ignored while")),
        "{:?}",
        eff.ignored
    );
    assert!(
        eff.has(ROLES_MANAGE),
        "an admin's access cannot be restricted"
    );
    f.w.run(&o, Command::Demote { account: f.usermgr });
    let perms = f.w.perms_of(f.usermgr);
    assert!(perms.contains(MEMBERS_MANAGE), "enforced again");
    assert!(!perms.contains(ROLES_MANAGE), "and nothing more");
}

/// The operator reaches every organisation, yet an invitation to A cannot offer a program
/// of B: accepting it would make a contact outside the program's organisation.
#[test]
fn an_invitation_offers_only_its_own_organisations_programs() {
    let mut f = Fixture::build();
    let b_viewer = f.w.builtin(f.b, Builtin::Viewer);
    let e = f.w.refuse(
        &Principal::Operator,
        Command::Invite {
            org: f.a,
            email: "x@acme.example".into(),
            first_name: "X".into(),
            last_name: String::new(),
            message: String::new(),
            level: Level::Member,
            roles: vec![],
            programs: vec![ProgramOffer {
                program: f.b_lab,
                role: b_viewer,
            }],
            expires: None,
            secret_hash: None,
        },
    );
    assert!(matches!(e, DomainError::NotFound(_)), "{e:?}");
}

/// Role names stay unique when the organisation renames its built-in program roles: the
/// CLI and people grant roles by name, so "Reports" must mean one role.
#[test]
fn terminology_cannot_give_two_roles_one_name() {
    let mut f = Fixture::build();
    let a = acct(f.admin);
    let mut s = f.w.dir.orgs[&f.a].settings.clone();
    s.terminology.program_viewer = "reports".into();
    let e = f.w.refuse(
        &a,
        Command::UpdateOrgSettings {
            org: f.a,
            settings: s.clone(),
        },
    );
    assert!(matches!(e, DomainError::Conflict(_)), "{e:?}");
    assert!(e.message().contains("Reports already exists"), "{e}");
    s.terminology.program_viewer = "Contributor".into();
    let e = f.w.refuse(
        &a,
        Command::UpdateOrgSettings {
            org: f.a,
            settings: s.clone(),
        },
    );
    assert!(
        matches!(e, DomainError::Invalid(_)) && e.message().contains("two program roles"),
        "{e:?}"
    );
    // A fresh word renames the built-in role.
    s.terminology.program_viewer = "Reader".into();
    f.w.run(
        &a,
        Command::UpdateOrgSettings {
            org: f.a,
            settings: s,
        },
    );
    assert_eq!(f.w.dir.roles[&f.viewer_role].name, "Reader");
}

/// A refusal repeats what was typed; it must not carry escape sequences to the terminal
/// of whoever reads it.
#[test]
fn refusals_never_echo_control_characters() {
    let mut f = Fixture::build();
    let e = f.w.refuse(
        &acct(f.admin),
        Command::CreateRole {
            org: f.a,
            name: "Evil".into(),
            description: String::new(),
            scope: Scope::Org,
            permissions: perm_set(&["evil\u{1b}[2J"]),
            gate: None,
        },
    );
    assert!(e.message().contains("is not a permission name"), "{e}");
    assert!(!e.message().contains('\u{1b}'), "{e:?}");
    let e = f.w.refuse(
        &Principal::Operator,
        Command::CreateOrg {
            slug: "bad\u{1b}]0;pwned\u{7}".into(),
            name: "Bad".into(),
            owner_email: "o@bad.example".into(),
            owner_first_name: "O".into(),
            owner_last_name: String::new(),
            settings: None,
        },
    );
    assert!(e.message().contains("is not a slug"), "{e}");
    assert!(!e.message().chars().any(|c| c.is_control()), "{e:?}");
}

/// seeds/003: "Admins have full permission to everything within their subscription":
/// that includes application permissions that only custom roles mention, and no more
/// than the admin's own organisation's.
#[test]
fn admins_hold_every_permission_their_organisations_roles_mention() {
    let f = Fixture::build();
    let perms = f.w.perms_of(f.admin);
    assert!(perms.contains("app:reports"), "{perms:?}");
    assert!(perms.contains("app:control-desk"), "{perms:?}");
    let viewer = f.w.perms_of(f.viewer);
    assert!(
        !viewer.contains("app:reports"),
        "a member without the role does not"
    );
    let b_admin = f.w.perms_of(f.b_admin);
    assert!(
        !b_admin.contains("app:control-desk"),
        "another organisation's roles give nothing"
    );
}

/// seeds/000: "only verified users can be elevated": verification is someone else's word
/// for who you are, so nobody verifies their own account.
#[test]
fn nobody_verifies_themselves() {
    let mut f = Fixture::build();
    let op = Principal::Operator;
    // Give the user manager an unverified twin of itself to check the rule, not the state.
    let me = f.w.add(&op, f.a, "self.verify@a.example", false);
    f.w.run(&op, grant(me, f.usermgmt_role));
    let e = f.w.refuse(&acct(me), Command::Verify { account: me });
    assert!(e.message().contains("yourself"), "{e}");
    f.w.run(&acct(f.usermgr), Command::Verify { account: me });
    assert!(f.w.dir.accounts[&me].verified);
}
