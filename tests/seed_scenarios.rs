//! One scenario per seed help page, walking its documented procedure step by step with
//! the real commands, checking the state after each step and, where the page says
//! something is not allowed, that the refusal tells the person what to do.
//!
//! Every step goes through `World::try_run`, which also checks every invariant after an
//! accepted command and that a refused one changed nothing.

mod support;

use jiff::SignedDuration;
use roster::core::perms::*;
use roster::core::policy::{self, pending_counts};
use roster::core::*;
use support::{World, acct, created_account, perm_set, sent_invitation};

/// Settings for an organisation that speaks the seed's own words.
fn org_settings(
    approval_required: bool,
    open_registration: bool,
    words: &[(&str, &str)],
) -> Settings {
    let mut s = support::settings(approval_required, open_registration);
    for (k, v) in words {
        let t = &mut s.terminology;
        let slot = match *k {
            "owner" => &mut t.owner,
            "admin" => &mut t.admin,
            "member" => &mut t.member,
            "program" => &mut t.program,
            "program_owner" => &mut t.program_owner,
            "program_contributor" => &mut t.program_contributor,
            "program_viewer" => &mut t.program_viewer,
            other => panic!("no terminology slot {other}"),
        };
        *slot = v.to_string();
    }
    s
}

fn register(w: &mut World, org: OrgId, email: &str, first: &str, last: &str) -> AccountId {
    created_account(&w.run(
        &Principal::Anonymous,
        Command::Register {
            org,
            email: email.into(),
            first_name: first.into(),
            last_name: last.into(),
        },
    ))
}

#[track_caller]
fn says(e: &DomainError, words: &[&str]) {
    for w in words {
        assert!(
            e.message().contains(w),
            "'{}' should say '{w}'",
            e.message()
        );
    }
}

fn is_forbidden(e: &DomainError) -> bool {
    matches!(e, DomainError::Forbidden(_))
}

fn is_conflict(e: &DomainError) -> bool {
    matches!(e, DomainError::Conflict(_))
}

fn is_not_found(e: &DomainError) -> bool {
    matches!(e, DomainError::NotFound(_))
}

/// Seed 000, "Managing Authorised Users" (certificate service): register, be associated
/// with the organisation, be added by a Management Contact; only verified users are
/// elevated; MC status is delegated.
#[test]
fn seed_000_management_contacts_manage_authorised_users() {
    let mut w = World::new();
    let words = [
        ("owner", "Lead Management Contact"),
        ("admin", "Management Contact"),
        ("member", "Authorised User"),
    ];
    let (jcs, mc) = w.create_org("jcs", "mc@uni.example", org_settings(true, true, &words));
    let mc_p = acct(mc);

    // "Every member of the JCS service will have at least one designated Management
    // Contact": the founding one cannot be removed or demoted.
    says(
        &w.refuse(&mc_p, Command::Disable { account: mc }),
        &["cannot disable yourself"],
    );
    says(
        &w.refuse(&Principal::Operator, Command::Demote { account: mc }),
        &["transfer ownership"],
    );

    // Step 1-2: the user registers and associates the account with the organisation.
    let joe = register(&mut w, jcs, "joe.bloggs@uni.example", "Joe", "Bloggs");
    assert_eq!(w.dir.accounts[&joe].approval, Approval::Pending);
    assert_eq!(w.dir.accounts[&joe].full_name(), "Joe Bloggs");
    // Until the MC adds them, they are not an Authorised User and can do nothing.
    assert!(w.perms_of(joe).is_empty());
    says(
        &w.refuse(
            &acct(joe),
            Command::RequestRole {
                role: RoleId(1),
                program: None,
                note: String::new(),
            },
        ),
        &["waiting for approval"],
    );

    // "Only once the above steps have been completed, can the MC add a user": there is
    // nobody to add before they registered.
    assert!(is_not_found(&w.refuse(
        &mc_p,
        Command::Approve {
            account: AccountId(999)
        }
    )));

    // Step 3-4: the MC adds the user to the organisation's account.
    w.run(&mc_p, Command::Approve { account: joe });
    assert_eq!(w.dir.accounts[&joe].approval, Approval::Approved);
    assert_eq!(pending_counts(&w.dir, jcs).accounts, 0);
    assert!(
        w.dir
            .requests
            .values()
            .all(|r| r.status != RequestStatus::Pending),
        "the join request is closed"
    );

    // "All users can view the list of authorised users".
    assert!(w.perms_of(joe).contains(MEMBERS_READ));
    // …but an Authorised User does not manage it.
    let ann = register(&mut w, jcs, "ann@uni.example", "Ann", "Other");
    says(
        &w.refuse(&acct(joe), Command::Approve { account: ann }),
        &["members.approve", "Management Contact"],
    );

    // "Only verified users can be elevated to a Management Contact."
    let e = w.refuse(&mc_p, Command::Promote { account: joe });
    assert!(is_conflict(&e));
    says(
        &e,
        &[
            "verified",
            "Management Contact",
            "verify joe.bloggs@uni.example",
        ],
    );
    w.run(&mc_p, Command::Verify { account: joe });
    // Step 3 of elevation: "Make Management Contact".
    w.run(&mc_p, Command::Promote { account: joe });
    assert_eq!(w.level(joe), Level::Admin);

    // The delegated MC now adds and deletes users too.
    let joe_p = acct(joe);
    w.run(&joe_p, Command::Approve { account: ann });
    w.run(&joe_p, Command::Disable { account: ann });
    w.run(&joe_p, Command::DeleteAccount { account: ann });
    assert!(!w.dir.accounts.contains_key(&ann));

    // "invite colleagues to register an account".
    let inv = sent_invitation(&w.run(
        &joe_p,
        Command::Invite {
            org: jcs,
            email: "colleague@uni.example".into(),
            first_name: "Col".into(),
            last_name: "League".into(),
            message: "Please register for certificates".into(),
            level: Level::Member,
            roles: vec![],
            programs: vec![],
            expires: None,
            secret_hash: Some("a".repeat(64)),
        },
    ));
    assert_eq!(w.dir.invitations[&inv].status, InvitationStatus::Pending);
    assert_eq!(w.dir.invitations[&inv].sent_by, Some(joe));
}

/// Seed 001, "Add Organizations/Users to Ubisecure extranet": main users manage roles,
/// invite users to roles through the wizard, grant Integrator only as IDaaS customers,
/// and delete user accounts.
#[test]
fn seed_001_main_users_invite_to_roles_and_delete_accounts() {
    let mut w = World::new();
    let words = [
        ("owner", "Primary Main User"),
        ("admin", "Main User"),
        ("member", "User"),
    ];
    let (org, owner) = w.create_org(
        "ubisecure-customer",
        "juha@customer.example",
        org_settings(false, false, &words),
    );
    let main = w.add(&acct(owner), org, "main@customer.example", true);
    w.run(&acct(owner), Command::Promote { account: main });
    let main_p = acct(main);
    let user = w.add(&main_p, org, "user@customer.example", true);

    // "Roles tab is visible only for the main users".
    assert!(w.perms_of(main).contains(ROLES_READ));
    assert!(!w.perms_of(user).contains(ROLES_READ));

    // "Create new role": a role granting access to downloads.
    let downloads = w.role(
        &main_p,
        org,
        "Downloads",
        Scope::Org,
        &["app:downloads"],
        None,
    );
    // A User cannot create roles.
    let e = w.refuse(
        &acct(user),
        Command::CreateRole {
            org,
            name: "Mine".into(),
            description: String::new(),
            scope: Scope::Org,
            permissions: perm_set(&["app:downloads"]),
            gate: None,
        },
    );
    says(&e, &["roles.manage", "Main User"]);

    // "Invite user to roles": 1. email, 2. first and last name, 3. message, 4. confirm.
    let secret = "b".repeat(64);
    let inv = sent_invitation(&w.run(
        &main_p,
        Command::Invite {
            org,
            email: "new.hire@customer.example".into(),
            first_name: "New".into(),
            last_name: "Hire".into(),
            message: "Access to downloads.ubisecure.com".into(),
            level: Level::Member,
            roles: vec![downloads],
            programs: vec![],
            expires: None,
            secret_hash: Some(secret.clone()),
        },
    ));
    let i = &w.dir.invitations[&inv];
    assert_eq!(
        (i.first_name.as_str(), i.last_name.as_str()),
        ("New", "Hire")
    );
    assert_eq!(i.message, "Access to downloads.ubisecure.com");
    assert_eq!(i.roles, vec![downloads]);
    assert_eq!(i.status, InvitationStatus::Pending);
    assert_eq!(
        i.expires,
        w.now + SignedDuration::from_hours(7 * 24),
        "the organisation's invitation lifetime"
    );
    // A second invitation to the same person while one is pending is refused.
    let again = Command::Invite {
        org,
        email: "NEW.HIRE@customer.example".into(),
        first_name: String::new(),
        last_name: String::new(),
        message: String::new(),
        level: Level::Member,
        roles: vec![],
        programs: vec![],
        expires: None,
        secret_hash: None,
    };
    says(
        &w.refuse(&main_p, again),
        &["already pending", "resend or revoke"],
    );

    // The invitee follows the link. A wrong link does nothing.
    let wrong = Command::AcceptInvitation {
        invitation: inv,
        secret_hash: Some("c".repeat(64)),
    };
    assert!(is_forbidden(&w.refuse(&Principal::Anonymous, wrong)));
    let recs = w.run(
        &Principal::Anonymous,
        Command::AcceptInvitation {
            invitation: inv,
            secret_hash: Some(secret.clone()),
        },
    );
    let hire = created_account(&recs);
    assert!(w.perms_of(hire).contains("app:downloads"));
    assert_eq!(w.dir.invitations[&inv].status, InvitationStatus::Accepted);
    assert_eq!(w.dir.invitations[&inv].account, Some(hire));
    assert!(
        w.dir.accounts[&hire].verified,
        "following the mailed link proves the address"
    );
    // Accepted once, never twice (the used link gets the answer every link that does
    // not work gets, so an invitation id tells an outsider nothing: issue 15).
    let twice = Command::AcceptInvitation {
        invitation: inv,
        secret_hash: Some(secret),
    };
    says(
        &w.refuse(&Principal::Anonymous, twice),
        &["already used", "ask for a new invitation"],
    );

    // An invitation link stops working when it expires or is revoked (DESIGN 9).
    let plain = |email: &str, secret: &str| Command::Invite {
        org,
        email: email.into(),
        first_name: "Late".into(),
        last_name: String::new(),
        message: String::new(),
        level: Level::Member,
        roles: vec![downloads],
        programs: vec![],
        expires: None,
        secret_hash: Some(secret.into()),
    };
    let late = sent_invitation(&w.run(&main_p, plain("late@customer.example", &"1".repeat(64))));
    let gone = sent_invitation(&w.run(&main_p, plain("gone@customer.example", &"2".repeat(64))));
    w.run(&main_p, Command::RevokeInvitation { invitation: gone });
    let e = w.refuse(
        &Principal::Anonymous,
        Command::AcceptInvitation {
            invitation: gone,
            secret_hash: Some("2".repeat(64)),
        },
    );
    // Withdrawing forgets the link's secret, so it answers as every dead link does.
    says(&e, &["withdrawn", "ask for a new invitation"]);
    w.advance_hours(7 * 24 + 1);
    let e = w.refuse(
        &Principal::Anonymous,
        Command::AcceptInvitation {
            invitation: late,
            secret_hash: Some("1".repeat(64)),
        },
    );
    assert!(is_conflict(&e));
    says(&e, &["expired", "ask for a new one"]);
    w.run(&main_p, Command::ExpireInvitations { org });
    assert_eq!(w.dir.invitations[&late].status, InvitationStatus::Expired);
    // Resent with a fresh link, it works again; the old link does not.
    w.run(
        &main_p,
        Command::ResendInvitation {
            invitation: late,
            secret_hash: Some("3".repeat(64)),
        },
    );
    let old_link = Command::AcceptInvitation {
        invitation: late,
        secret_hash: Some("1".repeat(64)),
    };
    assert!(is_forbidden(&w.refuse(&Principal::Anonymous, old_link)));
    w.run(
        &Principal::Anonymous,
        Command::AcceptInvitation {
            invitation: late,
            secret_hash: Some("3".repeat(64)),
        },
    );
    assert_eq!(w.dir.invitations[&late].status, InvitationStatus::Accepted);

    // "If you don't have Integrator role available, please contact Ubisecure support":
    // only the platform operator makes a role that hangs on a contract.
    let gated = Command::CreateRole {
        org,
        name: "Integrator".into(),
        description: "control desk".into(),
        scope: Scope::Org,
        permissions: perm_set(&["app:control-desk"]),
        gate: Some("IDaaS".into()),
    };
    says(&w.refuse(&main_p, gated.clone()), &["platform operator"]);
    let integrator = w.role(
        &Principal::Operator,
        org,
        "Integrator",
        Scope::Org,
        &["app:control-desk"],
        Some("IDaaS"),
    );
    // Not an IDaaS customer yet.
    let invite_integrator = |email: &str| Command::Invite {
        org,
        email: email.into(),
        first_name: "Ina".into(),
        last_name: "Tegrator".into(),
        message: String::new(),
        level: Level::Member,
        roles: vec![integrator],
        programs: vec![],
        expires: None,
        secret_hash: None,
    };
    let e = w.refuse(&main_p, invite_integrator("ina@customer.example"));
    assert!(is_conflict(&e));
    says(&e, &["IDaaS", "contact the platform operator"]);
    says(
        &w.refuse(
            &main_p,
            Command::GrantRole {
                account: user,
                role: integrator,
                until: None,
            },
        ),
        &["IDaaS"],
    );
    // The customer buys IDaaS with one seat.
    w.contract(org, "IDaaS", 1);
    let inv = sent_invitation(&w.run(&main_p, invite_integrator("ina@customer.example")));
    // A main user completes it for the invitee (no link): allowed, but not verified.
    let ina = created_account(&w.run(
        &main_p,
        Command::AcceptInvitation {
            invitation: inv,
            secret_hash: None,
        },
    ));
    assert!(w.perms_of(ina).contains("app:control-desk"));
    assert!(!w.dir.accounts[&ina].verified);
    // The one seat is taken.
    says(
        &w.refuse(
            &main_p,
            Command::GrantRole {
                account: user,
                role: integrator,
                until: None,
            },
        ),
        &["seats", "IDaaS"],
    );

    // "Delete user from the organization": select the user, "Delete user accounts".
    let e = w.refuse(&main_p, Command::DeleteAccount { account: user });
    says(&e, &["must be disabled before it can be deleted"]);
    w.run(&main_p, Command::Disable { account: user });
    w.run(&main_p, Command::DeleteAccount { account: user });
    assert!(!w.dir.accounts.contains_key(&user));
    assert!(
        w.dir
            .account_by_email(org, "user@customer.example")
            .is_none()
    );
}

/// Seed 002, "User Management Page": approval required and the pending badge, enabled and
/// approved flags, self-protection, account roles, application roles per service, password
/// reset with expiry, and permanent deletion.
#[test]
fn seed_002_user_management_page() {
    let mut w = World::new();
    let words = [
        ("owner", "Account Owner"),
        ("admin", "Manager"),
        ("member", "User"),
        ("program", "Service"),
    ];
    let (org, owner) = w.create_org(
        "helpdesk",
        "owner@kb.example",
        org_settings(false, true, &words),
    );
    let manager = w.add(&acct(owner), org, "manager@kb.example", true);
    w.run(&acct(owner), Command::Promote { account: manager });
    let m = acct(manager);

    // "User Approval Required" is switched on in the account details.
    let mut s = w.dir.orgs[&org].settings.clone();
    s.approval_required = true;
    w.run(&m, Command::UpdateOrgSettings { org, settings: s });

    // New users register and wait: "1 User Approval Pending" appears only when some are.
    assert_eq!(pending_counts(&w.dir, org).accounts, 0);
    let pat = register(&mut w, org, "pat@kb.example", "Pat", "Lee");
    assert_eq!(pending_counts(&w.dir, org).accounts, 1);
    let sam = register(&mut w, org, "sam@kb.example", "Sam", "Roe");
    assert_eq!(pending_counts(&w.dir, org).accounts, 2);
    assert_eq!(pending_counts(&w.dir, org).requests, 2);
    // Pending users cannot reach non-public content.
    assert!(w.perms_of(pat).is_empty());

    // The manager opens Edit User and moves the Approved slider, then Save.
    w.run(&m, Command::Approve { account: pat });
    assert_eq!(pending_counts(&w.dir, org).accounts, 1);
    assert_eq!(w.dir.accounts[&pat].approval, Approval::Approved);
    assert!(w.perms_of(pat).contains(MEMBERS_READ));
    w.run(
        &m,
        Command::Reject {
            account: sam,
            reason: "not staff".into(),
        },
    );
    assert_eq!(
        pending_counts(&w.dir, org),
        policy::PendingCounts {
            accounts: 0,
            requests: 0
        }
    );

    // "Users can be Enabled or Disabled at any time by a Manager": disabling keeps the
    // user on the list but they cannot log in (act).
    w.run(&m, Command::Disable { account: pat });
    assert!(w.dir.accounts.contains_key(&pat));
    assert!(!w.dir.accounts[&pat].enabled);
    says(
        &w.refuse(
            &acct(pat),
            Command::CreateProgram {
                org,
                name: "X".into(),
                owner: None,
            },
        ),
        &["disabled"],
    );
    w.run(&m, Command::Enable { account: pat });
    w.run(
        &acct(pat),
        Command::RequestPasswordReset {
            account: pat,
            secret_hash: None,
        },
    );

    // "when you are editing yourself … you cannot delete your own user entry".
    let e = w.refuse(&m, Command::DeleteAccount { account: manager });
    assert!(is_forbidden(&e));
    says(&e, &["cannot delete yourself"]);
    says(
        &w.refuse(&m, Command::Disable { account: manager }),
        &["cannot disable yourself"],
    );
    // Editing one's own name is fine.
    let v = w.dir.accounts[&manager].version;
    w.run(
        &m,
        Command::EditAccount {
            account: manager,
            expected_version: v,
            first_name: "Morgan".into(),
            last_name: "Manager".into(),
            email: "manager@kb.example".into(),
        },
    );
    // A stale edit form is refused, never lost.
    let stale = Command::EditAccount {
        account: manager,
        expected_version: v,
        first_name: "Old".into(),
        last_name: String::new(),
        email: "manager@kb.example".into(),
    };
    assert!(matches!(w.refuse(&m, stale), DomainError::Stale(_)));

    // Account roles: one for billing and subscriptions, one for user management.
    let billing = w.role(
        &m,
        org,
        "Account settings",
        Scope::Org,
        &[BILLING_MANAGE],
        None,
    );
    let user_mgmt = w.role(
        &m,
        org,
        "User management",
        Scope::Org,
        &[MEMBERS_MANAGE, MEMBERS_APPROVE, MEMBERS_INVITE],
        None,
    );
    let alex = w.add(&m, org, "alex@kb.example", true);
    let bea = w.add(&m, org, "bea@kb.example", true);
    w.run(
        &m,
        Command::GrantRole {
            account: alex,
            role: billing,
            until: None,
        },
    );
    w.run(
        &m,
        Command::GrantRole {
            account: bea,
            role: user_mgmt,
            until: None,
        },
    );
    assert!(w.perms_of(alex).contains(BILLING_MANAGE));
    // "The User Management Page is restricted to users with account role privileges."
    says(
        &w.refuse(&acct(alex), Command::Disable { account: pat }),
        &["members.manage"],
    );
    w.run(&acct(bea), Command::Disable { account: pat });
    w.run(&acct(bea), Command::Enable { account: pat });

    // Application roles, per service: ADMIN and CONTENT_EDITOR.
    let kb = w.program(&m, org, "Knowledge Base", None);
    let other = w.program(&m, org, "Status Page", None);
    let app_admin = w.role(
        &m,
        org,
        "ADMIN",
        Scope::Program,
        &[PROGRAM_VIEW, PROGRAM_SETTINGS],
        None,
    );
    let editor = w.role(
        &m,
        org,
        "CONTENT_EDITOR",
        Scope::Program,
        &[PROGRAM_VIEW, PROGRAM_CONTENT],
        None,
    );
    let before = w.perms_of(pat);
    w.run(
        &m,
        Command::GrantProgramRole {
            program: kb,
            account: pat,
            role: editor,
            until: None,
        },
    );
    let in_kb = |w: &World, id: AccountId, p: ProgramId| {
        policy::program_permissions(&w.dir, &w.dir.accounts[&id], &w.dir.programs[&p], w.now)
    };
    assert!(in_kb(&w, pat, kb).contains_key(PROGRAM_CONTENT));
    assert!(!in_kb(&w, pat, kb).contains_key(PROGRAM_SETTINGS));
    // "applied to each listed service independently".
    assert!(in_kb(&w, pat, other).is_empty());
    // "there is no implied Account-Level access".
    assert_eq!(w.perms_of(pat), before);
    w.run(
        &m,
        Command::GrantProgramRole {
            program: other,
            account: pat,
            role: app_admin,
            until: None,
        },
    );
    assert!(in_kb(&w, pat, other).contains_key(PROGRAM_SETTINGS));

    // "Adding a User to a Service … allows them to access it with Reader permissions."
    let reader = w.builtin(org, Builtin::Viewer);
    w.run(
        &m,
        Command::GrantProgramRole {
            program: kb,
            account: alex,
            role: reader,
            until: None,
        },
    );
    let alex_kb = in_kb(&w, alex, kb);
    assert!(alex_kb.contains_key(PROGRAM_VIEW));
    assert!(!alex_kb.contains_key(PROGRAM_EDIT) && !alex_kb.contains_key(PROGRAM_CONTENT));

    // "Remove From Service": no special access any more.
    w.run(
        &m,
        Command::RemoveFromProgram {
            program: kb,
            account: pat,
        },
    );
    assert!(in_kb(&w, pat, kb).is_empty());
    assert!(
        !in_kb(&w, pat, other).is_empty(),
        "other services are untouched"
    );

    // "Send Password Reset Email": the link expires after the organisation's lifetime.
    let recs = w.run(
        &m,
        Command::RequestPasswordReset {
            account: pat,
            secret_hash: Some("d".repeat(64)),
        },
    );
    let reset = recs
        .iter()
        .find_map(|r| match &r.event {
            Event::PasswordResetRequested { reset } => Some(reset.clone()),
            _ => None,
        })
        .expect("a reset was requested");
    let ttl = w.dir.orgs[&org].settings.reset_ttl_hours as i64;
    assert_eq!(reset.expires, w.now + SignedDuration::from_hours(ttl));
    assert_eq!(reset.requested_by, Some(manager));
    assert_eq!(
        reset.secret_hash.as_deref(),
        Some("d".repeat(64).as_str()),
        "only the hash is kept"
    );
    // "a new request can later be made if needed": it replaces the earlier link.
    w.advance_hours(ttl + 1);
    w.run(
        &acct(pat),
        Command::RequestPasswordReset {
            account: pat,
            secret_hash: None,
        },
    );
    assert!(w.dir.resets[&reset.id].used, "the old link no longer works");
    // A plain user cannot trigger resets for others.
    says(
        &w.refuse(
            &acct(alex),
            Command::RequestPasswordReset {
                account: pat,
                secret_hash: None,
            },
        ),
        &["members.manage"],
    );

    // "Deleting a User … permanently"; added back later they are a completely new user.
    let staff = w.group(&m, org, "Staff");
    w.run(
        &m,
        Command::AddToGroup {
            group: staff,
            account: pat,
        },
    );
    w.run(
        &m,
        Command::GrantRole {
            account: pat,
            role: billing,
            until: None,
        },
    );
    w.run(&m, Command::Disable { account: pat });
    w.run(&m, Command::DeleteAccount { account: pat });
    assert!(!w.dir.accounts.contains_key(&pat));
    assert!(!w.dir.groups[&staff].members.contains(&pat));
    assert!(
        w.dir
            .programs
            .values()
            .all(|p| !p.grants.contains_key(&pat))
    );
    assert!(w.dir.resets.values().all(|r| r.account != pat));
    let again = w.add(&m, org, "pat@kb.example", false);
    assert_ne!(again, pat, "a new identity");
    let a = &w.dir.accounts[&again];
    assert!(a.roles.is_empty(), "no roles inherited");
    assert!(
        !w.dir.groups[&staff].members.contains(&again),
        "no groups inherited"
    );
    assert!(
        w.dir
            .programs
            .values()
            .all(|p| !p.grants.contains_key(&again))
    );
    assert!(!a.verified);
    assert_eq!(a.version, 1);
}

/// Seed 003, "User Account" (JPAC): admin and standard accounts, at least one admin,
/// permissions kept but ignored while admin, accounts per subscription, only admins create
/// accounts, inactive accounts locked out, deletion only once inactive, groups.
#[test]
fn seed_003_admin_and_standard_accounts() {
    let mut w = World::new();
    let words = [
        ("owner", "Subscription Owner"),
        ("admin", "Admin"),
        ("member", "Standard"),
    ];
    let (sub, owner) = w.create_org(
        "jpac",
        "owner@firm.example",
        org_settings(false, false, &words),
    );
    let (other_sub, other_owner) = w.create_org(
        "jpac-second",
        "owner@other.example",
        org_settings(false, false, &words),
    );
    let o = acct(owner);

    // "Accounts can only be created by an admin": nobody registers themselves.
    let e = w.refuse(
        &Principal::Anonymous,
        Command::Register {
            org: sub,
            email: "me@firm.example".into(),
            first_name: "Me".into(),
            last_name: String::new(),
        },
    );
    assert!(is_forbidden(&e));
    says(&e, &["ask an Admin"]);
    // "The account will automatically be a standard user."
    let ada = w.add(&o, sub, "ada@firm.example", true);
    let bob = w.add(&o, sub, "bob@firm.example", true);
    assert_eq!(w.level(ada), Level::Member);
    // A standard account cannot create accounts.
    let e = w.refuse(
        &acct(bob),
        Command::AddAccount {
            org: sub,
            email: "x@firm.example".into(),
            first_name: "X".into(),
            last_name: String::new(),
            verified: false,
        },
    );
    says(&e, &["members.invite", "ask an Admin"]);

    // Permissions applied to a standard account are enforced.
    let reports = w.role(
        &o,
        sub,
        "Reports",
        Scope::Org,
        &["app:reports", AUDIT_READ],
        None,
    );
    w.run(
        &o,
        Command::GrantRole {
            account: ada,
            role: reports,
            until: None,
        },
    );
    assert!(w.perms_of(ada).contains("app:reports"));
    assert!(!w.perms_of(ada).contains(MEMBERS_MANAGE));

    // The 'is admin' toggle: the permissions are retained but ignored while admin.
    w.run(&o, Command::Promote { account: ada });
    assert_eq!(w.level(ada), Level::Admin);
    let eff = policy::effective(&w.dir, &w.dir.accounts[&ada], w.now);
    assert_eq!(w.dir.accounts[&ada].roles.len(), 1, "retained");
    assert!(
        eff.ignored.iter().any(|i| i.role == reports),
        "ignored while admin"
    );
    assert!(
        eff.has(MEMBERS_MANAGE),
        "full permission within the subscription"
    );

    // "Only an admin can change an account between standard account and admin account."
    says(
        &w.refuse(&acct(bob), Command::Promote { account: bob }),
        &["only an Admin"],
    );
    // "An admin cannot change their own account to a standard account."
    let e = w.refuse(&acct(ada), Command::Demote { account: ada });
    assert!(is_forbidden(&e));
    says(
        &e,
        &[
            "cannot make yourself a Standard",
            "ask the Subscription Owner",
        ],
    );
    // Another admin may; reverted, the permissions are enforced again.
    w.run(&o, Command::Demote { account: ada });
    assert!(w.perms_of(ada).contains("app:reports"));
    assert!(!w.perms_of(ada).contains(MEMBERS_MANAGE));
    // "Each subscription must have at least one admin account": the owner always is one,
    // and cannot be made standard.
    says(
        &w.refuse(&Principal::Operator, Command::Demote { account: owner }),
        &["transfer ownership"],
    );

    // "The same email address can be used for multiple accounts, even with different
    // subscriptions", and each account reaches only its own subscription.
    let ada2 = w.add(&acct(other_owner), other_sub, "ada@firm.example", true);
    assert_ne!(ada2, ada);
    let e = w.refuse(
        &acct(ada),
        Command::CreateGroup {
            org: other_sub,
            name: "Mine".into(),
        },
    );
    assert!(is_not_found(&e));
    assert!(is_not_found(&w.refuse(
        &acct(ada2),
        Command::RequestPasswordReset {
            account: ada,
            secret_hash: None
        }
    )));
    // …but not twice in one subscription.
    let dup = Command::AddAccount {
        org: sub,
        email: "ADA@firm.example".into(),
        first_name: "A".into(),
        last_name: String::new(),
        verified: false,
    };
    says(&w.refuse(&o, dup), &["already has an account"]);

    // "An inactive account cannot be used to log into JPAC", and can be reactivated.
    w.run(&o, Command::Disable { account: bob });
    let e = w.refuse(
        &acct(bob),
        Command::RequestPasswordReset {
            account: bob,
            secret_hash: None,
        },
    );
    says(&e, &["disabled"]);
    assert_eq!(
        w.dir.accounts_of(sub).filter(|a| !a.enabled).count(),
        1,
        "listed under 'inactive'"
    );
    w.run(&o, Command::Enable { account: bob });
    w.run(
        &acct(bob),
        Command::RequestPasswordReset {
            account: bob,
            secret_hash: None,
        },
    );

    // "Once an account has been made Inactive, it can then be deleted by an admin."
    let e = w.refuse(&o, Command::DeleteAccount { account: bob });
    assert!(is_conflict(&e));
    says(&e, &["must be disabled before it can be deleted"]);
    w.run(&o, Command::Disable { account: bob });
    says(
        &w.refuse(&acct(ada), Command::DeleteAccount { account: bob }),
        &["members.manage"],
    );
    w.run(&o, Command::DeleteAccount { account: bob });
    assert!(!w.dir.accounts.contains_key(&bob));

    // "Each account can be in any number of groups", and groups carry permissions.
    let cy = w.add(&o, sub, "cy@firm.example", true);
    let g1 = w.group(&o, sub, "Auditors");
    let g2 = w.group(&o, sub, "Reporters");
    for g in [g1, g2] {
        w.run(
            &o,
            Command::AddToGroup {
                group: g,
                account: cy,
            },
        );
        w.run(
            &o,
            Command::AddToGroup {
                group: g,
                account: ada,
            },
        );
    }
    w.run(
        &o,
        Command::GrantGroupRole {
            group: g2,
            role: reports,
            until: None,
        },
    );
    assert!(w.perms_of(cy).contains("app:reports"));
    w.run(
        &o,
        Command::RemoveFromGroup {
            group: g2,
            account: cy,
        },
    );
    assert!(!w.perms_of(cy).contains("app:reports"));
    assert!(w.dir.groups[&g1].members.contains(&cy));
}

/// Seed 004, "Add People/Edit or Remove Permissions" (certification site): corporate and
/// program levels, Affiliates creating programs, many Secondary Corporate Contacts, one Main
/// Corporate Contact with a designated replacement, program Viewer / Contributor / Main
/// Site Contact, and invitations to the organisation or a program with their tracking.
#[test]
fn seed_004_corporate_and_program_permissions() {
    let mut w = World::new();
    let words = [
        ("owner", "Main Corporate Contact"),
        ("admin", "Secondary Corporate Contact"),
        ("member", "Affiliate"),
        ("program_owner", "Main Site Contact"),
        ("program_contributor", "Contributor"),
        ("program_viewer", "Viewer"),
    ];
    let (org, mcc) = w.create_org(
        "certco",
        "mcc@certco.example",
        org_settings(false, false, &words),
    );
    let mcc_p = acct(mcc);
    let viewer = w.builtin(org, Builtin::Viewer);
    let contributor = w.builtin(org, Builtin::Contributor);
    let site_contact = w.builtin(org, Builtin::ProgramOwner);
    assert_eq!(w.dir.roles[&site_contact].name, "Main Site Contact");

    // "New users are added … as Affiliates by default. This designation allows contacts to
    // add programs to their organization."
    let aff = w.add(&mcc_p, org, "aff@certco.example", true);
    assert_eq!(w.level(aff), Level::Member);
    let prog = w.program(&acct(aff), org, "Widget Certification", None);
    assert_eq!(
        w.dir.programs[&prog].owner, aff,
        "the creator is its Main Site Contact"
    );
    // "There are no other permissions associated with this corporate level role."
    assert!(
        !w.perms_of(aff).contains(MEMBERS_INVITE) && !w.perms_of(aff).contains(PROGRAMS_MANAGE)
    );

    // "There can be multiple Secondary Corporate Contacts."
    let scc1 = w.add(&mcc_p, org, "scc1@certco.example", true);
    let scc2 = w.add(&mcc_p, org, "scc2@certco.example", true);
    w.run(&mcc_p, Command::Promote { account: scc1 });
    // A Secondary Corporate Contact manages corporate level contacts too.
    w.run(&acct(scc1), Command::Promote { account: scc2 });
    assert_eq!(
        w.dir
            .accounts_of(org)
            .filter(|a| a.level == Level::Admin)
            .count(),
        2
    );

    // Corporate contacts reach every program without being invited to it.
    let p = |w: &World, id: AccountId| {
        policy::program_permissions(&w.dir, &w.dir.accounts[&id], &w.dir.programs[&prog], w.now)
    };
    assert!(p(&w, scc1).contains_key(PROGRAM_EDIT) && p(&w, scc1).contains_key(PROGRAM_ADMIN));
    assert!(p(&w, scc2).contains_key(PROGRAM_PAY));

    // Only the Main Corporate Contact changes organisation information.
    let info = |name: &str| Command::UpdateOrgProfile {
        org,
        name: name.into(),
        profile: Profile {
            address: "HQ, 1 Standards Way".into(),
            ..Profile::default()
        },
    };
    let e = w.refuse(&acct(scc1), info("CertCo"));
    assert!(is_forbidden(&e));
    says(&e, &["only the Main Corporate Contact"]);
    w.run(&mcc_p, info("CertCo Ltd"));
    assert_eq!(w.dir.orgs[&org].name, "CertCo Ltd");

    // Program level: "Adding to a Program": a Contributor and a Viewer.
    let con = w.add(&mcc_p, org, "con@certco.example", true);
    let view = w.add(&mcc_p, org, "view@certco.example", true);
    let aff_p = acct(aff);
    w.run(
        &aff_p,
        Command::GrantProgramRole {
            program: prog,
            account: con,
            role: contributor,
            until: None,
        },
    );
    w.run(
        &aff_p,
        Command::GrantProgramRole {
            program: prog,
            account: view,
            role: viewer,
            until: None,
        },
    );
    assert!(p(&w, view).contains_key(PROGRAM_VIEW) && !p(&w, view).contains_key(PROGRAM_EDIT));
    assert!(p(&w, con).contains_key(PROGRAM_EDIT) && p(&w, con).contains_key(PROGRAM_SUBMIT));
    assert!(
        !p(&w, con).contains_key(PROGRAM_ADMIN),
        "only the Main Site Contact changes program information"
    );
    says(
        &w.refuse(
            &acct(con),
            Command::RenameProgram {
                program: prog,
                name: "Renamed".into(),
            },
        ),
        &["Main Site Contact"],
    );

    // A Contributor manages other Contributor and Viewer contacts…
    let con_p = acct(con);
    let extra = w.add(&mcc_p, org, "extra@certco.example", true);
    w.run(
        &con_p,
        Command::GrantProgramRole {
            program: prog,
            account: extra,
            role: viewer,
            until: None,
        },
    );
    w.run(
        &con_p,
        Command::ChangeProgramRole {
            program: prog,
            account: extra,
            from: viewer,
            to: contributor,
        },
    );
    w.run(
        &con_p,
        Command::RemoveFromProgram {
            program: prog,
            account: extra,
        },
    );
    // …but cannot designate a new Main Site Contact.
    let e = w.refuse(
        &con_p,
        Command::TransferProgram {
            program: prog,
            to: con,
        },
    );
    assert!(is_forbidden(&e));
    says(
        &e,
        &["only the Main Site Contact", "corporate-level contact"],
    );

    // Invitations to a program, with tracking of sent and accepted ones.
    let invite = |email: &str, role: RoleId| Command::Invite {
        org,
        email: email.into(),
        first_name: "Pat".into(),
        last_name: "Partner".into(),
        message: "Join the Widget program".into(),
        level: Level::Member,
        roles: vec![],
        programs: vec![ProgramOffer {
            program: prog,
            role,
        }],
        expires: None,
        secret_hash: Some("e".repeat(64)),
    };
    let sent_viewer = sent_invitation(&w.run(&con_p, invite("partner@ext.example", viewer)));
    // "Only the Main Site Contact or a Corporate Level Contact can invite someone to be the
    // new Main Site Contact."
    let e = w.refuse(&con_p, invite("boss@ext.example", site_contact));
    assert!(is_forbidden(&e));
    says(&e, &["only the Main Site Contact"]);
    let sent_msc = sent_invitation(&w.run(&aff_p, invite("boss@ext.example", site_contact)));
    // Also a Corporate Level Contact may (a second invitation to another person).
    w.run(&acct(scc2), invite("boss2@ext.example", site_contact));

    // "check what invitations have been sent and who has accepted".
    let of_program = |w: &World| -> Vec<(String, InvitationStatus)> {
        w.dir
            .invitations
            .values()
            .filter(|i| i.programs.iter().any(|o| o.program == prog))
            .map(|i| (i.email.clone(), i.status_at(w.now)))
            .collect()
    };
    assert!(
        of_program(&w)
            .iter()
            .all(|(_, s)| *s == InvitationStatus::Pending)
    );
    assert_eq!(of_program(&w).len(), 3);
    let partner = created_account(&w.run(
        &Principal::Anonymous,
        Command::AcceptInvitation {
            invitation: sent_viewer,
            secret_hash: Some("e".repeat(64)),
        },
    ));
    assert!(p(&w, partner).contains_key(PROGRAM_VIEW));
    let accepted: Vec<_> = of_program(&w)
        .into_iter()
        .filter(|(_, s)| *s == InvitationStatus::Accepted)
        .collect();
    assert_eq!(
        accepted,
        vec![(
            "partner@ext.example".to_string(),
            InvitationStatus::Accepted
        )]
    );

    // The new Main Site Contact accepts: exactly one per program, the former one stays on
    // as a Contributor.
    let boss = created_account(&w.run(
        &Principal::Anonymous,
        Command::AcceptInvitation {
            invitation: sent_msc,
            secret_hash: Some("e".repeat(64)),
        },
    ));
    assert_eq!(w.dir.programs[&prog].owner, boss);
    assert!(
        w.dir.programs[&prog].grants[&aff]
            .iter()
            .any(|g| g.role == contributor)
    );
    // The former Main Site Contact, now a Contributor, can no longer designate one.
    assert!(is_forbidden(&w.refuse(
        &aff_p,
        Command::TransferProgram {
            program: prog,
            to: aff
        }
    )));
    // A corporate contact can ("Editing Program Permissions As A Corporate Contact").
    w.run(
        &acct(scc1),
        Command::TransferProgram {
            program: prog,
            to: aff,
        },
    );
    w.run(
        &acct(scc1),
        Command::RemoveFromProgram {
            program: prog,
            account: con,
        },
    );
    assert!(p(&w, con).is_empty());

    // Adding to an organisation: an invitation at corporate level, tracked too.
    let corp = sent_invitation(&w.run(
        &acct(scc1),
        Command::Invite {
            org,
            email: "newscc@certco.example".into(),
            first_name: "Nia".into(),
            last_name: "New".into(),
            message: String::new(),
            level: Level::Admin,
            roles: vec![],
            programs: vec![],
            expires: None,
            secret_hash: Some("f".repeat(64)),
        },
    ));
    // An Affiliate cannot invite at corporate level.
    let e = w.refuse(
        &acct(view),
        Command::Invite {
            org,
            email: "x@certco.example".into(),
            first_name: String::new(),
            last_name: String::new(),
            message: String::new(),
            level: Level::Member,
            roles: vec![],
            programs: vec![],
            expires: None,
            secret_hash: None,
        },
    );
    says(&e, &["members.invite", "Secondary Corporate Contact"]);
    let nia = created_account(&w.run(
        &Principal::Anonymous,
        Command::AcceptInvitation {
            invitation: corp,
            secret_hash: Some("f".repeat(64)),
        },
    ));
    assert_eq!(w.level(nia), Level::Admin);
    assert_eq!(w.dir.invitations[&corp].status, InvitationStatus::Accepted);

    // "There is only one Main Corporate Contact", who can "designate a new/replacement".
    let e = w.refuse(&acct(scc1), Command::TransferOwnership { org, to: scc1 });
    says(&e, &["only the Main Corporate Contact"]);
    w.run(&mcc_p, Command::TransferOwnership { org, to: scc1 });
    assert_eq!(w.level(scc1), Level::Owner);
    assert_eq!(
        w.level(mcc),
        Level::Admin,
        "the former one becomes a Secondary Corporate Contact"
    );
    assert_eq!(
        w.dir
            .accounts_of(org)
            .filter(|a| a.level == Level::Owner)
            .count(),
        1
    );
    // The new one now changes organisation information; the former one no longer can.
    w.run(&acct(scc1), info("CertCo Group"));
    assert!(is_forbidden(&w.refuse(&mcc_p, info("CertCo Again"))));
}
