//! Shared fixtures for the core's integration tests: a world that runs commands through
//! `core::execute` and applies what they record, exactly as a backend would, and one
//! populated directory with every kind of principal the seeds talk about.
#![allow(dead_code)] // each test crate uses its own subset of the helpers

use jiff::{SignedDuration, Timestamp};
use roster::core::{
    AccountId, Builtin, Command, ContractId, Directory, DomainError, Event, GroupId, InvitationId,
    Level, OrgId, Principal, ProgramId, ProgramOffer, Recorded, RoleId, Scope, Settings, execute,
    invariants,
};
use std::collections::BTreeSet;

/// A directory plus a clock the test moves by hand, and the full log it was built from.
pub struct World {
    pub dir: Directory,
    pub now: Timestamp,
    pub log: Vec<Recorded>,
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

impl World {
    pub fn new() -> Self {
        World {
            dir: Directory::new(),
            now: t0(),
            log: vec![],
        }
    }

    /// Decides `cmd` and, when it is accepted, applies its events. A refusal must leave
    /// the directory exactly as it was.
    pub fn try_run(&mut self, who: &Principal, cmd: Command) -> Result<Vec<Recorded>, DomainError> {
        let before = snapshot(&self.dir);
        match execute(&self.dir, who, &cmd, self.now) {
            Ok(recs) => {
                for r in &recs {
                    self.dir.apply(r);
                }
                self.log.extend(recs.iter().cloned());
                let broken = invariants::violations(&self.dir, self.now);
                assert!(
                    broken.is_empty(),
                    "{cmd:?} by {who:?} broke invariants: {broken:?}"
                );
                Ok(recs)
            }
            Err(e) => {
                assert_eq!(
                    before,
                    snapshot(&self.dir),
                    "refused {cmd:?} changed the directory"
                );
                Err(e)
            }
        }
    }

    /// Runs a command that must be accepted.
    #[track_caller]
    pub fn run(&mut self, who: &Principal, cmd: Command) -> Vec<Recorded> {
        let shown = format!("{cmd:?}");
        match self.try_run(who, cmd) {
            Ok(r) => r,
            Err(e) => panic!("{shown} by {who:?} was refused: {e:?}"),
        }
    }

    /// Runs a command that must be refused, and returns the refusal.
    #[track_caller]
    pub fn refuse(&mut self, who: &Principal, cmd: Command) -> DomainError {
        let shown = format!("{cmd:?}");
        match self.try_run(who, cmd) {
            Ok(r) => panic!("{shown} by {who:?} was accepted: {r:?}"),
            Err(e) => e,
        }
    }

    pub fn advance_hours(&mut self, h: i64) {
        self.now += SignedDuration::from_hours(h);
    }

    pub fn create_org(
        &mut self,
        slug: &str,
        owner_email: &str,
        settings: Settings,
    ) -> (OrgId, AccountId) {
        let recs = self.run(
            &Principal::Operator,
            Command::CreateOrg {
                slug: slug.into(),
                name: slug.to_uppercase(),
                owner_email: owner_email.into(),
                owner_first_name: "Olivia".into(),
                owner_last_name: "Owner".into(),
                settings: Some(settings),
            },
        );
        let org = recs
            .iter()
            .find_map(|r| match &r.event {
                Event::OrgCreated { org, .. } => Some(org.id),
                _ => None,
            })
            .expect("an organisation was created");
        (org, created_account(&recs))
    }

    /// An account added by `by` (who must be allowed to add accounts).
    pub fn add(&mut self, by: &Principal, org: OrgId, email: &str, verified: bool) -> AccountId {
        let first = email.split('@').next().unwrap_or("x").to_string();
        let recs = self.run(
            by,
            Command::AddAccount {
                org,
                email: email.into(),
                first_name: first,
                last_name: "Tester".into(),
                verified,
            },
        );
        created_account(&recs)
    }

    pub fn role(
        &mut self,
        by: &Principal,
        org: OrgId,
        name: &str,
        scope: Scope,
        perms: &[&str],
        gate: Option<&str>,
    ) -> RoleId {
        let recs = self.run(
            by,
            Command::CreateRole {
                org,
                name: name.into(),
                description: String::new(),
                scope,
                permissions: perm_set(perms),
                gate: gate.map(String::from),
            },
        );
        recs.iter()
            .find_map(|r| match &r.event {
                Event::RoleCreated { role } => Some(role.id),
                _ => None,
            })
            .expect("a role was created")
    }

    pub fn group(&mut self, by: &Principal, org: OrgId, name: &str) -> GroupId {
        let recs = self.run(
            by,
            Command::CreateGroup {
                org,
                name: name.into(),
            },
        );
        recs.iter()
            .find_map(|r| match &r.event {
                Event::GroupCreated { group } => Some(group.id),
                _ => None,
            })
            .expect("a group was created")
    }

    pub fn program(
        &mut self,
        by: &Principal,
        org: OrgId,
        name: &str,
        owner: Option<AccountId>,
    ) -> ProgramId {
        let recs = self.run(
            by,
            Command::CreateProgram {
                org,
                name: name.into(),
                owner,
            },
        );
        recs.iter()
            .find_map(|r| match &r.event {
                Event::ProgramCreated { program } => Some(program.id),
                _ => None,
            })
            .expect("a program was created")
    }

    pub fn contract(&mut self, org: OrgId, product: &str, seats: u32) -> ContractId {
        let recs = self.run(
            &Principal::Operator,
            Command::CreateContract {
                org,
                product: product.into(),
                start: self.now - SignedDuration::from_hours(24),
                end: None,
                seats,
            },
        );
        recs.iter()
            .find_map(|r| match &r.event {
                Event::ContractCreated { contract } => Some(contract.id),
                _ => None,
            })
            .expect("a contract was created")
    }

    pub fn builtin(&self, org: OrgId, which: Builtin) -> RoleId {
        self.dir
            .builtin_role(org, which)
            .expect("built-in program role")
            .id
    }

    /// The organisation permissions an account holds now.
    pub fn perms_of(&self, id: AccountId) -> BTreeSet<String> {
        let a = &self.dir.accounts[&id];
        roster::core::policy::effective(&self.dir, a, self.now)
            .granted
            .into_keys()
            .collect()
    }

    pub fn level(&self, id: AccountId) -> Level {
        self.dir.accounts[&id].level
    }
}

/// The start of every test's clock: a fixed moment, never the machine's clock.
pub fn t0() -> Timestamp {
    "2026-03-01T09:00:00Z".parse().expect("a valid timestamp")
}

pub fn acct(id: AccountId) -> Principal {
    Principal::Account { id }
}

pub fn perm_set(perms: &[&str]) -> BTreeSet<String> {
    perms.iter().map(|p| p.to_string()).collect()
}

/// The directory as JSON: two directories are the same state when these are equal.
pub fn snapshot(dir: &Directory) -> String {
    serde_json::to_string(dir).expect("a directory always serialises")
}

/// The id of the account a command created.
pub fn created_account(recs: &[Recorded]) -> AccountId {
    recs.iter()
        .find_map(|r| match &r.event {
            Event::AccountCreated { account, .. } => Some(account.id),
            _ => None,
        })
        .expect("an account was created")
}

/// The id of the invitation a command sent.
pub fn sent_invitation(recs: &[Recorded]) -> InvitationId {
    recs.iter()
        .find_map(|r| match &r.event {
            Event::InvitationSent { invitation } => Some(invitation.id),
            _ => None,
        })
        .expect("an invitation was sent")
}

/// Settings with approval and self-registration switched as given.
pub fn settings(approval_required: bool, open_registration: bool) -> Settings {
    Settings {
        approval_required,
        open_registration,
        ..Settings::default()
    }
}

/// One populated directory with every kind of principal the seeds name.
///
/// Organisation A (`acme`) requires approval and accepts registrations; B (`globex`)
/// does neither. A holds a contract for the `IDaaS` product with two seats and a role
/// gated on it.
pub struct Fixture {
    pub w: World,
    pub a: OrgId,
    pub b: OrgId,
    // Organisation A
    pub owner: AccountId,
    pub admin: AccountId,
    pub admin2: AccountId,
    pub member: AccountId,
    pub unverified: AccountId,
    /// A member holding the custom "User management" role (seed 002).
    pub usermgr: AccountId,
    /// A member holding the custom "Role manager" role (roles.read, roles.manage).
    pub rolemgr: AccountId,
    pub prog_owner: AccountId,
    pub contributor: AccountId,
    pub viewer: AccountId,
    pub pending: AccountId,
    pub disabled: AccountId,
    pub integrator: AccountId,
    // Organisation B
    pub b_owner: AccountId,
    pub b_admin: AccountId,
    pub b_member: AccountId,
    // Roles of A
    pub usermgmt_role: RoleId,
    pub rolemgr_role: RoleId,
    pub billing_role: RoleId,
    pub reports_role: RoleId,
    pub integrator_role: RoleId,
    pub app_admin_role: RoleId,
    pub content_editor_role: RoleId,
    pub viewer_role: RoleId,
    pub contributor_role: RoleId,
    pub program_owner_role: RoleId,
    pub b_reports_role: RoleId,
    // Other entities
    pub portal: ProgramId,
    pub wiki: ProgramId,
    pub b_lab: ProgramId,
    pub ops: GroupId,
    pub b_staff: GroupId,
    pub contract: ContractId,
    /// A pending invitation to A (Reports role, Portal viewer) whose link secret hashes
    /// to `INVITE_SECRET`, and a pending one to B.
    pub invitation: InvitationId,
    pub b_invitation: InvitationId,
}

/// The stored hash of the fixture invitation's link secret.
pub const INVITE_SECRET: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl Fixture {
    pub fn build() -> Fixture {
        use roster::core::perms::*;
        let op = Principal::Operator;
        let mut w = World::new();
        let (a, owner) = w.create_org("acme", "owner@acme.example", settings(true, true));
        let o = acct(owner);
        let admin = w.add(&o, a, "admin@acme.example", true);
        let admin2 = w.add(&o, a, "admin2@acme.example", true);
        w.run(&o, Command::Promote { account: admin });
        w.run(&o, Command::Promote { account: admin2 });
        let member = w.add(&o, a, "member@acme.example", true);
        let unverified = w.add(&o, a, "unverified@acme.example", false);
        let usermgr = w.add(&o, a, "usermgr@acme.example", true);
        let rolemgr = w.add(&o, a, "rolemgr@acme.example", true);
        let prog_owner = w.add(&o, a, "site@acme.example", true);
        let contributor = w.add(&o, a, "contrib@acme.example", true);
        let viewer = w.add(&o, a, "viewer@acme.example", true);
        let integrator = w.add(&o, a, "integrator@acme.example", true);
        let disabled = w.add(&o, a, "gone@acme.example", true);
        w.run(&o, Command::Disable { account: disabled });
        let pending = created_account(&w.run(
            &Principal::Anonymous,
            Command::Register {
                org: a,
                email: "newcomer@acme.example".into(),
                first_name: "New".into(),
                last_name: "Comer".into(),
            },
        ));

        let usermgmt_role = w.role(
            &o,
            a,
            "User management",
            Scope::Org,
            &[
                MEMBERS_READ,
                MEMBERS_INVITE,
                MEMBERS_MANAGE,
                MEMBERS_APPROVE,
            ],
            None,
        );
        let rolemgr_role = w.role(
            &o,
            a,
            "Role manager",
            Scope::Org,
            &[ROLES_READ, ROLES_MANAGE],
            None,
        );
        let billing_role = w.role(&o, a, "Billing", Scope::Org, &[BILLING_MANAGE], None);
        let reports_role = w.role(&o, a, "Reports", Scope::Org, &["app:reports"], None);
        let integrator_role = w.role(
            &op,
            a,
            "Integrator",
            Scope::Org,
            &["app:control-desk"],
            Some("IDaaS"),
        );
        let app_admin_role = w.role(
            &o,
            a,
            "ADMIN",
            Scope::Program,
            &[PROGRAM_VIEW, PROGRAM_SETTINGS],
            None,
        );
        let content_editor_role = w.role(
            &o,
            a,
            "CONTENT_EDITOR",
            Scope::Program,
            &[PROGRAM_VIEW, PROGRAM_CONTENT],
            None,
        );
        let contract = w.contract(a, "IDaaS", 2);
        for (who, role) in [
            (usermgr, usermgmt_role),
            (rolemgr, rolemgr_role),
            (integrator, integrator_role),
        ] {
            w.run(
                &o,
                Command::GrantRole {
                    account: who,
                    role,
                    until: None,
                },
            );
        }
        let viewer_role = w.builtin(a, Builtin::Viewer);
        let contributor_role = w.builtin(a, Builtin::Contributor);
        let program_owner_role = w.builtin(a, Builtin::ProgramOwner);
        let portal = w.program(&o, a, "Portal", Some(prog_owner));
        let wiki = w.program(&o, a, "Wiki", None);
        for (who, role) in [(contributor, contributor_role), (viewer, viewer_role)] {
            w.run(
                &o,
                Command::GrantProgramRole {
                    program: portal,
                    account: who,
                    role,
                    until: None,
                },
            );
        }
        let ops = w.group(&o, a, "Ops");
        w.run(
            &o,
            Command::AddToGroup {
                group: ops,
                account: member,
            },
        );
        w.run(
            &o,
            Command::GrantGroupRole {
                group: ops,
                role: reports_role,
                until: None,
            },
        );

        let (b, b_owner) = w.create_org("globex", "owner@globex.example", settings(false, false));
        let bo = acct(b_owner);
        let b_admin = w.add(&bo, b, "admin@globex.example", true);
        w.run(&bo, Command::Promote { account: b_admin });
        // The same person can hold accounts in several organisations (seed 003).
        let b_member = w.add(&bo, b, "member@acme.example", true);
        let b_reports_role = w.role(&bo, b, "Reports", Scope::Org, &["app:reports"], None);
        let b_lab = w.program(&bo, b, "Lab", Some(b_member));
        let b_staff = w.group(&bo, b, "Staff");
        w.run(
            &bo,
            Command::AddToGroup {
                group: b_staff,
                account: b_member,
            },
        );

        let invitation = sent_invitation(&w.run(
            &o,
            Command::Invite {
                org: a,
                email: "invitee@acme.example".into(),
                first_name: "Ivy".into(),
                last_name: "Invitee".into(),
                message: "Welcome to the Portal".into(),
                level: Level::Member,
                roles: vec![reports_role],
                programs: vec![ProgramOffer {
                    program: portal,
                    role: viewer_role,
                }],
                expires: None,
                secret_hash: Some(INVITE_SECRET.into()),
            },
        ));
        let b_invitation = sent_invitation(&w.run(
            &bo,
            Command::Invite {
                org: b,
                email: "guest@globex.example".into(),
                first_name: "Gus".into(),
                last_name: String::new(),
                message: String::new(),
                level: Level::Member,
                roles: vec![],
                programs: vec![],
                expires: None,
                secret_hash: Some(INVITE_SECRET.into()),
            },
        ));

        Fixture {
            w,
            a,
            b,
            owner,
            admin,
            admin2,
            member,
            unverified,
            usermgr,
            rolemgr,
            prog_owner,
            contributor,
            viewer,
            pending,
            disabled,
            integrator,
            b_owner,
            b_admin,
            b_member,
            usermgmt_role,
            rolemgr_role,
            billing_role,
            reports_role,
            integrator_role,
            app_admin_role,
            content_editor_role,
            viewer_role,
            contributor_role,
            program_owner_role,
            b_reports_role,
            portal,
            wiki,
            b_lab,
            ops,
            b_staff,
            contract,
            invitation,
            b_invitation,
        }
    }
}
