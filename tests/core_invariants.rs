//! Random walks over the pure core. Starting from a populated two-organisation world,
//! random principals (the operator, owners, admins, members with custom roles, program
//! contacts, disabled and pending accounts, accounts of the other organisation, anonymous
//! visitors, deleted accounts) send random commands of every kind, with ids of existing,
//! deleted and never-existing entities and text full of control characters, while the
//! clock moves on. After every step the rules a person relies on must still hold:
//!
//! - the directory satisfies every invariant of DESIGN.md §2 (`invariants::violations`);
//! - a refused command changed nothing and says why in clean words;
//! - nobody changed anything in an organisation they do not belong to (operator excepted);
//! - nobody demoted, disabled, rejected or deleted themselves;
//! - contracts and contract-gated roles are made by the platform operator only;
//! - a member never hands out an organisation permission it does not hold itself;
//! - replaying the recorded log, or reloading a snapshot, rebuilds the same directory.

mod support;

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use roster::core::validate::is_unsafe_char;
use roster::core::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use support::{Fixture, snapshot};

// ----- what a step is, before it meets the directory -----

/// Who acts. `Named` indexes the fixture's cast; `Any` picks any account that exists
/// at that moment (including ones created during the walk).
#[derive(Clone, Debug)]
enum Who {
    Operator,
    Anonymous,
    /// An account id that never existed.
    Gone,
    Named(usize),
    Any(u16),
}

/// A moment relative to the step's `now`.
#[derive(Clone, Debug)]
enum When {
    Never,
    /// `now` minus this many hours (0 is `now` itself, which is not in the future).
    Past(u8),
    /// `now` plus this many hours plus one.
    Future(u8),
}

/// How a generated contract ends. Ends are either already over or far beyond the walk's
/// horizon, and starts are in the past: a contract ending (or starting) *by the clock*
/// while another for the same product stays in force changes the seats with no command
/// that `decide` could refuse. The seat rule is checked for every contract command; the
/// clock-driven case is a known open question, not something these walks exercise.
#[derive(Clone, Debug)]
enum End {
    Open,
    BeforeStart,
    AlreadyOver,
    FarFuture,
}

#[derive(Clone, Debug)]
struct SettingsT {
    approval_required: bool,
    open_registration: bool,
    invitation_ttl_hours: u32,
    reset_ttl_hours: u32,
    word: String,
    /// The word for the built-in viewer role, which renames that role.
    viewer_word: String,
}

/// Ids are picks resolved against the directory at the moment the step runs.
type P = u16;

#[derive(Clone, Debug)]
enum T {
    CreateOrg {
        slug: String,
        name: String,
        email: String,
        settings: Option<SettingsT>,
    },
    UpdateOrgProfile {
        org: P,
        name: String,
        address: String,
        website: String,
    },
    UpdateOrgSettings {
        org: P,
        settings: SettingsT,
    },
    TransferOwnership {
        org: P,
        to: P,
    },
    Register {
        org: P,
        email: String,
        first: String,
        last: String,
    },
    AddAccount {
        org: P,
        email: String,
        first: String,
        last: String,
        verified: bool,
    },
    Invite {
        org: P,
        email: String,
        first: String,
        last: String,
        message: String,
        level: Level,
        roles: Vec<P>,
        programs: Vec<(P, P)>,
        expires: Option<When>,
        secret: Option<u8>,
    },
    /// `link`: the invitee holds the real link (the stored hash is offered back);
    /// otherwise `secret` is a guess, or none at all.
    AcceptInvitation {
        inv: P,
        link: bool,
        secret: Option<u8>,
    },
    RevokeInvitation {
        inv: P,
    },
    ResendInvitation {
        inv: P,
        secret: Option<u8>,
    },
    ExpireInvitations {
        org: P,
    },
    EditAccount {
        account: P,
        current_version: bool,
        first: String,
        last: String,
        email: String,
    },
    Verify {
        account: P,
    },
    Enable {
        account: P,
    },
    Disable {
        account: P,
    },
    Approve {
        account: P,
    },
    Reject {
        account: P,
        reason: String,
    },
    Promote {
        account: P,
    },
    Demote {
        account: P,
    },
    DeleteAccount {
        account: P,
    },
    RequestPasswordReset {
        account: P,
        secret: Option<u8>,
    },
    CreateRole {
        org: P,
        name: String,
        scope: Scope,
        perms: Vec<&'static str>,
        gate: Option<String>,
    },
    EditRole {
        role: P,
        name: String,
        description: String,
        perms: Vec<&'static str>,
    },
    DeleteRole {
        role: P,
    },
    GrantRole {
        account: P,
        role: P,
        until: When,
    },
    RevokeRole {
        account: P,
        role: P,
    },
    RequestRole {
        role: P,
        program: Option<P>,
        note: String,
    },
    CreateGroup {
        org: P,
        name: String,
    },
    RenameGroup {
        group: P,
        name: String,
    },
    DeleteGroup {
        group: P,
    },
    AddToGroup {
        group: P,
        account: P,
    },
    RemoveFromGroup {
        group: P,
        account: P,
    },
    GrantGroupRole {
        group: P,
        role: P,
        until: When,
    },
    RevokeGroupRole {
        group: P,
        role: P,
    },
    CreateProgram {
        org: P,
        name: String,
        owner: Option<P>,
    },
    RenameProgram {
        program: P,
        name: String,
    },
    DeleteProgram {
        program: P,
    },
    GrantProgramRole {
        program: P,
        account: P,
        role: P,
        until: When,
    },
    ChangeProgramRole {
        program: P,
        account: P,
        from: P,
        to: P,
    },
    RevokeProgramRole {
        program: P,
        account: P,
        role: P,
    },
    RemoveFromProgram {
        program: P,
        account: P,
    },
    TransferProgram {
        program: P,
        to: P,
    },
    CreateContract {
        org: P,
        product: String,
        back_hours: u8,
        end: End,
        seats: u8,
    },
    SuspendContract {
        contract: P,
    },
    ResumeContract {
        contract: P,
    },
    EndContract {
        contract: P,
    },
    ChangeSeats {
        contract: P,
        seats: u8,
    },
    Decide {
        request: P,
        approve: bool,
        reason: String,
    },
}

#[derive(Clone, Debug)]
struct Step {
    who: Who,
    /// Half the time a command goes to whoever naturally sends it, whatever `who` says:
    /// visitors register and accept invitations, the operator creates organisations and
    /// manages contracts. Otherwise those would almost never get past the front door.
    natural: bool,
    cmd: T,
    /// Minutes the clock moves after the step.
    dt_minutes: u32,
}

// ----- strategies -----

const PERMS: &[&str] = &[
    perms::ORG_READ,
    perms::ORG_SETTINGS,
    perms::MEMBERS_READ,
    perms::MEMBERS_INVITE,
    perms::MEMBERS_MANAGE,
    perms::MEMBERS_APPROVE,
    perms::ROLES_READ,
    perms::ROLES_MANAGE,
    perms::GROUPS_MANAGE,
    perms::PROGRAMS_CREATE,
    perms::PROGRAMS_MANAGE,
    perms::BILLING_MANAGE,
    perms::PROGRAM_VIEW,
    perms::PROGRAM_CONTACTS,
    perms::PROGRAM_ADMIN,
    perms::PROGRAM_CONTENT,
    "app:reports",
    "app:control-desk",
    "Bad Perm",
    "evil\u{1b}[2J",
    "",
];

fn text() -> BoxedStrategy<String> {
    prop_oneof![
        16 => select(vec!["Alice", "Bob", "Zoë 李", "Ops", "Portal", "Reports", "Viewer", "ADMIN", "x", " Padded "])
            .prop_map(String::from),
        1 => Just(String::new()),
        1 => Just("   ".to_string()),
        2 => select(vec!["evil\u{1b}[2J", "bell\u{7}", "a\u{202E}b", "line\nbreak", "z\u{200B}w", "c1\u{9b}x", "nul\0"])
            .prop_map(String::from),
        1 => "[a-z]{95,130}",
        1 => any::<String>(),
    ]
    .boxed()
}

/// A person's name: mostly clean, since a command carrying several of them is refused
/// when any one is bad.
fn name() -> BoxedStrategy<String> {
    prop_oneof![
        6 => select(vec!["Alice", "Bob", "Zoë", "李", "O'Brien", "Anne-Marie"]).prop_map(String::from),
        1 => text(),
    ]
    .boxed()
}

fn email() -> BoxedStrategy<String> {
    prop_oneof![
        4 => (0u8..6).prop_map(|n| format!("person{n}@acme.example")),
        3 => select(vec![
            "owner@acme.example",
            "ADMIN@ACME.EXAMPLE",
            "member@acme.example",
            "Member@Acme.Example",
            "newcomer@acme.example",
            "owner@globex.example",
            "admin@globex.example",
        ])
        .prop_map(String::from),
        2 => select(vec!["not-an-email", "a@b", "", "x y@z.example", "evil\u{1b}@x.example", "@x.example", " spaced@acme.example "])
            .prop_map(String::from),
    ]
    .boxed()
}

fn when() -> BoxedStrategy<When> {
    prop_oneof![3 => Just(When::Never), 1 => (0u8..4).prop_map(When::Past), 2 => (0u8..200).prop_map(When::Future)].boxed()
}

fn perm_pick() -> BoxedStrategy<Vec<&'static str>> {
    prop::sample::subsequence(PERMS.to_vec(), 0..4).boxed()
}

fn settings_t() -> BoxedStrategy<SettingsT> {
    (
        any::<bool>(),
        any::<bool>(),
        select(vec![0u32, 1, 24, 168, 24 * 91]),
        select(vec![0u32, 1, 24, 168, 24 * 91]),
        prop_oneof![
            4 => Just("Admin".to_string()),
            1 => Just("Management Contact".to_string()),
            1 => Just(String::new()),
            1 => Just("boss\u{1b}".to_string()),
        ],
    )
        .prop_flat_map(|t| {
            (
                Just(t),
                select(vec![
                    "Viewer",
                    "Viewer",
                    "Reader",
                    "Reports",
                    "contributor",
                    "ADMIN",
                ]),
            )
        })
        .prop_map(
            |(
                (approval_required, open_registration, invitation_ttl_hours, reset_ttl_hours, word),
                viewer,
            )| SettingsT {
                approval_required,
                open_registration,
                invitation_ttl_hours,
                reset_ttl_hours,
                word,
                viewer_word: viewer.to_string(),
            },
        )
        .boxed()
}

fn secret() -> BoxedStrategy<Option<u8>> {
    prop::option::of(0u8..2).boxed()
}

fn org_cmds() -> BoxedStrategy<T> {
    let slug = select(vec![
        "acme",
        "globex",
        "ACME",
        "initech",
        "umbrella",
        "-bad",
        "x",
        "evil\u{1b}",
    ])
    .prop_map(String::from);
    prop_oneof![
        (slug, text(), email(), prop::option::of(settings_t())).prop_map(
            |(slug, name, email, settings)| T::CreateOrg {
                slug,
                name,
                email,
                settings
            }
        ),
        (any::<P>(), text(), text(), text()).prop_map(|(org, name, address, website)| {
            T::UpdateOrgProfile {
                org,
                name,
                address,
                website,
            }
        }),
        (any::<P>(), settings_t())
            .prop_map(|(org, settings)| T::UpdateOrgSettings { org, settings }),
        (any::<P>(), any::<P>()).prop_map(|(org, to)| T::TransferOwnership { org, to }),
        any::<P>().prop_map(|org| T::ExpireInvitations { org }),
    ]
    .boxed()
}

fn account_cmds() -> BoxedStrategy<T> {
    prop_oneof![
        (any::<P>(), email(), name(), name()).prop_map(|(org, email, first, last)| T::Register {
            org,
            email,
            first,
            last
        }),
        (any::<P>(), email(), name(), name(), any::<bool>()).prop_map(
            |(org, email, first, last, verified)| T::AddAccount {
                org,
                email,
                first,
                last,
                verified
            }
        ),
        (any::<P>(), any::<bool>(), name(), name(), email()).prop_map(
            |(account, current_version, first, last, email)| {
                T::EditAccount {
                    account,
                    current_version,
                    first,
                    last,
                    email,
                }
            }
        ),
        any::<P>().prop_map(|account| T::Verify { account }),
        any::<P>().prop_map(|account| T::Enable { account }),
        any::<P>().prop_map(|account| T::Disable { account }),
        any::<P>().prop_map(|account| T::Approve { account }),
        (any::<P>(), text()).prop_map(|(account, reason)| T::Reject { account, reason }),
        any::<P>().prop_map(|account| T::Promote { account }),
        any::<P>().prop_map(|account| T::Demote { account }),
    ]
    .boxed()
}

fn more_account_cmds() -> BoxedStrategy<T> {
    let level = select(vec![
        Level::Member,
        Level::Member,
        Level::Admin,
        Level::Owner,
    ]);
    prop_oneof![
        any::<P>().prop_map(|account| T::DeleteAccount { account }),
        (any::<P>(), secret()).prop_map(|(account, secret)| T::RequestPasswordReset { account, secret }),
        (
            any::<P>(),
            email(),
            name(),
            name(),
            name(),
            level,
            prop_oneof![3 => Just(vec![]), 1 => prop::collection::vec(any::<P>(), 1..3)],
            prop_oneof![3 => Just(vec![]), 1 => prop::collection::vec((any::<P>(), any::<P>()), 1..3)],
            prop::option::of(when()),
            secret(),
        )
            .prop_map(|(org, email, first, last, message, level, roles, programs, expires, secret)| T::Invite {
                org,
                email,
                first,
                last,
                message,
                level,
                roles,
                programs,
                expires,
                secret,
            }),
        (any::<P>(), any::<bool>(), secret())
            .prop_map(|(inv, link, secret)| T::AcceptInvitation { inv, link, secret }),
        any::<P>().prop_map(|inv| T::RevokeInvitation { inv }),
        (any::<P>(), secret()).prop_map(|(inv, secret)| T::ResendInvitation { inv, secret }),
        (any::<P>(), any::<bool>(), text()).prop_map(|(request, approve, reason)| T::Decide { request, approve, reason }),
    ]
    .boxed()
}

fn role_cmds() -> BoxedStrategy<T> {
    let scope = select(vec![Scope::Org, Scope::Program]);
    let gate = prop_oneof![
        6 => Just(None),
        2 => Just(Some("IDaaS".to_string())),
        1 => Just(Some("Other".to_string())),
        1 => Just(Some("bad\u{1b}".to_string())),
    ];
    prop_oneof![
        (any::<P>(), text(), scope, perm_pick(), gate).prop_map(
            |(org, name, scope, perms, gate)| T::CreateRole {
                org,
                name,
                scope,
                perms,
                gate
            }
        ),
        (any::<P>(), text(), text(), perm_pick()).prop_map(|(role, name, description, perms)| {
            T::EditRole {
                role,
                name,
                description,
                perms,
            }
        }),
        any::<P>().prop_map(|role| T::DeleteRole { role }),
        (any::<P>(), any::<P>(), when()).prop_map(|(account, role, until)| T::GrantRole {
            account,
            role,
            until
        }),
        (any::<P>(), any::<P>()).prop_map(|(account, role)| T::RevokeRole { account, role }),
        (any::<P>(), prop::option::of(any::<P>()), text()).prop_map(|(role, program, note)| {
            T::RequestRole {
                role,
                program,
                note,
            }
        }),
    ]
    .boxed()
}

fn group_cmds() -> BoxedStrategy<T> {
    prop_oneof![
        (any::<P>(), text()).prop_map(|(org, name)| T::CreateGroup { org, name }),
        (any::<P>(), text()).prop_map(|(group, name)| T::RenameGroup { group, name }),
        any::<P>().prop_map(|group| T::DeleteGroup { group }),
        (any::<P>(), any::<P>()).prop_map(|(group, account)| T::AddToGroup { group, account }),
        (any::<P>(), any::<P>()).prop_map(|(group, account)| T::RemoveFromGroup { group, account }),
        (any::<P>(), any::<P>(), when()).prop_map(|(group, role, until)| T::GrantGroupRole {
            group,
            role,
            until
        }),
        (any::<P>(), any::<P>()).prop_map(|(group, role)| T::RevokeGroupRole { group, role }),
    ]
    .boxed()
}

fn program_cmds() -> BoxedStrategy<T> {
    prop_oneof![
        (any::<P>(), text(), prop::option::of(any::<P>()))
            .prop_map(|(org, name, owner)| T::CreateProgram { org, name, owner }),
        (any::<P>(), text()).prop_map(|(program, name)| T::RenameProgram { program, name }),
        any::<P>().prop_map(|program| T::DeleteProgram { program }),
        (any::<P>(), any::<P>(), any::<P>(), when()).prop_map(|(program, account, role, until)| {
            T::GrantProgramRole {
                program,
                account,
                role,
                until,
            }
        }),
        (any::<P>(), any::<P>(), any::<P>(), any::<P>()).prop_map(
            |(program, account, from, to)| T::ChangeProgramRole {
                program,
                account,
                from,
                to
            }
        ),
        (any::<P>(), any::<P>(), any::<P>()).prop_map(|(program, account, role)| {
            T::RevokeProgramRole {
                program,
                account,
                role,
            }
        }),
        (any::<P>(), any::<P>())
            .prop_map(|(program, account)| T::RemoveFromProgram { program, account }),
        (any::<P>(), any::<P>()).prop_map(|(program, to)| T::TransferProgram { program, to }),
    ]
    .boxed()
}

fn contract_cmds() -> BoxedStrategy<T> {
    let product = select(vec!["IDaaS", "idaas", "Other", "bad\u{1b}"]).prop_map(String::from);
    let end = select(vec![
        End::Open,
        End::Open,
        End::BeforeStart,
        End::AlreadyOver,
        End::FarFuture,
    ]);
    prop_oneof![
        (any::<P>(), product, 0u8..48, end, 0u8..4).prop_map(
            |(org, product, back_hours, end, seats)| T::CreateContract {
                org,
                product,
                back_hours,
                end,
                seats
            }
        ),
        any::<P>().prop_map(|contract| T::SuspendContract { contract }),
        any::<P>().prop_map(|contract| T::ResumeContract { contract }),
        any::<P>().prop_map(|contract| T::EndContract { contract }),
        (any::<P>(), 0u8..4).prop_map(|(contract, seats)| T::ChangeSeats { contract, seats }),
    ]
    .boxed()
}

fn command() -> BoxedStrategy<T> {
    prop_oneof![
        2 => org_cmds(),
        4 => account_cmds(),
        3 => more_account_cmds(),
        3 => role_cmds(),
        2 => group_cmds(),
        3 => program_cmds(),
        1 => contract_cmds(),
    ]
    .boxed()
}

fn who() -> BoxedStrategy<Who> {
    prop_oneof![
        // The cast, weighted towards those who can do the most.
        12 => select(vec![0usize, 0, 1, 1, 1, 2, 3, 4, 5, 5, 5, 6, 6, 7, 7, 8, 8, 9, 10, 11, 12, 13, 14, 14, 15])
            .prop_map(Who::Named),
        3 => any::<u16>().prop_map(Who::Any),
        2 => Just(Who::Operator),
        2 => Just(Who::Anonymous),
        1 => Just(Who::Gone),
    ]
    .boxed()
}

fn step() -> BoxedStrategy<Step> {
    let dt =
        prop_oneof![3 => Just(0u32), 4 => 1u32..120, 1 => Just(25 * 60), 1 => Just(8 * 24 * 60)];
    (who(), any::<bool>(), command(), dt)
        .prop_map(|(who, natural, cmd, dt_minutes)| Step {
            who,
            natural,
            cmd,
            dt_minutes,
        })
        .boxed()
}

// ----- turning picks into real ids -----

/// How many named principals the fixture offers (see `cast`).
const CAST: usize = 16;

fn cast(fx: &Fixture) -> [AccountId; CAST] {
    [
        fx.owner,
        fx.admin,
        fx.admin2,
        fx.member,
        fx.unverified,
        fx.usermgr,
        fx.rolemgr,
        fx.prog_owner,
        fx.contributor,
        fx.viewer,
        fx.pending,
        fx.disabled,
        fx.integrator,
        fx.b_owner,
        fx.b_admin,
        fx.b_member,
    ]
}

/// Turns picks into ids. Three picks in four go to a *targeted* candidate: an entity of
/// the actor's own organisation in a state where the command can mean something (a
/// disabled account for `Enable`, a pending invitation for `Accept`, a role the account
/// holds for `Revoke` …), so walks get past the front door and reach deep states. The
/// rest are anything at all: any existing id of any organisation, or, one time in eight,
/// any number up to just past the counter (a deleted entity, an entity of another kind,
/// or one that never existed).
struct Resolver<'a> {
    dir: &'a Directory,
    /// The acting account's organisation; `None` for the operator and anonymous.
    home: Option<OrgId>,
    now: Timestamp,
}

impl Resolver<'_> {
    fn mine(&self, org: OrgId) -> bool {
        self.home.is_none_or(|h| h == org)
    }

    fn choose(&self, p: P, targeted: Vec<u64>, all: Vec<u64>) -> u64 {
        let rest = p as usize / 4;
        if p % 4 != 3 && !targeted.is_empty() {
            return targeted[rest % targeted.len()];
        }
        if rest % 8 == 7 || all.is_empty() {
            (rest / 8) as u64 % (self.dir.next_id + 2)
        } else {
            all[(rest / 8) % all.len()]
        }
    }

    fn pick_in<K: Copy, V>(
        &self,
        p: P,
        map: &BTreeMap<K, V>,
        org: impl Fn(&V) -> OrgId,
        ok: impl Fn(&V) -> bool,
        raw: impl Fn(K) -> u64,
    ) -> u64 {
        let targeted = map
            .iter()
            .filter(|(_, v)| self.mine(org(v)) && ok(v))
            .map(|(k, _)| raw(*k))
            .collect();
        let all = map.keys().map(|k| raw(*k)).collect();
        self.choose(p, targeted, all)
    }

    fn org(&self, p: P) -> OrgId {
        OrgId(self.pick_in(p, &self.dir.orgs, |o| o.id, |_| true, |k| k.0))
    }
    fn account(&self, p: P, ok: impl Fn(&Account) -> bool) -> AccountId {
        AccountId(self.pick_in(p, &self.dir.accounts, |a| a.org, |a| ok(a), |k| k.0))
    }
    fn role(&self, p: P, ok: impl Fn(&Role) -> bool) -> RoleId {
        RoleId(self.pick_in(p, &self.dir.roles, |r| r.org, ok, |k| k.0))
    }
    fn group(&self, p: P, ok: impl Fn(&Group) -> bool) -> GroupId {
        GroupId(self.pick_in(p, &self.dir.groups, |g| g.org, ok, |k| k.0))
    }
    fn program(&self, p: P, ok: impl Fn(&Program) -> bool) -> ProgramId {
        ProgramId(self.pick_in(p, &self.dir.programs, |x| x.org, ok, |k| k.0))
    }
    fn contract(&self, p: P, ok: impl Fn(&Contract) -> bool) -> ContractId {
        ContractId(self.pick_in(p, &self.dir.contracts, |c| c.org, ok, |k| k.0))
    }
    fn invitation(&self, p: P, ok: impl Fn(&Invitation) -> bool) -> InvitationId {
        InvitationId(self.pick_in(p, &self.dir.invitations, |i| i.org, ok, |k| k.0))
    }
    fn request(&self, p: P) -> RequestId {
        RequestId(self.pick_in(
            p,
            &self.dir.requests,
            |r| r.org,
            |r| r.status == RequestStatus::Pending,
            |k| k.0,
        ))
    }

    /// The roles an account holds in the organisation, or in one program.
    fn held(&self, account: AccountId, program: Option<ProgramId>) -> Vec<RoleId> {
        match program {
            None => self
                .dir
                .accounts
                .get(&account)
                .map(|a| a.roles.iter().map(|g| g.role).collect())
                .unwrap_or_default(),
            Some(p) => self
                .dir
                .programs
                .get(&p)
                .and_then(|p| p.grants.get(&account))
                .map(|gs| gs.iter().map(|g| g.role).collect())
                .unwrap_or_default(),
        }
    }

    fn contacts(&self, program: ProgramId) -> Vec<AccountId> {
        self.dir
            .programs
            .get(&program)
            .map(|p| p.grants.keys().copied().collect())
            .unwrap_or_default()
    }

    fn at(&self, w: &When) -> Option<Timestamp> {
        match w {
            When::Never => None,
            When::Past(h) => Some(self.now - SignedDuration::from_hours(*h as i64)),
            When::Future(h) => Some(self.now + SignedDuration::from_hours(*h as i64 + 1)),
        }
    }
}

fn settings_of(s: &SettingsT) -> Settings {
    let mut out = Settings {
        approval_required: s.approval_required,
        open_registration: s.open_registration,
        invitation_ttl_hours: s.invitation_ttl_hours,
        reset_ttl_hours: s.reset_ttl_hours,
        ..Settings::default()
    };
    out.terminology.admin = s.word.clone();
    out.terminology.program_viewer = s.viewer_word.clone();
    out
}

fn perms_of(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|p| p.to_string()).collect()
}

fn secret_of(s: &Option<u8>) -> Option<String> {
    s.map(|n| format!("{n:064x}"))
}

fn org_role(r: &Role) -> bool {
    r.scope == Scope::Org
}

fn program_role(r: &Role) -> bool {
    r.scope == Scope::Program
}

fn resolve(t: &T, dir: &Directory, who: &Principal, now: Timestamp) -> Command {
    let home = match who {
        Principal::Account { id } => dir.accounts.get(id).map(|a| a.org),
        _ => None,
    };
    let r = Resolver { dir, home, now };
    let any_account = |p: P| r.account(p, |_| true);
    match t.clone() {
        T::CreateOrg {
            slug,
            name,
            email,
            settings,
        } => Command::CreateOrg {
            slug,
            name,
            owner_email: email,
            owner_first_name: "Founder".into(),
            owner_last_name: String::new(),
            settings: settings.as_ref().map(settings_of),
        },
        T::UpdateOrgProfile {
            org,
            name,
            address,
            website,
        } => Command::UpdateOrgProfile {
            org: r.org(org),
            name,
            profile: Profile {
                address,
                website,
                description: String::new(),
            },
        },
        T::UpdateOrgSettings { org, settings } => Command::UpdateOrgSettings {
            org: r.org(org),
            settings: settings_of(&settings),
        },
        T::TransferOwnership { org, to } => {
            let org = r.org(org);
            Command::TransferOwnership {
                org,
                to: r.account(to, |a| {
                    a.org == org && a.active() && a.verified && a.level != Level::Owner
                }),
            }
        }
        T::Register {
            org,
            email,
            first,
            last,
            ..
        } => Command::Register {
            org: r.org(org),
            email,
            first_name: first,
            last_name: last,
        },
        T::AddAccount {
            org,
            email,
            first,
            last,
            verified,
        } => Command::AddAccount {
            org: r.org(org),
            email,
            first_name: first,
            last_name: last,
            verified,
        },
        T::Invite {
            org,
            email,
            first,
            last,
            message,
            level,
            roles,
            programs,
            expires,
            secret,
        } => {
            let org = r.org(org);
            Command::Invite {
                org,
                email,
                first_name: first,
                last_name: last,
                message,
                level,
                roles: roles
                    .into_iter()
                    .map(|p| r.role(p, |x| x.org == org && org_role(x)))
                    .collect(),
                programs: programs
                    .into_iter()
                    .map(|(p, q)| {
                        // The role matches the program's organisation, so that a program
                        // of another organisation is offered with a role that fits it.
                        let program = r.program(p, |x| x.org == org);
                        let of = dir.programs.get(&program).map(|x| x.org);
                        ProgramOffer {
                            program,
                            role: r.role(q, |x| Some(x.org) == of && program_role(x)),
                        }
                    })
                    .collect(),
                expires: expires.as_ref().and_then(|w| r.at(w)),
                secret_hash: secret_of(&secret),
            }
        }
        T::AcceptInvitation { inv, link, secret } => {
            let invitation = r.invitation(inv, |i| i.status_at(now) == InvitationStatus::Pending);
            let stored = dir
                .invitations
                .get(&invitation)
                .and_then(|i| i.secret_hash.clone());
            let secret_hash = if link { stored } else { secret_of(&secret) };
            Command::AcceptInvitation {
                invitation,
                secret_hash,
            }
        }
        T::RevokeInvitation { inv } => Command::RevokeInvitation {
            invitation: r.invitation(inv, |i| i.status_at(now) == InvitationStatus::Pending),
        },
        T::ResendInvitation { inv, secret } => Command::ResendInvitation {
            invitation: r.invitation(inv, |i| i.status_at(now) != InvitationStatus::Accepted),
            secret_hash: secret_of(&secret),
        },
        T::ExpireInvitations { org } => Command::ExpireInvitations { org: r.org(org) },
        T::EditAccount {
            account,
            current_version,
            first,
            last,
            email,
        } => {
            let id = any_account(account);
            let version = dir.accounts.get(&id).map_or(0, |x| x.version);
            Command::EditAccount {
                account: id,
                expected_version: if current_version {
                    version
                } else {
                    version + 1
                },
                first_name: first,
                last_name: last,
                email,
            }
        }
        T::Verify { account } => Command::Verify {
            account: r.account(account, |a| !a.verified),
        },
        T::Enable { account } => Command::Enable {
            account: r.account(account, |a| !a.enabled),
        },
        T::Disable { account } => Command::Disable {
            account: r.account(account, |a| a.enabled && a.level != Level::Owner),
        },
        T::Approve { account } => Command::Approve {
            account: r.account(account, |a| a.approval != Approval::Approved),
        },
        T::Reject { account, reason } => Command::Reject {
            account: r.account(account, |a| a.approval == Approval::Pending),
            reason,
        },
        T::Promote { account } => Command::Promote {
            account: r.account(account, |a| a.level == Level::Member && a.verified),
        },
        T::Demote { account } => Command::Demote {
            account: r.account(account, |a| a.level == Level::Admin),
        },
        T::DeleteAccount { account } => Command::DeleteAccount {
            account: r.account(account, |a| !a.enabled),
        },
        T::RequestPasswordReset { account, secret } => Command::RequestPasswordReset {
            account: any_account(account),
            secret_hash: secret_of(&secret),
        },
        T::CreateRole {
            org,
            name,
            scope,
            perms,
            gate,
        } => Command::CreateRole {
            org: r.org(org),
            name,
            description: String::new(),
            scope,
            permissions: perms_of(&perms),
            gate,
        },
        T::EditRole {
            role,
            name,
            description,
            perms,
        } => Command::EditRole {
            role: r.role(role, |x| x.builtin.is_none()),
            name,
            description,
            permissions: perms_of(&perms),
        },
        T::DeleteRole { role } => Command::DeleteRole {
            role: r.role(role, |x| x.builtin.is_none()),
        },
        T::GrantRole {
            account,
            role,
            until,
        } => {
            let account = any_account(account);
            let org = dir.accounts.get(&account).map(|a| a.org);
            Command::GrantRole {
                account,
                role: r.role(role, |x| Some(x.org) == org && org_role(x)),
                until: r.at(&until),
            }
        }
        T::RevokeRole { account, role } => {
            let account = r.account(account, |a| !a.roles.is_empty());
            let held = r.held(account, None);
            Command::RevokeRole {
                account,
                role: r.role(role, |x| held.contains(&x.id)),
            }
        }
        T::RequestRole {
            role,
            program,
            note,
        } => {
            let role = r.role(role, |x| x.builtin != Some(Builtin::ProgramOwner));
            let program = program.map(|p| r.program(p, |_| true));
            Command::RequestRole {
                role,
                program,
                note,
            }
        }
        T::CreateGroup { org, name } => Command::CreateGroup {
            org: r.org(org),
            name,
        },
        T::RenameGroup { group, name } => Command::RenameGroup {
            group: r.group(group, |_| true),
            name,
        },
        T::DeleteGroup { group } => Command::DeleteGroup {
            group: r.group(group, |_| true),
        },
        T::AddToGroup { group, account } => {
            let group = r.group(group, |_| true);
            let org = dir.groups.get(&group).map(|g| g.org);
            Command::AddToGroup {
                group,
                account: r.account(account, |a| Some(a.org) == org),
            }
        }
        T::RemoveFromGroup { group, account } => {
            let group = r.group(group, |g| !g.members.is_empty());
            let members: Vec<AccountId> = dir
                .groups
                .get(&group)
                .map(|g| g.members.iter().copied().collect())
                .unwrap_or_default();
            Command::RemoveFromGroup {
                group,
                account: r.account(account, |a| members.contains(&a.id)),
            }
        }
        T::GrantGroupRole { group, role, until } => {
            let group = r.group(group, |_| true);
            let org = dir.groups.get(&group).map(|g| g.org);
            Command::GrantGroupRole {
                group,
                role: r.role(role, |x| Some(x.org) == org && org_role(x)),
                until: r.at(&until),
            }
        }
        T::RevokeGroupRole { group, role } => {
            let group = r.group(group, |g| !g.roles.is_empty());
            let held: Vec<RoleId> = dir
                .groups
                .get(&group)
                .map(|g| g.roles.iter().map(|x| x.role).collect())
                .unwrap_or_default();
            Command::RevokeGroupRole {
                group,
                role: r.role(role, |x| held.contains(&x.id)),
            }
        }
        T::CreateProgram { org, name, owner } => {
            let org = r.org(org);
            Command::CreateProgram {
                org,
                name,
                owner: owner.map(|p| r.account(p, |a| a.org == org && a.enabled)),
            }
        }
        T::RenameProgram { program, name } => Command::RenameProgram {
            program: r.program(program, |_| true),
            name,
        },
        T::DeleteProgram { program } => Command::DeleteProgram {
            program: r.program(program, |_| true),
        },
        T::GrantProgramRole {
            program,
            account,
            role,
            until,
        } => {
            let program = r.program(program, |_| true);
            let org = dir.programs.get(&program).map(|p| p.org);
            Command::GrantProgramRole {
                program,
                account: r.account(account, |a| Some(a.org) == org),
                role: r.role(role, |x| Some(x.org) == org && program_role(x)),
                until: r.at(&until),
            }
        }
        T::ChangeProgramRole {
            program,
            account,
            from,
            to,
        } => {
            let program = r.program(program, |p| !p.grants.is_empty());
            let org = dir.programs.get(&program).map(|p| p.org);
            let contacts = r.contacts(program);
            let account = r.account(account, |a| contacts.contains(&a.id));
            let held = r.held(account, Some(program));
            Command::ChangeProgramRole {
                program,
                account,
                from: r.role(from, |x| held.contains(&x.id)),
                to: r.role(to, |x| Some(x.org) == org && program_role(x)),
            }
        }
        T::RevokeProgramRole {
            program,
            account,
            role,
        } => {
            let program = r.program(program, |p| !p.grants.is_empty());
            let contacts = r.contacts(program);
            let account = r.account(account, |a| contacts.contains(&a.id));
            let held = r.held(account, Some(program));
            Command::RevokeProgramRole {
                program,
                account,
                role: r.role(role, |x| held.contains(&x.id)),
            }
        }
        T::RemoveFromProgram { program, account } => {
            let program = r.program(program, |p| !p.grants.is_empty());
            let contacts = r.contacts(program);
            Command::RemoveFromProgram {
                program,
                account: r.account(account, |a| contacts.contains(&a.id)),
            }
        }
        T::TransferProgram { program, to } => {
            let program = r.program(program, |_| true);
            let org = dir.programs.get(&program).map(|p| p.org);
            Command::TransferProgram {
                program,
                to: r.account(to, |a| Some(a.org) == org && a.enabled),
            }
        }
        T::CreateContract {
            org,
            product,
            back_hours,
            end,
            seats,
        } => {
            let start = now - SignedDuration::from_hours(back_hours as i64 + 2);
            let end = match end {
                End::Open => None,
                End::BeforeStart => Some(start - SignedDuration::from_hours(1)),
                End::AlreadyOver => Some(now - SignedDuration::from_hours(1)),
                End::FarFuture => Some(now + SignedDuration::from_hours(24 * 5000)),
            };
            Command::CreateContract {
                org: r.org(org),
                product,
                start,
                end,
                seats: seats as u32,
            }
        }
        T::SuspendContract { contract } => Command::SuspendContract {
            contract: r.contract(contract, |c| c.status == ContractStatus::Active),
        },
        T::ResumeContract { contract } => Command::ResumeContract {
            contract: r.contract(contract, |c| c.status == ContractStatus::Suspended),
        },
        T::EndContract { contract } => Command::EndContract {
            contract: r.contract(contract, |c| c.status != ContractStatus::Ended),
        },
        T::ChangeSeats { contract, seats } => Command::ChangeSeats {
            contract: r.contract(contract, |_| true),
            seats: seats as u32,
        },
        T::Decide {
            request,
            approve,
            reason,
        } => Command::Decide {
            request: r.request(request),
            approve,
            reason,
        },
    }
}

fn principal(who: &Who, cast: &[AccountId; CAST], dir: &Directory) -> Principal {
    match who {
        Who::Operator => Principal::Operator,
        Who::Anonymous => Principal::Anonymous,
        Who::Gone => Principal::Account {
            id: AccountId(u64::MAX),
        },
        Who::Named(i) => Principal::Account {
            id: cast[*i % CAST],
        },
        Who::Any(p) => {
            let ids: Vec<AccountId> = dir.accounts.keys().copied().collect();
            match ids.is_empty() {
                true => Principal::Anonymous,
                false => Principal::Account {
                    id: ids[*p as usize % ids.len()],
                },
            }
        }
    }
}

// ----- the properties checked after every step -----

/// The organisations whose data differ between two directories.
fn touched_orgs(before: &Directory, after: &Directory) -> BTreeSet<OrgId> {
    let mut out = BTreeSet::new();
    macro_rules! diff {
        ($field:ident, $org:expr) => {
            let keys: BTreeSet<_> = before.$field.keys().chain(after.$field.keys()).collect();
            for k in keys {
                let (x, y) = (before.$field.get(k), after.$field.get(k));
                if x != y {
                    let e = x.or(y).expect("a key comes from one of the maps");
                    out.insert($org(e));
                }
            }
        };
    }
    diff!(orgs, |o: &Org| o.id);
    diff!(accounts, |a: &Account| a.org);
    diff!(roles, |r: &Role| r.org);
    diff!(groups, |g: &Group| g.org);
    diff!(programs, |p: &Program| p.org);
    diff!(contracts, |c: &Contract| c.org);
    diff!(invitations, |i: &Invitation| i.org);
    diff!(requests, |r: &ApprovalRequest| r.org);
    diff!(resets, |r: &ResetRequest| r.org);
    out
}

fn operator_only(cmd: &Command) -> bool {
    matches!(
        cmd,
        Command::CreateOrg { .. }
            | Command::CreateContract { .. }
            | Command::SuspendContract { .. }
            | Command::ResumeContract { .. }
            | Command::EndContract { .. }
            | Command::ChangeSeats { .. }
            | Command::CreateRole { gate: Some(_), .. }
    )
}

/// Commands that may legitimately give an account back permissions it already had on
/// record (re-enabling, approving a join, accepting what someone else offered): the
/// anti-escalation property does not apply to them. Approving a *role* request does not
/// count: that confers a role, and must respect anti-escalation.
fn restores_recorded_rights(cmd: &Command, prev: &Directory) -> bool {
    match cmd {
        Command::Enable { .. } | Command::Approve { .. } | Command::AcceptInvitation { .. } => true,
        Command::Decide { request, .. } => prev
            .requests
            .get(request)
            .is_some_and(|r| r.kind == RequestKind::Join),
        _ => false,
    }
}

/// Counts of accepted and refused commands by verb over the whole run, to show the walk
/// reaches deep states rather than bouncing off refusals.
type Stats = BTreeMap<&'static str, (u32, u32)>;

fn walk(fx: &Fixture, steps: &[Step], stats: &RefCell<Stats>) -> Result<(), TestCaseError> {
    let cast = cast(fx);
    let mut dir = fx.w.dir.clone();
    let mut log = fx.w.log.clone();
    let mut now = fx.w.now;
    for (n, step) in steps.iter().enumerate() {
        let who = match (&step.cmd, step.natural) {
            (T::Register { .. } | T::AcceptInvitation { .. }, true) => Principal::Anonymous,
            (
                T::CreateOrg { .. }
                | T::CreateContract { .. }
                | T::SuspendContract { .. }
                | T::ResumeContract { .. }
                | T::EndContract { .. }
                | T::ChangeSeats { .. },
                true,
            ) => Principal::Operator,
            _ => principal(&step.who, &cast, &dir),
        };
        let cmd = resolve(&step.cmd, &dir, &who, now);
        let ctx = format!("step {n}: {cmd:?} by {who:?} at {now}");
        let before = snapshot(&dir);
        let outcome = execute(&dir, &who, &cmd, now);
        {
            let mut s = stats.borrow_mut();
            let e = s.entry(cmd.verb()).or_default();
            match outcome {
                Ok(_) => e.0 += 1,
                Err(_) => e.1 += 1,
            }
        }
        match outcome {
            Err(e) => {
                prop_assert_eq!(
                    &before,
                    &snapshot(&dir),
                    "a refusal changed the directory at {}",
                    ctx
                );
                let msg = e.message();
                prop_assert!(
                    !msg.trim().is_empty(),
                    "a refusal without a reason at {}",
                    ctx
                );
                prop_assert!(
                    !msg.chars().any(|c| c != '\n' && is_unsafe_char(c)),
                    "refusal {:?} carries control characters to the screen at {}",
                    msg,
                    ctx
                );
                let words = match &who {
                    Principal::Account { id } => dir
                        .accounts
                        .get(id)
                        .and_then(|a| dir.orgs.get(&a.org))
                        .map(|o| &o.settings.terminology),
                    _ => None,
                };
                let terms: Vec<String> = dir
                    .orgs
                    .values()
                    .flat_map(|o| terms_of(&o.settings.terminology))
                    .collect();
                let faults = refusal_faults(msg, words, &terms);
                prop_assert!(
                    faults.is_empty(),
                    "refusal {:?} reads badly ({:?}) at {}",
                    msg,
                    faults,
                    ctx
                );
            }
            Ok(recs) => {
                let prev = dir.clone();
                for (i, r) in recs.iter().enumerate() {
                    prop_assert_eq!(
                        r.seq,
                        prev.seq + 1 + i as u64,
                        "events are numbered in order at {}",
                        ctx
                    );
                    prop_assert_eq!(r.at, now);
                    prop_assert_eq!(&r.actor, &who);
                    // The audit trail files every change under an organisation.
                    prop_assert!(
                        r.org.is_some(),
                        "an event without an organisation at {}",
                        ctx
                    );
                    dir.apply(r);
                }
                // A success that records nothing would be invisible in the audit trail;
                // "nothing to change" is a refusal. Only the expiry sweep may find nothing.
                prop_assert!(
                    !recs.is_empty() || matches!(cmd, Command::ExpireInvitations { .. }),
                    "accepted without recording anything at {}",
                    ctx
                );
                log.extend(recs);
                check_accepted(&prev, &dir, &who, &cmd, now)
                    .map_err(|m| TestCaseError::fail(format!("{m} at {ctx}")))?;
            }
        }
        now += SignedDuration::from_mins(step.dt_minutes as i64);
        let broken = invariants::violations(&dir, now);
        prop_assert!(
            broken.is_empty(),
            "invariants broken after {}: {:?}",
            ctx,
            broken
        );
        let reached = effective_violations(&dir, now);
        prop_assert!(
            reached.is_empty(),
            "effective permissions break a rule after {}: {:?}",
            ctx,
            reached
        );
    }

    // The log is the storage: replaying it must rebuild exactly this directory.
    let mut replayed = Directory::new();
    for r in &log {
        replayed.apply(r);
    }
    prop_assert_eq!(
        snapshot(&replayed),
        snapshot(&dir),
        "replaying the log gives a different directory"
    );
    // A snapshot read back (and reindexed) is the same directory with working indexes.
    let mut loaded: Directory =
        serde_json::from_str(&snapshot(&dir)).map_err(|e| TestCaseError::fail(e.to_string()))?;
    loaded.reindex();
    prop_assert_eq!(snapshot(&loaded), snapshot(&dir));
    let broken = invariants::violations(&loaded, now);
    prop_assert!(
        broken.is_empty(),
        "a reloaded snapshot breaks invariants: {:?}",
        broken
    );
    Ok(())
}

/// What is wrong with the wording of a refusal, if anything: a phrase said twice
/// ("the store is busy: the store … is busy"), a placeholder or Debug output left in,
/// "1 seats" or "a IDaaS", and, when the refusal is read by someone of an organisation
/// with its own words (`words`), roster's built-in "admin"/"owner" where the
/// organisation's word belongs.
fn refusal_faults(msg: &str, words: Option<&Terminology>, terms: &[String]) -> Vec<String> {
    let mut faults = vec![];
    // Emails are names, not words: "admin@acme.example" says nothing about terminology.
    let mut text: String = msg
        .split(' ')
        .map(|w| if w.contains('@') { "<email>" } else { w })
        .collect::<Vec<_>>()
        .join(" ");
    for marker in ["TODO", "Some(", "None", "Id(", "{}", "{:?}", "[]"] {
        if text.contains(marker) {
            faults.push(format!("placeholder or Debug text {marker:?}"));
        }
    }
    // A format placeholder such as "{seats}", but not an escaped character ("\u{b}").
    let bytes: Vec<char> = text.chars().collect();
    for (i, c) in bytes.iter().enumerate() {
        if *c == '{' && !(i >= 2 && bytes[i - 2] == '\\' && bytes[i - 1] == 'u') {
            let rest: String = bytes[i + 1..].iter().take_while(|c| **c != '}').collect();
            if rest.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                && bytes.len() > i + 1 + rest.len()
            {
                faults.push(format!("placeholder {{{rest}}}"));
            }
        }
    }
    let plain = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
    let tokens: Vec<String> = text.split_whitespace().map(plain).collect();
    for pair in tokens.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a == "1" && b.ends_with('s') && !b.ends_with("ss") {
            faults.push(format!("\"1 {b}\""));
        }
        let vowel = b
            .chars()
            .next()
            .is_some_and(|c| matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o'));
        if (a == "a" || a == "A") && vowel {
            faults.push(format!("\"a {b}\""));
        }
    }
    // An organisation's word is one name however many words it has: "only a Management
    // Contact can make someone a Management Contact" says nothing twice.
    let mut collapsed = text.clone();
    let mut terms: Vec<&String> = terms.iter().filter(|t| t.contains(' ')).collect();
    terms.sort_by_key(|x| std::cmp::Reverse(x.len()));
    for (i, t) in terms.into_iter().enumerate() {
        collapsed = collapsed.replace(t.as_str(), &format!("term{i}"));
    }
    let lower: Vec<String> = collapsed
        .split_whitespace()
        .map(|t| plain(t).to_lowercase())
        .collect();
    let mut seen = BTreeSet::new();
    for three in lower.windows(3) {
        if three.iter().any(|w| w.is_empty()) {
            continue;
        }
        if !seen.insert(three.join(" ")) {
            faults.push(format!("\"{}\" twice", three.join(" ")));
        }
    }
    if let Some(w) = words {
        // The organisation's own words may contain roster's ("Program owner"): take them
        // out first, longest first, so only a stray built-in word is left to find.
        let mut own = vec![
            &w.owner,
            &w.admin,
            &w.member,
            &w.program,
            &w.program_owner,
            &w.program_contributor,
            &w.program_viewer,
        ];
        own.sort_by_key(|x| std::cmp::Reverse(x.len()));
        for word in own.into_iter().filter(|x| !x.is_empty()) {
            text = text.replace(word.as_str(), " ");
        }
        for (builtin, theirs) in [("admin", &w.admin), ("owner", &w.owner)] {
            if theirs.eq_ignore_ascii_case(builtin) {
                continue;
            }
            // A refusal about the setting itself names it by roster's word.
            let text = text.replace(&format!("the word for {builtin}"), " ");
            // "ADMIN" is a role name in the fixture, not the level.
            if text
                .split_whitespace()
                .map(plain)
                .any(|t| t == builtin || t == capitalised(builtin))
            {
                faults.push(format!(
                    "says \"{builtin}\" where the organisation says \"{theirs}\""
                ));
            }
        }
    }
    faults
}

fn terms_of(w: &Terminology) -> Vec<String> {
    [
        &w.owner,
        &w.admin,
        &w.member,
        &w.program,
        &w.program_owner,
        &w.program_contributor,
        &w.program_viewer,
    ]
    .into_iter()
    .cloned()
    .collect()
}

fn capitalised(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The rules about *who* may have caused an accepted change.
fn check_accepted(
    prev: &Directory,
    dir: &Directory,
    who: &Principal,
    cmd: &Command,
    now: Timestamp,
) -> Result<(), String> {
    let touched = touched_orgs(prev, dir);
    match who {
        Principal::Operator => return Ok(()),
        Principal::Anonymous => {
            let allowed = match cmd {
                Command::Register { org, .. } => Some(*org),
                Command::AcceptInvitation { invitation, .. } => {
                    prev.invitations.get(invitation).map(|i| i.org)
                }
                _ => return Err(
                    "an anonymous visitor changed something other than by registering or accepting"
                        .into(),
                ),
            };
            if touched.iter().any(|o| Some(*o) != allowed) {
                return Err(format!("an anonymous visitor touched {touched:?}"));
            }
        }
        Principal::Account { id } => {
            let me = prev.accounts.get(id).ok_or("a missing account acted")?;
            if !me.active() {
                return Err(format!("{} acted while disabled or unapproved", me.email));
            }
            if touched.iter().any(|o| *o != me.org) {
                return Err(format!(
                    "{} changed organisations {touched:?}, not only its own {}",
                    me.email, me.org
                ));
            }
            if operator_only(cmd) {
                return Err(format!(
                    "{} did what only the platform operator may",
                    me.email
                ));
            }
            let after = dir
                .accounts
                .get(id)
                .ok_or_else(|| format!("{} deleted itself", me.email))?;
            if !after.enabled {
                return Err(format!("{} disabled itself", me.email));
            }
            if after.approval != Approval::Approved {
                return Err(format!("{} unapproved itself", me.email));
            }
            let handed_over =
                matches!(cmd, Command::TransferOwnership { .. }) && me.level == Level::Owner;
            if after.level < me.level && !handed_over {
                return Err(format!("{} demoted itself", me.email));
            }
            // Anti-escalation: a member hands out no organisation permission it lacks.
            if me.level == Level::Member && !restores_recorded_rights(cmd, prev) {
                let mine = policy::effective(prev, me, now).granted;
                for other in dir.accounts_of(me.org) {
                    let had: BTreeSet<String> = prev
                        .accounts
                        .get(&other.id)
                        .map(|o| {
                            policy::effective(prev, o, now)
                                .granted
                                .into_keys()
                                .collect()
                        })
                        .unwrap_or_default();
                    for p in policy::effective(dir, other, now).granted.keys() {
                        if !had.contains(p) && !mine.contains_key(p) {
                            return Err(format!(
                                "{} gave {} the {p} permission it does not hold",
                                me.email, other.email
                            ));
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

#[test]
fn random_walks_keep_every_invariant() {
    let fx = Fixture::build();
    // 128 walks of up to 60 steps take a few seconds in a debug build; PROPTEST_CASES
    // asks for more on a quiet machine.
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128);
    let config = ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = TestRunner::new(config);
    let stats = RefCell::new(Stats::new());
    let strategy = prop::collection::vec(step(), 1..=60);
    if let Err(e) = runner.run(&strategy, |steps| walk(&fx, &steps, &stats)) {
        panic!("{e}");
    }
    // The walk must get past the front door: if nearly everything were refused, the
    // properties above would hold vacuously.
    let stats = stats.into_inner();
    let accepted: Vec<&str> = stats
        .iter()
        .filter(|(_, (ok, _))| *ok > 0)
        .map(|(v, _)| *v)
        .collect();
    eprintln!("accepted/refused by verb: {stats:?}");
    // These are each accepted a dozen times or more in a usual run of 128 walks; the
    // chance that a sound generator gets none of one is negligible.
    for verb in [
        "disable",
        "delete",
        "promote",
        "demote",
        "grant role",
        "add account",
        "transfer ownership",
        "transfer program",
        "decide",
        "register",
        "suspend contract",
    ] {
        assert!(
            accepted.contains(&verb),
            "no '{verb}' was ever accepted: the generator is too timid ({stats:?})"
        );
    }
    assert!(
        accepted.len() >= 36,
        "only {} kinds of command were ever accepted: {stats:?}",
        accepted.len()
    );
}

/// Every refusal the walk produces reads well in an organisation with its own words
/// (seed 001's): organisation A calls its levels Principal Contact, Management Contact
/// and Main User, so a refusal to one of its accounts that says "admin" or "owner" has
/// forgotten whose organisation it speaks to. `walk` checks each refusal's wording.
#[test]
fn refusals_read_well_in_the_organisations_own_words() {
    let mut fx = Fixture::build();
    let mut settings = fx.w.dir.orgs[&fx.a].settings.clone();
    settings.terminology.owner = "Principal Contact".into();
    settings.terminology.admin = "Management Contact".into();
    settings.terminology.member = "Main User".into();
    settings.terminology.program_owner = "Site Lead".into();
    fx.w.run(
        &Principal::Account { id: fx.owner },
        Command::UpdateOrgSettings {
            org: fx.a,
            settings,
        },
    );
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(96);
    let config = ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = TestRunner::new(config);
    let stats = RefCell::new(Stats::new());
    let strategy = prop::collection::vec(step(), 1..=60);
    if let Err(e) = runner.run(&strategy, |steps| walk(&fx, &steps, &stats)) {
        panic!("{e}");
    }
    let refused: u32 = stats.into_inner().values().map(|(_, no)| no).sum();
    assert!(refused > 500, "too few refusals to judge: {refused}");
}

/// The wording check itself must see each fault it is there for.
#[test]
fn the_wording_check_sees_each_fault() {
    let w = Terminology {
        admin: "Management Contact".into(),
        owner: "Principal Contact".into(),
        ..Terminology::default()
    };
    for (bad, why) in [
        ("the store is busy: the store is busy", "twice"),
        ("all 1 seats are taken", "1 seats"),
        ("created a idaas contract", "a idaas"),
        ("no account AccountId(5)", "Debug"),
        ("no account {id}", "placeholder"),
        ("ask another Admin", "admin"),
        ("a@b.example is the owner", "owner"),
    ] {
        assert!(
            !refusal_faults(bad, Some(&w), &terms_of(&w)).is_empty(),
            "{bad:?} should be caught ({why})"
        );
    }
    for good in [
        "admin@acme.example is a Management Contact: ask the Principal Contact (owner@acme.example)",
        "bad name \\u{1b}x: use plain text",
        "the only seat of the IDaaS contract is taken for Integrator",
        "only a Management Contact can make someone a Management Contact",
    ] {
        assert_eq!(
            refusal_faults(good, Some(&w), &terms_of(&w)),
            Vec::<String>::new(),
            "{good:?}"
        );
    }
}

#[test]
fn the_fixture_itself_is_sound() {
    let fx = Fixture::build();
    assert_eq!(
        invariants::violations(&fx.w.dir, fx.w.now),
        Vec::<String>::new()
    );
    let mut replayed = Directory::new();
    for r in &fx.w.log {
        replayed.apply(r);
    }
    assert_eq!(snapshot(&replayed), snapshot(&fx.w.dir));
}

/// The checker the walks rely on must itself see each kind of broken directory; if it
/// reported nothing for these, every walk above would pass vacuously.
#[test]
fn the_checker_sees_each_broken_invariant() {
    let fx = Fixture::build();
    let now = fx.w.now;
    type Break<'a> = Box<dyn Fn(&mut Directory) + 'a>;
    let cases: Vec<(&str, Break)> = vec![
        (
            "owners",
            Box::new(|d| {
                std::sync::Arc::make_mut(d.accounts.get_mut(&fx.member).unwrap()).level =
                    Level::Owner
            }),
        ),
        (
            "not enabled, approved and verified",
            Box::new(|d| {
                std::sync::Arc::make_mut(d.accounts.get_mut(&fx.owner).unwrap()).enabled = false
            }),
        ),
        (
            "but not verified",
            Box::new(|d| {
                std::sync::Arc::make_mut(d.accounts.get_mut(&fx.admin).unwrap()).verified = false
            }),
        ),
        (
            "no enabled owner",
            Box::new(|d| d.programs.get_mut(&fx.portal).unwrap().owner = fx.b_member),
        ),
        (
            "outside its organisation",
            Box::new(|d| {
                d.groups
                    .get_mut(&fx.ops)
                    .unwrap()
                    .members
                    .insert(fx.b_member);
            }),
        ),
        (
            "not an organisation role of its own",
            Box::new(|d| {
                std::sync::Arc::make_mut(d.accounts.get_mut(&fx.member).unwrap())
                    .roles
                    .push(Grant {
                        role: fx.b_reports_role,
                        until: None,
                    });
            }),
        ),
        (
            "seats",
            Box::new(|d| d.contracts.get_mut(&fx.contract).unwrap().seats = 0),
        ),
        (
            "are named",
            Box::new(|d| d.roles.get_mut(&fx.billing_role).unwrap().name = "reports".into()),
        ),
        (
            "does not exist",
            Box::new(|d| {
                d.orgs.remove(&fx.b);
            }),
        ),
        (
            "email index",
            Box::new(|d| {
                std::sync::Arc::make_mut(d.accounts.get_mut(&fx.member).unwrap()).email =
                    "moved@acme.example".into()
            }),
        ),
        (
            "accepted without an account",
            Box::new(|d| {
                d.invitations.get_mut(&fx.invitation).unwrap().status = InvitationStatus::Accepted;
            }),
        ),
    ];
    for (words, break_it) in cases {
        let mut d = fx.w.dir.clone();
        break_it(&mut d);
        let found = invariants::violations(&d, now);
        assert!(
            found.iter().any(|v| v.contains(words)),
            "expected a violation about '{words}', got {found:?}"
        );
    }
}

/// What every account can really do, against invariants 6 and 7 — checked on the
/// effective permissions, not the grants (issue 15: admins held a gated role's rights
/// with no contract in force while every grant looked right):
/// - an inactive account (disabled, pending, rejected) holds nothing;
/// - a permission reaches an account only from its level's base set or from a role of
///   its organisation that mentions it and whose contract, if gated, is in force —
///   admin and owner included;
/// - in a program, only the built-in program permissions come from authority (admin,
///   program owner, `programs.manage`); anything else from a live program role.
fn effective_violations(dir: &Directory, now: Timestamp) -> Vec<String> {
    let open_role_gives = |org: OrgId, p: &str| {
        dir.roles_of(org).any(|r| {
            r.permissions.iter().any(|x| x == p)
                && r.gate
                    .as_deref()
                    .is_none_or(|g| policy::product_active(dir, org, g, now))
        })
    };
    let mut out = vec![];
    for a in dir.accounts.values() {
        let eff = policy::effective(dir, a, now);
        if !a.active() {
            if !eff.granted.is_empty() {
                out.push(format!(
                    "{} is inactive yet holds {:?}",
                    a.email,
                    eff.granted.keys()
                ));
            }
            continue;
        }
        let admin = a.level >= Level::Admin;
        for p in eff.granted.keys() {
            let base = if admin {
                perms::admin_permissions().any(|b| b == p)
            } else {
                perms::MEMBER_BASE.contains(&p.as_str())
            };
            if !base && !open_role_gives(a.org, p) {
                out.push(format!(
                    "{} ({}) holds {p}, which no role in force gives",
                    a.email,
                    a.level.as_str()
                ));
            }
        }
        for program in dir.programs.values().filter(|p| p.org == a.org) {
            let authority = admin || program.owner == a.id || eff.has(perms::PROGRAMS_MANAGE);
            for p in policy::program_permissions(dir, a, program, now).keys() {
                let built_in = perms::CATALOGUE.iter().any(|(c, _)| c == p);
                let from_authority = authority && built_in;
                if !from_authority && !open_role_gives(a.org, p) {
                    out.push(format!(
                        "{} holds {p} in program {}, which no role in force gives",
                        a.email, program.name
                    ));
                }
            }
        }
    }
    out
}

/// Invariant 7 for admins and owners (issue 15): a Main User gets the Integrator role's
/// access only while the IDaaS contract is in force — not once it is suspended or ended —
/// and neither does the member holding the role.
#[test]
fn a_gated_permission_reaches_no_admin_without_its_contract() {
    let fx = Fixture::build();
    let mut dir = fx.w.dir.clone();
    let now = fx.w.now;
    let gated: Vec<String> = dir.roles[&fx.integrator_role]
        .permissions
        .iter()
        .filter(|p| !perms::admin_permissions().any(|b| b == p.as_str()))
        .cloned()
        .collect();
    assert!(
        !gated.is_empty(),
        "the fixture's Integrator role gives nothing of its own"
    );
    let holds = |dir: &Directory, who: AccountId| {
        let eff = policy::effective(dir, &dir.accounts[&who], now);
        gated.iter().all(|p| eff.has(p))
    };
    assert!(holds(&dir, fx.admin) && holds(&dir, fx.owner) && holds(&dir, fx.integrator));
    for cmd in [
        Command::SuspendContract {
            contract: fx.contract,
        },
        Command::ResumeContract {
            contract: fx.contract,
        },
        Command::EndContract {
            contract: fx.contract,
        },
    ] {
        let recs = execute(&dir, &Principal::Operator, &cmd, now)
            .unwrap_or_else(|e| panic!("{cmd:?}: {}", e.message()));
        for r in &recs {
            dir.apply(r);
        }
        let in_force = matches!(cmd, Command::ResumeContract { .. });
        for who in [fx.admin, fx.owner, fx.integrator] {
            let email = &dir.accounts[&who].email;
            assert_eq!(
                holds(&dir, who),
                in_force,
                "{email} after {}: the Integrator access must follow the contract",
                cmd.verb()
            );
        }
        assert_eq!(effective_violations(&dir, now), Vec::<String>::new());
    }
}
