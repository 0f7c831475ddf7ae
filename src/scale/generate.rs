//! `roster demo generate`: a large, deterministic, realistic store for measuring.
//!
//! Every change is a core command decided by `core::execute` on an in-memory
//! directory, as the person it names (the operator, the organisation's owner, an
//! anonymous visitor), so the data obeys every rule exactly as typed-in data would.
//! Only the writing differs from the live store: the records stream into the store
//! files through `BulkWriter`, synced once per segment instead of once per command.

use super::names::{FIRST, LAST, PROGRAMS, TEAMS};
use super::rng::Rng;
use crate::backend::BackendError;
use crate::backend::file::BulkWriter;
use crate::core::{self, *};
use jiff::Timestamp;
use serde::Serialize;
use std::path::Path;

/// What to generate.
#[derive(Clone, Debug)]
pub struct Spec {
    /// Accounts in all, owners included.
    pub accounts: usize,
    /// Organisations the accounts are spread over (evenly).
    pub orgs: usize,
    pub seed: u64,
}

/// What was generated.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Generated {
    pub orgs: usize,
    pub accounts: usize,
    pub pending_requests: usize,
    pub groups: usize,
    pub programs: usize,
    pub contracts: usize,
    pub invitations: usize,
    pub events: u64,
}

/// The first generated event happens at this moment; each command comes a few
/// seconds after the previous one, so the history is deterministic and in the past.
const START: i64 = 1_735_689_600; // 2025-01-01T00:00:00Z
const STEP_SECS: i64 = 5;

/// Writes a new store at `path` (a missing or empty folder).
pub fn generate_store(path: &Path, spec: &Spec) -> Result<Generated, BackendError> {
    let mut writer = BulkWriter::create(path)?;
    let (dir, summary) = build(spec, &mut |events| writer.append(events))?;
    writer.finish(dir)?;
    Ok(summary)
}

/// Builds the directory, handing each command's events to `sink` in order.
pub fn build(
    spec: &Spec,
    sink: &mut dyn FnMut(&[Recorded]) -> Result<(), BackendError>,
) -> Result<(Directory, Generated), BackendError> {
    let orgs = spec.orgs.clamp(1, spec.accounts.max(1));
    let mut g = Gen {
        dir: Directory::new(),
        rng: Rng::new(spec.seed),
        step: 0,
        sink,
    };
    for o in 0..orgs {
        // Spread the remainder over the first organisations.
        let n = spec.accounts / orgs + usize::from(o < spec.accounts % orgs);
        g.org(o, n.max(1))?;
    }
    let dir = g.dir;
    let summary = Generated {
        orgs: dir.orgs.len(),
        accounts: dir.accounts.len(),
        pending_requests: dir
            .requests
            .values()
            .filter(|r| r.status == RequestStatus::Pending)
            .count(),
        groups: dir.groups.len(),
        programs: dir.programs.len(),
        contracts: dir.contracts.len(),
        invitations: dir.invitations.len(),
        events: dir.seq,
    };
    Ok((dir, summary))
}

struct Gen<'a> {
    dir: Directory,
    rng: Rng,
    step: i64,
    sink: &'a mut dyn FnMut(&[Recorded]) -> Result<(), BackendError>,
}

impl Gen<'_> {
    fn now(&self) -> Timestamp {
        Timestamp::from_second(START + self.step * STEP_SECS).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// Decides `cmd` as `who`, records and applies its events.
    fn run(&mut self, who: &Principal, cmd: Command) -> Result<Vec<Recorded>, BackendError> {
        self.step += 1;
        let now = self.now();
        let events = core::execute(&self.dir, who, &cmd, now).map_err(|e| {
            BackendError::Io(format!(
                "the generator made a command the rules refuse ({}): {e}. This is a bug in the generator",
                cmd.verb()
            ))
        })?;
        (self.sink)(&events)?;
        for rec in &events {
            self.dir.apply(rec);
        }
        // The store's history is months old: every message it queued (invitations,
        // reset links) went out at the time, as a sender would have recorded. Left
        // queued, a server opened on the store would spend its first minutes failing
        // hundreds of thousands of messages whose text was never written on this
        // machine, and a bench would measure that instead of the server.
        let queued: Vec<core::MailId> = events
            .iter()
            .filter_map(|r| match &r.event {
                core::Event::MailQueued { mail } => Some(mail.id),
                _ => None,
            })
            .collect();
        for mail in queued {
            self.run(
                &Principal::Operator,
                Command::RecordMailDelivery {
                    mail,
                    attempts: 1,
                    error: None,
                },
            )?;
        }
        Ok(events)
    }

    fn org(&mut self, o: usize, accounts: usize) -> Result<(), BackendError> {
        let op = Principal::Operator;
        let slug = format!("tenant-{}", o + 1);
        let domain = format!("{slug}.example");
        let recs = self.run(
            &op,
            Command::CreateOrg {
                slug: slug.clone(),
                name: format!("Tenant {} — Ünïcode 株式会社", o + 1),
                owner_email: format!("owner@{domain}"),
                owner_first_name: "Olivia".into(),
                owner_last_name: "Owner".into(),
                settings: Some(Settings {
                    approval_required: true,
                    open_registration: true,
                    ..Settings::default()
                }),
            },
        )?;
        let (org, owner) = recs
            .iter()
            .find_map(|r| match &r.event {
                Event::OrgCreated { org, .. } => Some(org.id),
                _ => None,
            })
            .zip(created_account(&recs))
            .ok_or_else(|| BackendError::Io("the generator could not create an org".into()))?;
        let me = Principal::Account { id: owner };
        // A contract whose seats bound the gated role.
        let seats = (accounts / 100).max(20) as u32;
        self.run(
            &op,
            Command::CreateContract {
                org,
                product: "IDaaS".into(),
                start: Timestamp::from_second(START - 30 * 86_400).unwrap_or(Timestamp::UNIX_EPOCH),
                end: None,
                seats,
            },
        )?;
        let role = |g: &mut Gen, name: &str, perms: &[&str], gate: Option<&str>| {
            // Only the operator ties a role to a contract; the owner makes the others.
            let by = if gate.is_some() { &op } else { &me };
            let recs = g.run(
                by,
                Command::CreateRole {
                    org,
                    name: name.into(),
                    description: format!("generated role {name}"),
                    scope: Scope::Org,
                    permissions: perms.iter().map(|p| p.to_string()).collect(),
                    gate: gate.map(String::from),
                },
            )?;
            recs.iter()
                .find_map(|r| match &r.event {
                    Event::RoleCreated { role } => Some(role.id),
                    _ => None,
                })
                .ok_or_else(|| BackendError::Io("the generator could not create a role".into()))
        };
        let auditor = role(self, "Auditor", &["audit.read"], None)?;
        let integrator = role(self, "Integrator", &["audit.read"], Some("IDaaS"))?;
        let helpdesk = role(self, "Help desk", &["members.manage"], None)?;
        let mut groups = vec![];
        for i in 0..(accounts / 5000).clamp(3, 200) {
            let name = format!("{} {}", TEAMS[i % TEAMS.len()], i / TEAMS.len() + 1);
            let recs = self.run(&me, Command::CreateGroup { org, name })?;
            if let Some(id) = recs.iter().find_map(|r| match &r.event {
                Event::GroupCreated { group } => Some(group.id),
                _ => None,
            }) {
                groups.push(id);
            }
        }
        for (i, group) in groups.iter().enumerate().take(3) {
            let role = [auditor, helpdesk, auditor][i];
            self.run(
                &me,
                Command::GrantGroupRole {
                    group: *group,
                    role,
                    until: None,
                },
            )?;
        }
        let mut programs = vec![];
        for i in 0..(accounts / 10_000).clamp(2, 100) {
            let name = format!(
                "{} {}",
                PROGRAMS[i % PROGRAMS.len()],
                i / PROGRAMS.len() + 1
            );
            let recs = self.run(
                &me,
                Command::CreateProgram {
                    org,
                    name,
                    owner: None,
                },
            )?;
            if let Some(id) = recs.iter().find_map(|r| match &r.event {
                Event::ProgramCreated { program } => Some(program.id),
                _ => None,
            }) {
                programs.push(id);
            }
        }
        let program_roles: Vec<RoleId> = [Builtin::Viewer, Builtin::Contributor]
            .iter()
            .filter_map(|b| self.dir.builtin_role(org, *b).map(|r| r.id))
            .collect();
        // Most seats stay free: room for the benchmark and for people trying it out.
        let gated_cap = (seats / 2).min(500);
        let mut gated = 0u32;
        for i in 1..accounts {
            let (first, first_ascii) = *self.rng.pick(FIRST);
            let (last, last_ascii) = *self.rng.pick(LAST);
            let email = format!("{first_ascii}.{last_ascii}.{i}@{domain}");
            let registered = self.rng.chance(25);
            let recs = if registered {
                self.run(
                    &Principal::Anonymous,
                    Command::Register {
                        org,
                        email,
                        first_name: first.into(),
                        last_name: last.into(),
                    },
                )?
            } else {
                let verified = self.rng.chance(85);
                self.run(
                    &me,
                    Command::AddAccount {
                        org,
                        email,
                        first_name: first.into(),
                        last_name: last.into(),
                        verified,
                    },
                )?
            };
            let Some(account) = created_account(&recs) else {
                continue;
            };
            if registered {
                match self.rng.below(100) {
                    0..55 => {
                        self.run(&me, Command::Approve { account })?;
                    }
                    55..70 => {
                        self.run(
                            &me,
                            Command::Reject {
                                account,
                                reason: "not one of ours".into(),
                            },
                        )?;
                        continue;
                    }
                    _ => continue, // waits in the approval queue
                }
            }
            let verified = self.dir.accounts.get(&account).is_some_and(|a| a.verified);
            if verified && self.rng.chance(3) {
                self.run(&me, Command::Promote { account })?;
                continue;
            }
            if self.rng.chance(50) {
                let group = *self.rng.pick(&groups);
                self.run(&me, Command::AddToGroup { group, account })?;
            }
            if self.rng.chance(10) {
                self.run(
                    &me,
                    Command::GrantRole {
                        account,
                        role: auditor,
                        until: None,
                    },
                )?;
            }
            if gated < gated_cap && self.rng.chance(5) {
                gated += 1;
                self.run(
                    &me,
                    Command::GrantRole {
                        account,
                        role: integrator,
                        until: None,
                    },
                )?;
            }
            if !program_roles.is_empty() && self.rng.chance(8) {
                let program = *self.rng.pick(&programs);
                let role = *self.rng.pick(&program_roles);
                self.run(
                    &me,
                    Command::GrantProgramRole {
                        program,
                        account,
                        role,
                        until: None,
                    },
                )?;
            }
            if !verified && self.rng.chance(50) {
                self.run(&me, Command::Verify { account })?;
            }
            if self.rng.chance(30) {
                let secret = format!("{:016x}", self.rng.next_u64()).repeat(4);
                self.run(
                    &me,
                    Command::RequestPasswordReset {
                        account,
                        secret_hash: Some(secret),
                    },
                )?;
            }
            if self.rng.chance(40)
                && let Some(a) = self.dir.accounts.get(&account)
            {
                // A new first name (the next one in the list, so it always differs).
                let at = FIRST
                    .iter()
                    .position(|(f, _)| *f == a.first_name)
                    .unwrap_or(0);
                let (first, _) = FIRST[(at + 1 + self.rng.below(3)) % FIRST.len()];
                let cmd = Command::EditAccount {
                    account,
                    expected_version: a.version,
                    first_name: first.into(),
                    last_name: a.last_name.clone(),
                    email: a.email.clone(),
                };
                self.run(&me, cmd)?;
            }
            if self.rng.chance(4) {
                self.run(&me, Command::Disable { account })?;
            }
            if self.rng.chance(5) {
                let (first, first_ascii) = *self.rng.pick(FIRST);
                let secret = format!("{:016x}", self.rng.next_u64()).repeat(4);
                self.run(
                    &me,
                    Command::Invite {
                        org,
                        email: format!("{first_ascii}.invited.{i}@{domain}"),
                        first_name: first.into(),
                        last_name: String::new(),
                        message: "Welcome aboard 👋".into(),
                        level: Level::Member,
                        roles: vec![],
                        programs: vec![],
                        expires: None,
                        secret_hash: Some(secret),
                    },
                )?;
            }
        }
        Ok(())
    }
}

fn created_account(recs: &[Recorded]) -> Option<AccountId> {
    recs.iter().find_map(|r| match &r.event {
        Event::AccountCreated { account, .. } => Some(account.id),
        _ => None,
    })
}
