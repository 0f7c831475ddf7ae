//! The demo data set: one organisation per seed system, each in its own words, with
//! accounts in every state, groups, programs, contracts, invitations, requests and a
//! history. `assets/demo.toml` is a script of steps; every step is a core command
//! executed on the backend as the person it names, so the demo is valid by
//! construction: nothing is written around the rules.
//!
//! Time: with a store whose clock the builder controls (`create_store`, used by
//! `roster init --demo`), each step runs at its own moment in the past, so the history
//! spans months and an invitation sent three weeks ago has really expired. With any
//! other backend (`populate`) everything happens now, and the invitations meant to
//! expire get a two-second lifetime, after which the builder waits and sweeps them:
//! honest, but it makes `populate` take about two seconds.

mod data;
mod steps;

use crate::backend::file::{Clock, FileStore, Options};
use crate::backend::{self, Backend, BackendError};
use crate::core::{Command, DomainError, OrgId, Principal};
use data::{Action, DataSet, OrgSpec};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The data set, compiled in.
const DATA: &str = include_str!("../assets/demo.toml");

/// The lifetime of an invitation meant to expire when the clock cannot be moved.
const SHORT_EXPIRY: SignedDuration = SignedDuration::from_secs(2);

/// What the demo contains, for the message after building it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DemoSummary {
    pub orgs: Vec<DemoOrg>,
    pub accounts: usize,
    pub invitations: usize,
    pub pending_requests: usize,
    /// Events in the audit trail.
    pub events: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DemoOrg {
    pub slug: String,
    pub name: String,
    /// Which seed system it shows.
    pub system: String,
}

/// The slugs of the demo organisations, in the order they are listed.
pub fn slugs() -> Vec<String> {
    data_set()
        .map(|d| d.org.into_iter().map(|o| o.slug).collect())
        .unwrap_or_default()
}

fn data_set() -> Result<DataSet, BackendError> {
    toml::from_str(DATA)
        .map_err(|e| BackendError::Io(format!("the demo data set is malformed: {e}")))
}

/// Builds the demo into `backend` (which must not hold organisations with the demo's
/// slugs). Everything happens at the backend's current time; see the module notes.
pub fn populate(backend: &dyn Backend) -> Result<DemoSummary, BackendError> {
    populate_with(backend, None)
}

/// Creates a new file store at `path` and builds the demo into it with a clock the
/// builder moves, so the history is spread over the past months.
pub fn create_store(path: &Path) -> Result<DemoSummary, BackendError> {
    let millis = Arc::new(AtomicI64::new(Timestamp::now().as_millisecond()));
    let read = Arc::clone(&millis);
    let clock: Clock = Arc::new(move || {
        Timestamp::from_millisecond(read.load(Ordering::SeqCst))
            .unwrap_or_else(|_| Timestamp::now())
    });
    let store = FileStore::create_with(
        path,
        Options {
            clock,
            ..Options::default()
        },
    )?;
    let set = |t: Timestamp| millis.store(t.as_millisecond(), Ordering::SeqCst);
    populate_with(&store, Some(&set))
}

/// One step in the merged timeline of all organisations.
struct Planned<'a> {
    org: &'a OrgSpec,
    /// `None` for the organisation's creation.
    step: Option<&'a data::Step>,
    at: Timestamp,
}

/// Builds the demo; `set_clock` moves the backend's clock when it can be moved.
pub fn populate_with(
    backend: &dyn Backend,
    set_clock: Option<&dyn Fn(Timestamp)>,
) -> Result<DemoSummary, BackendError> {
    let data = data_set()?;
    let taken: Vec<String> = backend::query(backend, |dir| {
        data.org
            .iter()
            .filter(|o| dir.org_by_slug(&o.slug).is_some())
            .map(|o| o.slug.clone())
            .collect()
    })?;
    if !taken.is_empty() {
        return Err(BackendError::Refused(DomainError::Conflict(format!(
            "the store already has the demo organisation(s) {}: build the demo in a new store",
            taken.join(", ")
        ))));
    }
    let base = backend.now();
    let plan = timeline(&data, base)?;
    let mut secrets: HashMap<(OrgId, String), String> = HashMap::new();
    let mut last_expiry: Option<Timestamp> = None;
    let mut to_sweep: Vec<OrgId> = vec![];
    for item in &plan {
        if let Some(set) = set_clock {
            set(item.at);
        }
        let Some(step) = item.step else {
            create_org(backend, item.org)?;
            continue;
        };
        let fail = |why: String| {
            BackendError::Io(format!(
                "the demo data set could not be built: {} step '{}' at {} days ago: {why}",
                item.org.slug,
                step.action.label(),
                step.at
            ))
        };
        let now = backend.now();
        if let Action::Invite { email, expire, .. } = &step.action {
            let org = backend::query(backend, |dir| dir.org_by_slug(&item.org.slug).map(|o| o.id))?
                .ok_or_else(|| fail("the organisation is missing".into()))?;
            let (secret, _) = crate::secret::new_secret().map_err(|e| fail(e.to_string()))?;
            secrets.insert((org, email.to_lowercase()), secret);
            if *expire && set_clock.is_none() {
                last_expiry = Some(now + SHORT_EXPIRY);
                to_sweep.push(org);
            }
        }
        let env = steps::Env {
            base,
            now,
            secrets: &secrets,
            short_expiry: set_clock.is_none().then_some(SHORT_EXPIRY),
        };
        let commands = backend::query(backend, |dir| {
            steps::commands(dir, item.org, step.by.as_deref(), &step.action, &env)
        })?
        .map_err(fail)?;
        for (who, cmd) in commands {
            let recorded = backend.execute(&who, &cmd, false).map_err(|e| match e {
                BackendError::Refused(d) => fail(d.message().to_string()),
                other => other,
            })?;
            // The demo's history happened: its mail went out then. Left queued, a
            // sender would fail it now (no message was ever written for it).
            for r in &recorded {
                if let crate::core::Event::MailQueued { mail } = &r.event {
                    let delivered = Command::RecordMailDelivery {
                        mail: mail.id,
                        attempts: 1,
                        error: None,
                    };
                    backend.execute(&Principal::Operator, &delivered, false)?;
                }
            }
        }
    }
    if let Some(set) = set_clock {
        set(base);
    }
    if let Some(expiry) = last_expiry {
        // Without a movable clock, wait (at most SHORT_EXPIRY) for the short-lived
        // invitations to run out, then record them as expired.
        while backend.now() <= expiry {
            let left = expiry.duration_since(backend.now()).unsigned_abs();
            std::thread::sleep(left.min(std::time::Duration::from_millis(100)));
        }
        for org in to_sweep {
            backend.execute(
                &Principal::Operator,
                &Command::ExpireInvitations { org },
                false,
            )?;
        }
    }
    summary(backend, &data)
}

/// Orders every organisation's steps into one timeline, oldest first. Steps at the
/// same day keep their order and are a minute apart; the whole day sits two hours
/// before its nominal time so that "0 days ago" is still in the past.
fn timeline(data: &DataSet, base: Timestamp) -> Result<Vec<Planned<'_>>, BackendError> {
    let mut items: Vec<(u32, usize, Planned)> = vec![];
    for org in &data.org {
        let mut last = org.at;
        items.push((
            org.at,
            items.len(),
            Planned {
                org,
                step: None,
                at: base,
            },
        ));
        for step in &org.steps {
            if step.at > last {
                return Err(BackendError::Io(format!(
                    "the demo data set is out of order: in {}, a step at {} days ago follows one at {last}",
                    org.slug, step.at
                )));
            }
            last = step.at;
            items.push((
                step.at,
                items.len(),
                Planned {
                    org,
                    step: Some(step),
                    at: base,
                },
            ));
        }
    }
    // Oldest first; the original position keeps each organisation's order.
    items.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut same_day = (u32::MAX, 0i64);
    Ok(items
        .into_iter()
        .map(|(days, _, mut p)| {
            if same_day.0 != days {
                same_day = (days, 0);
            }
            let minute = same_day.1.min(110);
            same_day.1 += 1;
            p.at = base - SignedDuration::from_hours(24 * i64::from(days) + 2)
                + SignedDuration::from_mins(minute);
            p
        })
        .collect())
}

fn create_org(backend: &dyn Backend, spec: &OrgSpec) -> Result<(), BackendError> {
    let t = &spec.terms;
    let settings = crate::core::Settings {
        approval_required: spec.approval_required,
        open_registration: spec.open_registration,
        terminology: crate::core::Terminology {
            owner: t.owner.clone(),
            admin: t.admin.clone(),
            member: t.member.clone(),
            program: t.program.clone(),
            program_owner: t.program_owner.clone(),
            program_contributor: t.contributor.clone(),
            program_viewer: t.viewer.clone(),
        },
        ..crate::core::Settings::default()
    };
    let cmd = Command::CreateOrg {
        slug: spec.slug.clone(),
        name: spec.name.clone(),
        owner_email: spec.owner.email.clone(),
        owner_first_name: spec.owner.first.clone(),
        owner_last_name: spec.owner.last.clone(),
        settings: Some(settings),
    };
    backend.execute(&Principal::Operator, &cmd, false)?;
    Ok(())
}

fn summary(backend: &dyn Backend, data: &DataSet) -> Result<DemoSummary, BackendError> {
    backend::query(backend, |dir| {
        let ids: Vec<OrgId> = data
            .org
            .iter()
            .filter_map(|o| dir.org_by_slug(&o.slug))
            .map(|o| o.id)
            .collect();
        DemoSummary {
            orgs: data
                .org
                .iter()
                .map(|o| DemoOrg {
                    slug: o.slug.clone(),
                    name: o.name.clone(),
                    system: o.system.clone(),
                })
                .collect(),
            accounts: dir
                .accounts
                .values()
                .filter(|a| ids.contains(&a.org))
                .count(),
            invitations: dir
                .invitations
                .values()
                .filter(|i| ids.contains(&i.org))
                .count(),
            pending_requests: ids
                .iter()
                .map(|o| crate::core::policy::pending_counts(dir, *o).requests)
                .sum(),
            events: dir.seq,
        }
    })
}
