//! The (organisation, email) → account index, without a lowercased copy of every
//! email. It holds only account ids, in a table keyed by a hash of (org, trimmed
//! lowercased email) computed on the fly; two emails are the same key when their
//! lowercased characters are equal, checked against the account itself. At a million
//! accounts the map of `(OrgId, String)` it replaces held a second copy of every email
//! (~60 bytes an account) and cost one allocation per account at every load.
//!
//! "Lowercased" means exactly `email_key` (`str::trim` then `str::to_lowercase`),
//! Unicode included: lowercasing char by char is the same except for 'Σ', which
//! `to_lowercase` maps by its place in a word, so an email containing it is keyed
//! through `email_key` itself.

use super::ids::{AccountId, OrgId};
use super::model::Account;
use hashbrown::{DefaultHashBuilder, HashTable};
use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

/// Emails compare case-insensitively (DESIGN §2).
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// What the index needs to look accounts up: the accounts themselves.
pub type Accounts = BTreeMap<AccountId, Arc<Account>>;

#[derive(Clone, Debug, Default)]
pub struct EmailIndex {
    /// Randomly seeded, as std's `HashMap` is, so emails chosen to collide cannot
    /// slow lookups down.
    hasher: DefaultHashBuilder,
    /// Each account with the hash of its key, so growing the table rehashes nothing
    /// and a lookup reads an account only when the whole hash matches.
    table: HashTable<(AccountId, u64)>,
}

/// Calls `f` with the characters of `email_key(email)`, allocating only when the email
/// holds a capital sigma (see the module comment).
fn with_key<R>(email: &str, f: impl FnOnce(&mut dyn Iterator<Item = char>) -> R) -> R {
    let email = email.trim();
    if email.contains('Σ') {
        f(&mut email_key(email).chars())
    } else {
        f(&mut email.chars().flat_map(char::to_lowercase))
    }
}

/// Whether two emails are the same key (`email_key(a) == email_key(b)`). Nearly all
/// emails are ASCII, where lowercasing is per byte.
pub fn same_key(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    with_key(a, |ka| with_key(b, |kb| ka.eq(kb)))
}

/// Feeds the UTF-8 bytes of a key to a hasher in fixed 64-byte pieces, so the hash
/// depends only on the bytes, not on which path produced them (`Hasher::write` is not
/// required to give the same hash for one slice as for the same bytes split up).
struct KeyHasher<H: Hasher> {
    h: H,
    buf: [u8; 64],
    n: usize,
}

impl<H: Hasher> KeyHasher<H> {
    fn byte(&mut self, b: u8) {
        if self.n == self.buf.len() {
            self.h.write(&self.buf);
            self.n = 0;
        }
        self.buf[self.n] = b;
        self.n += 1;
    }

    fn key(mut self, email: &str) -> u64 {
        let email = email.trim();
        if email.is_ascii() {
            email
                .bytes()
                .for_each(|b| self.byte(b.to_ascii_lowercase()));
        } else {
            with_key(email, |chars| {
                for c in chars {
                    c.encode_utf8(&mut [0; 4])
                        .bytes()
                        .for_each(|b| self.byte(b));
                }
            });
        }
        self.h.write(&self.buf[..self.n]);
        self.h.finish()
    }
}

impl EmailIndex {
    fn hash(&self, org: OrgId, email: &str) -> u64 {
        let mut h = self.hasher.build_hasher();
        org.hash(&mut h);
        KeyHasher {
            h,
            buf: [0; 64],
            n: 0,
        }
        .key(email)
    }

    pub fn clear(&mut self) {
        self.table.clear();
    }

    /// Room for `n` more entries, so loading a store grows the table once.
    pub fn reserve(&mut self, n: usize) {
        self.table.reserve(n, |(_, hash)| *hash);
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// The account of `org` whose email is `email` as a key.
    pub fn get(&self, accounts: &Accounts, org: OrgId, email: &str) -> Option<AccountId> {
        let hash = self.hash(org, email);
        self.table
            .find(hash, |(id, h)| {
                *h == hash && matches(accounts, *id, org, email)
            })
            .map(|(id, _)| *id)
    }

    /// Whether the index is right about account `a`: `Ok` when it holds `a` under
    /// `a`'s own key and no other account under that key; else the other account
    /// holding the key (a duplicate), or `None` (`a` is missing). Unlike `get`, the
    /// account `a` itself is not looked up again: at a million accounts that lookup
    /// and the key comparison were most of checking a store as it opens.
    pub fn check(&self, accounts: &Accounts, a: &Account) -> Result<(), Option<AccountId>> {
        let hash = self.hash(a.org, &a.email);
        let mut found = false;
        for (id, h) in self.table.iter_hash(hash) {
            if *h != hash {
                continue;
            }
            if *id == a.id {
                found = true;
            } else if matches(accounts, *id, a.org, &a.email) {
                return Err(Some(*id));
            }
        }
        if found { Ok(()) } else { Err(None) }
    }

    /// Points (org, email) at `id`, replacing whichever account it pointed at, as
    /// inserting into a map does. The accounts already indexed are read (to compare
    /// keys); `id` itself need not be in `accounts` yet.
    pub fn insert(&mut self, accounts: &Accounts, org: OrgId, email: &str, id: AccountId) {
        let hash = self.hash(org, email);
        match self.table.find_mut(hash, |(other, h)| {
            *h == hash && matches(accounts, *other, org, email)
        }) {
            Some(slot) => *slot = (id, hash),
            None => {
                self.table.insert_unique(hash, (id, hash), |(_, h)| *h);
            }
        }
    }

    /// Removes the entry of (org, email) if it points at `id`.
    pub fn remove(&mut self, org: OrgId, email: &str, id: AccountId) {
        let hash = self.hash(org, email);
        if let Ok(entry) = self.table.find_entry(hash, |(other, _)| *other == id) {
            entry.remove();
        }
    }
}

fn matches(accounts: &Accounts, id: AccountId, org: OrgId, email: &str) -> bool {
    accounts
        .get(&id)
        .is_some_and(|a| a.org == org && same_key(&a.email, email))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{Approval, Level};
    use jiff::Timestamp;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn account(id: u64, org: u64, email: &str) -> Arc<Account> {
        Arc::new(Account {
            id: AccountId(id),
            org: OrgId(org),
            email: email.into(),
            first_name: String::new(),
            last_name: String::new(),
            verified: true,
            enabled: true,
            approval: Approval::Approved,
            level: Level::Member,
            roles: vec![],
            created: Timestamp::UNIX_EPOCH,
            version: 1,
        })
    }

    /// Emails from pieces that lowercase unusually: ASCII of both cases, Latin with
    /// accents, Greek capital sigma (lowercased by its place in a word), Turkish dotted
    /// I (one char lowercasing to two), German sharp s, CJK, emoji, and spaces that
    /// `trim` removes at the ends.
    fn email() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "a", "A", "z", "Z", ".", "@", "é", "É", "Σ", "σ", "ς", "ΑΣ", "İ", "i̇", "ß", "ẞ", "山",
            "🦀", " ", "\u{2003}", "-", "1",
        ]);
        prop::collection::vec(pieces, 0..8).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The index answers every lookup as the map of `(org, email_key)` it replaced,
        /// including which of two accounts with one key wins (the later insert).
        #[test]
        fn answers_as_the_map_of_lowercased_copies(
            stored in prop::collection::vec((1u64..3, email()), 0..24),
            asked in prop::collection::vec((1u64..3, email()), 0..24),
        ) {
            let mut accounts = Accounts::new();
            let mut index = EmailIndex::default();
            let mut old: HashMap<(OrgId, String), AccountId> = HashMap::new();
            for (i, (org, email)) in stored.iter().enumerate() {
                let id = AccountId(i as u64 + 1);
                index.insert(&accounts, OrgId(*org), email, id);
                accounts.insert(id, account(id.0, *org, email));
                old.insert((OrgId(*org), email_key(email)), id);
            }
            prop_assert_eq!(index.len(), old.len());
            for (org, email) in stored.iter().chain(&asked) {
                let want = old.get(&(OrgId(*org), email_key(email))).copied();
                prop_assert_eq!(index.get(&accounts, OrgId(*org), email), want, "{:?}", email);
            }
            // `check` holds for the account each key points at, and names that one
            // for every other account with the key (a duplicate).
            for a in accounts.values() {
                let holder = old[&(a.org, email_key(&a.email))];
                let want = if holder == a.id { Ok(()) } else { Err(Some(holder)) };
                prop_assert_eq!(index.check(&accounts, a), want);
            }
            for (a, b) in stored.iter().zip(&asked) {
                prop_assert_eq!(same_key(&a.1, &b.1), email_key(&a.1) == email_key(&b.1));
            }
            // Removing every entry empties the index.
            for (i, (org, email)) in stored.iter().enumerate() {
                let id = AccountId(i as u64 + 1);
                if old.get(&(OrgId(*org), email_key(email))) == Some(&id) {
                    index.remove(OrgId(*org), email, id);
                }
            }
            prop_assert!(index.is_empty());
        }
    }

    #[test]
    fn final_sigma_is_keyed_as_email_key_does() {
        let mut accounts = Accounts::new();
        let mut index = EmailIndex::default();
        index.insert(&accounts, OrgId(1), "ΟΔΟΣ@x", AccountId(1));
        accounts.insert(AccountId(1), account(1, 1, "ΟΔΟΣ@x"));
        assert_eq!(email_key("ΟΔΟΣ@x"), "οδος@x");
        assert_eq!(index.get(&accounts, OrgId(1), "οδος@x"), Some(AccountId(1)));
        assert_eq!(
            index.get(&accounts, OrgId(1), " ΟΔΟΣ@X "),
            Some(AccountId(1))
        );
        assert_eq!(index.get(&accounts, OrgId(1), "οδοσ@x"), None);
        assert_eq!(index.get(&accounts, OrgId(2), "οδος@x"), None);
    }
}
