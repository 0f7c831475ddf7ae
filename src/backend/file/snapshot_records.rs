//! The binary chunks of a version 3 snapshot. Besides the accounts, a large store
//! holds hundreds of thousands of approval requests, password-reset links and
//! invitations (at a million accounts, 130 MiB of JSON that took a parser longer to
//! read than the accounts took to decode); they are stored as the accounts are, in
//! chunks of `CHUNK` rows, each its own checked frame, decoded on the same threads.
//!
//! A version 3 chunk's payload is one byte saying what it holds (`Section`), then the
//! postcard encoding of its rows: for accounts, exactly a version 2 chunk
//! (`snapshot_accounts`). Rows mirror the model's structs field for field, for the
//! reasons given there (postcard cannot read back a field serde left out, nor an
//! internally tagged enum such as `RequestKind`).

use super::snapshot_accounts::{self as accounts, Moment};
use crate::core::{
    Account, AccountId, ApprovalRequest, Invitation, InvitationId, InvitationStatus, Level, OrgId,
    ProgramId, ProgramOffer, RequestId, RequestKind, RequestStatus, ResetId, ResetRequest, RoleId,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What a chunk holds; also the order of the sections in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    Accounts = 0,
    Requests = 1,
    Resets = 2,
    Invitations = 3,
}

impl Section {
    fn of(tag: u8) -> Option<Section> {
        [
            Section::Accounts,
            Section::Requests,
            Section::Resets,
            Section::Invitations,
        ]
        .get(usize::from(tag))
        .copied()
    }
}

/// One decoded chunk.
#[derive(Debug)]
pub enum Rows {
    Accounts(Vec<Arc<Account>>),
    Requests(Vec<ApprovalRequest>),
    Resets(Vec<ResetRequest>),
    Invitations(Vec<Invitation>),
}

impl Rows {
    pub fn section(&self) -> Section {
        match self {
            Rows::Accounts(_) => Section::Accounts,
            Rows::Requests(_) => Section::Requests,
            Rows::Resets(_) => Section::Resets,
            Rows::Invitations(_) => Section::Invitations,
        }
    }
}

#[derive(Serialize, Deserialize)]
enum KindRow {
    Join,
    Role { role: u64, program: Option<u64> },
}

#[derive(Serialize, Deserialize)]
struct RequestRow<'a> {
    id: u64,
    org: u64,
    account: u64,
    kind: KindRow,
    note: &'a str,
    requested_at: Moment,
    status: RequestStatus,
    #[serde(borrow)]
    decided_by: Option<&'a str>,
    decided_at: Option<Moment>,
    reason: &'a str,
}

#[derive(Serialize, Deserialize)]
struct ResetRow<'a> {
    id: u64,
    org: u64,
    account: u64,
    requested_by: Option<u64>,
    requested_at: Moment,
    expires: Moment,
    used: bool,
    #[serde(borrow)]
    secret_hash: Option<&'a str>,
}

#[derive(Serialize, Deserialize)]
struct InvitationRow<'a> {
    id: u64,
    org: u64,
    email: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    message: &'a str,
    level: Level,
    roles: Vec<u64>,
    programs: Vec<(u64, u64)>,
    sent_by: Option<u64>,
    sent_at: Moment,
    expires: Moment,
    status: InvitationStatus,
    #[serde(borrow)]
    secret_hash: Option<&'a str>,
    account: Option<u64>,
}

fn request_row(r: &ApprovalRequest) -> RequestRow<'_> {
    RequestRow {
        id: r.id.0,
        org: r.org.0,
        account: r.account.0,
        kind: match &r.kind {
            RequestKind::Join => KindRow::Join,
            RequestKind::Role { role, program } => KindRow::Role {
                role: role.0,
                program: program.map(|p| p.0),
            },
        },
        note: &r.note,
        requested_at: Moment::of(r.requested_at),
        status: r.status,
        decided_by: r.decided_by.as_deref(),
        decided_at: r.decided_at.map(Moment::of),
        reason: &r.reason,
    }
}

fn request(r: &RequestRow) -> Result<ApprovalRequest, String> {
    Ok(ApprovalRequest {
        id: RequestId(r.id),
        org: OrgId(r.org),
        account: AccountId(r.account),
        kind: match r.kind {
            KindRow::Join => RequestKind::Join,
            KindRow::Role { role, program } => RequestKind::Role {
                role: RoleId(role),
                program: program.map(ProgramId),
            },
        },
        note: r.note.to_owned(),
        requested_at: r.requested_at.timestamp()?,
        status: r.status,
        decided_by: r.decided_by.map(str::to_owned),
        decided_at: r.decided_at.as_ref().map(Moment::timestamp).transpose()?,
        reason: r.reason.to_owned(),
    })
}

fn reset_row(r: &ResetRequest) -> ResetRow<'_> {
    ResetRow {
        id: r.id.0,
        org: r.org.0,
        account: r.account.0,
        requested_by: r.requested_by.map(|a| a.0),
        requested_at: Moment::of(r.requested_at),
        expires: Moment::of(r.expires),
        used: r.used,
        secret_hash: r.secret_hash.as_deref(),
    }
}

fn reset(r: &ResetRow) -> Result<ResetRequest, String> {
    Ok(ResetRequest {
        id: ResetId(r.id),
        org: OrgId(r.org),
        account: AccountId(r.account),
        requested_by: r.requested_by.map(AccountId),
        requested_at: r.requested_at.timestamp()?,
        expires: r.expires.timestamp()?,
        used: r.used,
        secret_hash: r.secret_hash.map(str::to_owned),
    })
}

fn invitation_row(i: &Invitation) -> InvitationRow<'_> {
    InvitationRow {
        id: i.id.0,
        org: i.org.0,
        email: &i.email,
        first_name: &i.first_name,
        last_name: &i.last_name,
        message: &i.message,
        level: i.level,
        roles: i.roles.iter().map(|r| r.0).collect(),
        programs: i.programs.iter().map(|o| (o.program.0, o.role.0)).collect(),
        sent_by: i.sent_by.map(|a| a.0),
        sent_at: Moment::of(i.sent_at),
        expires: Moment::of(i.expires),
        status: i.status,
        secret_hash: i.secret_hash.as_deref(),
        account: i.account.map(|a| a.0),
    }
}

fn invitation(i: &InvitationRow) -> Result<Invitation, String> {
    Ok(Invitation {
        id: InvitationId(i.id),
        org: OrgId(i.org),
        email: i.email.to_owned(),
        first_name: i.first_name.to_owned(),
        last_name: i.last_name.to_owned(),
        message: i.message.to_owned(),
        level: i.level,
        roles: i.roles.iter().copied().map(RoleId).collect(),
        programs: i
            .programs
            .iter()
            .map(|&(program, role)| ProgramOffer {
                program: ProgramId(program),
                role: RoleId(role),
            })
            .collect(),
        sent_by: i.sent_by.map(AccountId),
        sent_at: i.sent_at.timestamp()?,
        expires: i.expires.timestamp()?,
        status: i.status,
        secret_hash: i.secret_hash.map(str::to_owned),
        account: i.account.map(AccountId),
    })
}

fn encode<T: Serialize>(section: Section, rows: &[T]) -> Result<Vec<u8>, String> {
    let mut out = vec![section as u8];
    out.extend(postcard::to_allocvec(rows).map_err(|e| format!("could not encode a chunk: {e}"))?);
    Ok(out)
}

/// The payload of a chunk of accounts.
pub fn encode_accounts(rows: &[&Account]) -> Result<Vec<u8>, String> {
    let mut out = vec![Section::Accounts as u8];
    out.extend(accounts::encode_chunk(rows)?);
    Ok(out)
}

pub fn encode_requests(rows: &[&ApprovalRequest]) -> Result<Vec<u8>, String> {
    let rows: Vec<_> = rows.iter().map(|r| request_row(r)).collect();
    encode(Section::Requests, &rows)
}

pub fn encode_resets(rows: &[&ResetRequest]) -> Result<Vec<u8>, String> {
    let rows: Vec<_> = rows.iter().map(|r| reset_row(r)).collect();
    encode(Section::Resets, &rows)
}

pub fn encode_invitations(rows: &[&Invitation]) -> Result<Vec<u8>, String> {
    let rows: Vec<_> = rows.iter().map(|i| invitation_row(i)).collect();
    encode(Section::Invitations, &rows)
}

/// Every row of `payload`, which must hold nothing else.
fn rows<'a, T: Deserialize<'a>>(payload: &'a [u8], what: &str) -> Result<Vec<T>, String> {
    let (rows, rest): (Vec<T>, _) = postcard::take_from_bytes(payload)
        .map_err(|e| format!("a chunk of {what} cannot be read ({e})"))?;
    if !rest.is_empty() {
        return Err(format!(
            "a chunk of {what} has {} bytes after its last row",
            rest.len()
        ));
    }
    Ok(rows)
}

/// The rows of one version 3 chunk's payload, in the order stored.
pub fn decode(payload: &[u8]) -> Result<Rows, String> {
    let (&tag, body) = payload
        .split_first()
        .ok_or_else(|| "a chunk is empty".to_string())?;
    let section = Section::of(tag).ok_or_else(|| format!("a chunk is of unknown kind {tag}"))?;
    Ok(match section {
        Section::Accounts => Rows::Accounts(accounts::decode_chunk(body)?),
        Section::Requests => Rows::Requests(
            rows::<RequestRow>(body, "approval requests")?
                .iter()
                .map(request)
                .collect::<Result<_, _>>()?,
        ),
        Section::Resets => Rows::Resets(
            rows::<ResetRow>(body, "password resets")?
                .iter()
                .map(reset)
                .collect::<Result<_, _>>()?,
        ),
        Section::Invitations => Rows::Invitations(
            rows::<InvitationRow>(body, "invitations")?
                .iter()
                .map(invitation)
                .collect::<Result<_, _>>()?,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    fn t(secs: i64) -> Timestamp {
        Timestamp::new(secs, 123_456_789).unwrap()
    }

    fn same<T: Serialize>(a: &[T], b: &[T]) {
        assert_eq!(
            serde_json::to_value(a).unwrap(),
            serde_json::to_value(b).unwrap()
        );
    }

    /// Every field and every variant comes back as it was, unicode and empty text,
    /// present and absent options alike.
    #[test]
    fn requests_resets_and_invitations_round_trip_every_field() {
        let requests = [
            ApprovalRequest {
                id: RequestId(1),
                org: OrgId(2),
                account: AccountId(3),
                kind: RequestKind::Join,
                note: "Zoë 🦀 例え".into(),
                requested_at: t(-5),
                status: RequestStatus::Pending,
                decided_by: None,
                decided_at: None,
                reason: String::new(),
            },
            ApprovalRequest {
                id: RequestId(4),
                org: OrgId(2),
                account: AccountId(3),
                kind: RequestKind::Role {
                    role: RoleId(9),
                    program: Some(ProgramId(8)),
                },
                note: String::new(),
                requested_at: t(1_735_689_600),
                status: RequestStatus::Rejected,
                decided_by: Some("owner@例え.example".into()),
                decided_at: Some(t(1_735_689_700)),
                reason: "no seats".into(),
            },
            ApprovalRequest {
                id: RequestId(5),
                kind: RequestKind::Role {
                    role: RoleId(9),
                    program: None,
                },
                status: RequestStatus::Approved,
                ..requests_base()
            },
        ];
        let refs: Vec<_> = requests.iter().collect();
        let Rows::Requests(back) = decode(&encode_requests(&refs).unwrap()).unwrap() else {
            panic!("not requests")
        };
        same(&requests, &back);

        let resets = [
            ResetRequest {
                id: ResetId(1),
                org: OrgId(2),
                account: AccountId(3),
                requested_by: Some(AccountId(4)),
                requested_at: t(10),
                expires: t(20),
                used: false,
                secret_hash: Some("ab".repeat(32)),
            },
            ResetRequest {
                id: ResetId(2),
                org: OrgId(2),
                account: AccountId(3),
                requested_by: None,
                requested_at: Timestamp::MIN,
                expires: Timestamp::MAX,
                used: true,
                secret_hash: None,
            },
        ];
        let refs: Vec<_> = resets.iter().collect();
        let Rows::Resets(back) = decode(&encode_resets(&refs).unwrap()).unwrap() else {
            panic!("not resets")
        };
        same(&resets, &back);

        let invitations = [
            Invitation {
                id: InvitationId(1),
                org: OrgId(2),
                email: "Ünïcode@例え.example".into(),
                first_name: "Zoë".into(),
                last_name: "🦀".into(),
                message: "Welcome aboard 👋".into(),
                level: Level::Admin,
                roles: vec![RoleId(7), RoleId(9)],
                programs: vec![ProgramOffer {
                    program: ProgramId(8),
                    role: RoleId(10),
                }],
                sent_by: Some(AccountId(5)),
                sent_at: t(30),
                expires: t(40),
                status: InvitationStatus::Pending,
                secret_hash: Some("cd".repeat(32)),
                account: None,
            },
            Invitation {
                id: InvitationId(2),
                org: OrgId(2),
                email: "a@b.example".into(),
                first_name: String::new(),
                last_name: String::new(),
                message: String::new(),
                level: Level::Member,
                roles: vec![],
                programs: vec![],
                sent_by: None,
                sent_at: t(30),
                expires: t(40),
                status: InvitationStatus::Accepted,
                secret_hash: None,
                account: Some(AccountId(11)),
            },
        ];
        let refs: Vec<_> = invitations.iter().collect();
        let Rows::Invitations(back) = decode(&encode_invitations(&refs).unwrap()).unwrap() else {
            panic!("not invitations")
        };
        same(&invitations, &back);
    }

    fn requests_base() -> ApprovalRequest {
        ApprovalRequest {
            id: RequestId(0),
            org: OrgId(2),
            account: AccountId(6),
            kind: RequestKind::Join,
            note: "n".into(),
            requested_at: t(0),
            status: RequestStatus::Pending,
            decided_by: Some("operator".into()),
            decided_at: Some(t(1)),
            reason: "r".into(),
        }
    }

    #[test]
    fn unknown_empty_or_overlong_chunks_are_refused() {
        assert!(decode(&[]).unwrap_err().contains("empty"));
        assert!(decode(&[9, 0]).unwrap_err().contains("unknown kind 9"));
        let r = requests_base();
        let mut bytes = encode_requests(&[&r]).unwrap();
        bytes.push(0);
        assert!(decode(&bytes).unwrap_err().contains("after its last"));
        bytes.truncate(bytes.len() - 4);
        assert!(decode(&bytes).unwrap_err().contains("cannot be read"));
    }
}
