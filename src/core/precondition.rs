//! Preconditions: "only if the record is still the version I read". A backend checks
//! one inside its write critical section, after catching up with other writers and
//! before deciding, so that check and write are one step and no edit is lost between
//! them (HTTP `If-Match`).
//!
//! Only records with a `version` field take part. Invitations and approval requests
//! have none (the server tags them with a content hash and takes no `If-Match` on
//! them), so they are not resources here.

use super::directory::Directory;
use super::error::DomainError;
use super::ids::{AccountId, ContractId, GroupId, OrgId, ProgramId, RoleId};

/// A versioned record a precondition can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    Org(OrgId),
    Account(AccountId),
    Role(RoleId),
    Group(GroupId),
    Program(ProgramId),
    Contract(ContractId),
}

/// The record's current version; `None` if it does not exist.
pub fn version_of(dir: &Directory, r: Resource) -> Option<u64> {
    match r {
        Resource::Org(id) => dir.orgs.get(&id).map(|x| x.version),
        Resource::Account(id) => dir.accounts.get(&id).map(|x| x.version),
        Resource::Role(id) => dir.roles.get(&id).map(|x| x.version),
        Resource::Group(id) => dir.groups.get(&id).map(|x| x.version),
        Resource::Program(id) => dir.programs.get(&id).map(|x| x.version),
        Resource::Contract(id) => dir.contracts.get(&id).map(|x| x.version),
    }
}

/// How a person recognises the record in a message; `None` if it does not exist.
fn label(dir: &Directory, r: Resource) -> Option<String> {
    match r {
        Resource::Org(id) => dir
            .orgs
            .get(&id)
            .map(|x| format!("the organisation {}", x.slug)),
        Resource::Account(id) => dir.accounts.get(&id).map(|x| x.email.clone()),
        Resource::Role(id) => dir.roles.get(&id).map(|x| format!("the role {}", x.name)),
        Resource::Group(id) => dir.groups.get(&id).map(|x| format!("the group {}", x.name)),
        Resource::Program(id) => dir
            .programs
            .get(&id)
            .map(|x| format!("the program {}", x.name)),
        Resource::Contract(id) => dir.contracts.get(&id).map(|_| format!("contract {id}")),
    }
}

fn id_text(r: Resource) -> String {
    match r {
        Resource::Org(id) => format!("organisation {id}"),
        Resource::Account(id) => format!("account {id}"),
        Resource::Role(id) => format!("role {id}"),
        Resource::Group(id) => format!("group {id}"),
        Resource::Program(id) => format!("program {id}"),
        Resource::Contract(id) => format!("contract {id}"),
    }
}

/// "Only if `resource` is still at one of `versions`." Several versions because an
/// `If-Match` header may list several tags; none means no version can match (a tag
/// that was never ours), which is always stale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Precondition {
    pub resource: Resource,
    pub versions: Vec<u64>,
}

impl Precondition {
    /// Only if `resource` is still at `version`.
    pub fn new(resource: Resource, version: u64) -> Precondition {
        Precondition {
            resource,
            versions: vec![version],
        }
    }
}

/// `Ok` if the precondition holds in `dir`; `Stale` if the record moved on, `NotFound`
/// if it is gone.
pub fn check(dir: &Directory, pre: &Precondition) -> Result<(), DomainError> {
    let (Some(now), Some(what)) = (version_of(dir, pre.resource), label(dir, pre.resource)) else {
        return Err(DomainError::NotFound(format!(
            "{} no longer exists: someone else removed it since you read it",
            id_text(pre.resource)
        )));
    };
    if pre.versions.contains(&now) {
        return Ok(());
    }
    let read = match pre.versions.as_slice() {
        [] => String::new(),
        vs => {
            let vs: Vec<String> = vs.iter().map(u64::to_string).collect();
            format!("version {}, ", vs.join(" or "))
        }
    };
    Err(DomainError::Stale(format!(
        "{what} was changed by someone else since you read it ({read}now {now}): read it again and redo your change"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::Group;

    fn with_group(version: u64) -> Directory {
        let mut dir = Directory::new();
        dir.groups.insert(
            GroupId(1),
            Group {
                id: GroupId(1),
                org: OrgId(1),
                name: "Ops".into(),
                members: Default::default(),
                roles: vec![],
                version,
            },
        );
        dir
    }

    #[test]
    fn holds_only_at_a_version_read() {
        let dir = with_group(4);
        let g = Resource::Group(GroupId(1));
        assert_eq!(version_of(&dir, g), Some(4));
        assert_eq!(check(&dir, &Precondition::new(g, 4)), Ok(()));
        let either = Precondition {
            resource: g,
            versions: vec![3, 4],
        };
        assert_eq!(check(&dir, &either), Ok(()));
        match check(&dir, &Precondition::new(g, 3)) {
            Err(DomainError::Stale(m)) => {
                assert!(
                    m.contains("group Ops") && m.contains("version 3, now 4"),
                    "{m}"
                )
            }
            other => panic!("expected Stale, got {other:?}"),
        }
    }

    #[test]
    fn a_record_gone_is_not_found() {
        let dir = with_group(1);
        let gone = Precondition::new(Resource::Group(GroupId(2)), 1);
        assert!(matches!(check(&dir, &gone), Err(DomainError::NotFound(_))));
    }
}
