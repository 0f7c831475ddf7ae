//! Small building blocks for backend tests: an organisation, groups, accounts, and the
//! state as JSON for whole-directory comparisons.

use jiff::Timestamp;
use roster::backend::{Backend, BackendError, query};
use roster::core::{AccountId, Command, Event, GroupId, OrgId, Principal, Recorded};
use std::collections::BTreeSet;

pub fn t0() -> Timestamp {
    "2026-03-02T09:00:00Z".parse().unwrap()
}

/// Creates organisation `slug` as the platform operator; returns it and its owner.
pub fn create_org(b: &dyn Backend, slug: &str) -> (OrgId, AccountId) {
    let cmd = Command::CreateOrg {
        slug: slug.into(),
        name: format!("The {slug} company"),
        owner_email: format!("owner@{slug}.example"),
        owner_first_name: "Olive".into(),
        owner_last_name: "Owner".into(),
        settings: None,
    };
    let events = b
        .execute(&Principal::Operator, &cmd, false)
        .expect("the operator creates an organisation");
    let org = events
        .iter()
        .find_map(|r| match &r.event {
            Event::OrgCreated { org, .. } => Some(org.id),
            _ => None,
        })
        .expect("an OrgCreated event");
    (
        org,
        created_account(&events).expect("the owner's AccountCreated event"),
    )
}

/// The account an `AccountCreated` among `events` created.
pub fn created_account(events: &[Recorded]) -> Option<AccountId> {
    events.iter().find_map(|r| match &r.event {
        Event::AccountCreated { account, .. } => Some(account.id),
        _ => None,
    })
}

pub fn created_group(events: &[Recorded]) -> Option<GroupId> {
    events.iter().find_map(|r| match &r.event {
        Event::GroupCreated { group } => Some(group.id),
        _ => None,
    })
}

pub fn create_group(
    b: &dyn Backend,
    org: OrgId,
    name: &str,
) -> Result<Vec<Recorded>, BackendError> {
    b.execute(
        &Principal::Operator,
        &Command::CreateGroup {
            org,
            name: name.into(),
        },
        false,
    )
}

pub fn add_account(
    b: &dyn Backend,
    who: &Principal,
    org: OrgId,
    email: &str,
) -> Result<Vec<Recorded>, BackendError> {
    let cmd = Command::AddAccount {
        org,
        email: email.into(),
        first_name: "Ada".into(),
        last_name: "Member".into(),
        verified: true,
    };
    b.execute(who, &cmd, false)
}

/// The names of the groups of `org`.
pub fn group_names(b: &dyn Backend, org: OrgId) -> BTreeSet<String> {
    query(b, |d| {
        d.groups
            .values()
            .filter(|g| g.org == org)
            .map(|g| g.name.clone())
            .collect()
    })
    .unwrap()
}

/// The whole directory as JSON, to compare two states.
pub fn state(b: &dyn Backend) -> serde_json::Value {
    query(b, |d| serde_json::to_value(d).unwrap()).unwrap()
}

pub fn seq(b: &dyn Backend) -> u64 {
    query(b, |d| d.seq).unwrap()
}

/// Every event of the audit trail, newest first.
pub fn full_audit(b: &dyn Backend) -> Vec<Recorded> {
    let q = roster::backend::AuditQuery {
        limit: usize::MAX,
        ..Default::default()
    };
    b.audit(&q).unwrap()
}

/// The trail holds exactly the events `1..=last`, newest first, each once.
pub fn assert_complete_trail(trail: &[Recorded], last: u64) {
    let seqs: Vec<u64> = trail.iter().map(|r| r.seq).collect();
    let expected: Vec<u64> = (1..=last).rev().collect();
    assert_eq!(
        seqs, expected,
        "the audit trail must hold every event once, newest first"
    );
}
