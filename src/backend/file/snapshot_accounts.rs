//! The accounts section of a version 2 snapshot: the accounts in id order, in chunks
//! of `CHUNK`, each chunk one frame (`[len][crc32][payload]`, see `frame`) whose
//! payload is the postcard encoding of the chunk's rows.
//!
//! Accounts are nearly all of a large store, and reading them as JSON (a parser walking
//! every byte, a timestamp parsed from text per account) was most of opening one. A
//! row mirrors `Account` field for field because postcard, like every compact binary
//! format, cannot read back what serde's `skip_serializing_if` left out, and stores
//! `created` as seconds and nanoseconds instead of text. Chunks let the file be read
//! through a small buffer instead of whole, and checked piece by piece.

use crate::core::{Account, AccountId, Approval, Grant, Level, OrgId, RoleId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Accounts per chunk: a few hundred KiB of payload, small enough to hold one or two
/// at a time, large enough that framing and checksums cost nothing.
pub const CHUNK: usize = 4096;

/// No chunk of `CHUNK` accounts comes near this; a larger length field is damage.
pub const MAX_CHUNK_BYTES: usize = 64 * 1024 * 1024;

/// A moment as seconds and nanoseconds since the Unix epoch (`jiff`'s own parts).
#[derive(Serialize, Deserialize)]
pub(super) struct Moment {
    secs: i64,
    nanos: i32,
}

impl Moment {
    pub(super) fn of(t: Timestamp) -> Moment {
        Moment {
            secs: t.as_second(),
            nanos: t.subsec_nanosecond(),
        }
    }

    pub(super) fn timestamp(&self) -> Result<Timestamp, String> {
        Timestamp::new(self.secs, self.nanos).map_err(|e| format!("a time is out of range ({e})"))
    }
}

#[derive(Serialize, Deserialize)]
struct GrantRow {
    role: u64,
    until: Option<Moment>,
}

/// One account as stored. Strings are borrowed on both sides: from the account when
/// writing, from the chunk's bytes when reading (copied once, into the account).
#[derive(Serialize, Deserialize)]
struct Row<'a> {
    id: u64,
    org: u64,
    email: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    verified: bool,
    enabled: bool,
    approval: Approval,
    level: Level,
    roles: Vec<GrantRow>,
    created: Moment,
    version: u64,
}

impl<'a> Row<'a> {
    fn of(a: &'a Account) -> Row<'a> {
        Row {
            id: a.id.0,
            org: a.org.0,
            email: &a.email,
            first_name: &a.first_name,
            last_name: &a.last_name,
            verified: a.verified,
            enabled: a.enabled,
            approval: a.approval,
            level: a.level,
            roles: a
                .roles
                .iter()
                .map(|g| GrantRow {
                    role: g.role.0,
                    until: g.until.map(Moment::of),
                })
                .collect(),
            created: Moment::of(a.created),
            version: a.version,
        }
    }

    fn account(&self) -> Result<Account, String> {
        let roles = self
            .roles
            .iter()
            .map(|g| {
                Ok(Grant {
                    role: RoleId(g.role),
                    until: g.until.as_ref().map(Moment::timestamp).transpose()?,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Account {
            id: AccountId(self.id),
            org: OrgId(self.org),
            email: self.email.to_owned(),
            first_name: self.first_name.to_owned(),
            last_name: self.last_name.to_owned(),
            verified: self.verified,
            enabled: self.enabled,
            approval: self.approval,
            level: self.level,
            roles,
            created: self.created.timestamp()?,
            version: self.version,
        })
    }
}

/// The payload of one chunk.
pub fn encode_chunk(accounts: &[&Account]) -> Result<Vec<u8>, String> {
    let rows: Vec<Row> = accounts.iter().map(|a| Row::of(a)).collect();
    postcard::to_allocvec(&rows).map_err(|e| format!("could not encode accounts: {e}"))
}

/// The accounts of one chunk's payload, in the order stored.
pub fn decode_chunk(payload: &[u8]) -> Result<Vec<Arc<Account>>, String> {
    let (rows, rest): (Vec<Row>, _) = postcard::take_from_bytes(payload)
        .map_err(|e| format!("a chunk of accounts cannot be read ({e})"))?;
    if !rest.is_empty() {
        return Err(format!(
            "a chunk of accounts has {} bytes after its last account",
            rest.len()
        ));
    }
    rows.iter().map(|r| r.account().map(Arc::new)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: u64, created: Timestamp, until: Option<Timestamp>) -> Account {
        Account {
            id: AccountId(id),
            org: OrgId(2),
            email: format!("Ünïcode.{id}@例え.example"),
            first_name: "Zoë 🦀".into(),
            last_name: String::new(),
            verified: id.is_multiple_of(2),
            enabled: id.is_multiple_of(3),
            approval: [Approval::Approved, Approval::Pending, Approval::Rejected][id as usize % 3],
            level: [Level::Member, Level::Admin, Level::Owner][id as usize % 3],
            roles: vec![
                Grant {
                    role: RoleId(7),
                    until,
                },
                Grant {
                    role: RoleId(9),
                    until: None,
                },
            ],
            created,
            version: id * 3,
        }
    }

    /// Every field comes back as it was, times to the nanosecond on both sides of the
    /// epoch, through postcard as through JSON.
    #[test]
    fn a_chunk_round_trips_every_field() {
        let times = [
            Timestamp::UNIX_EPOCH,
            Timestamp::new(1_735_689_600, 123_456_789).unwrap(),
            Timestamp::new(-86_400 * 365, -5).unwrap(),
            Timestamp::MIN,
            Timestamp::MAX,
        ];
        let accounts: Vec<Account> = times
            .iter()
            .enumerate()
            .map(|(i, t)| account(i as u64 + 1, *t, Some(times[(i + 1) % times.len()])))
            .collect();
        let refs: Vec<&Account> = accounts.iter().collect();
        let back = decode_chunk(&encode_chunk(&refs).unwrap()).unwrap();
        assert_eq!(back.len(), accounts.len());
        for (a, b) in accounts.iter().zip(&back) {
            assert_eq!(
                serde_json::to_value(a).unwrap(),
                serde_json::to_value(&**b).unwrap()
            );
        }
    }

    #[test]
    fn trailing_or_missing_bytes_are_refused() {
        let a = account(1, Timestamp::UNIX_EPOCH, None);
        let mut bytes = encode_chunk(&[&a]).unwrap();
        bytes.push(0);
        assert!(decode_chunk(&bytes).unwrap_err().contains("after its last"));
        bytes.truncate(bytes.len() - 3);
        assert!(decode_chunk(&bytes).unwrap_err().contains("cannot be read"));
    }
}
