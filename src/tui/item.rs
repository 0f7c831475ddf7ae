//! What a list row is: its identity, its sortable columns, what the filter searches
//! (`Item`), and the packed start of its sort key (`SortPrefix`) that makes sorting a
//! million rows cheap.

use std::cmp::Ordering;

/// A row type a `List` can hold (`Sync`: a large list is sorted and matched on
/// several threads).
pub trait Item: Sync {
    type Key: Copy + Ord + std::fmt::Debug;
    /// Identity across reloads: the cursor and marks follow this, not the position.
    fn key(&self) -> Self::Key;
    /// Sortable columns, in the order `s` cycles through them.
    fn sort_names() -> &'static [&'static str];
    fn compare(&self, other: &Self, column: usize) -> Ordering;
    /// The identifying fields the `/` filter looks in, one call of `field` each (a name,
    /// an email; never status words, which would make every row match).
    fn search(&self, field: &mut dyn FnMut(&str));
    /// The start of this row's sort key for `column`, for columns where comparing
    /// a 24-byte prefix once per pair beats comparing rows (names, emails) n·log n
    /// times; `None` sorts by `compare` alone.
    fn sort_prefix(&self, _column: usize) -> Option<SortPrefix> {
        None
    }
    /// The whole key `sort_prefix` starts (ending with the tie-break), for the rows
    /// whose prefixes are equal but not whole; `None` falls back to `compare`.
    fn sort_key(&self, _column: usize) -> Option<Vec<u8>> {
        None
    }
    /// Whether an active filter puts the best matches first (the sort order breaks
    /// ties). A list whose order is its meaning (the audit trail) keeps its order.
    const RANKED: bool = true;
}

/// The first 24 bytes of a row's sort key, packed so two integer comparisons order
/// most pairs of rows. The key's bytes must order as `Item::compare` does (lowercase
/// UTF-8 orders as lowercase chars, and zero padding sorts a key cut short no later
/// than the longer one); `whole` says the key ended inside the 24 bytes, so two
/// equal whole prefixes are decided by `tie` alone (what `compare` falls back to last,
/// the record's id). 24 bytes hold most names of a large tenant whole, Cyrillic and
/// accented ones included (two bytes a letter), and the rows left over are few.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SortPrefix {
    pub head: u128,
    pub next: u64,
    pub whole: bool,
    pub tie: u64,
}

impl SortPrefix {
    /// The first 24 bytes of `encode(parts)`, with `tie` deciding between equal whole keys.
    pub fn lowercase(parts: &[&str], tie: u64) -> SortPrefix {
        let mut buf = [0u8; 24];
        let mut len = 0;
        let whole = encode(parts, |b| {
            if len == buf.len() {
                return false;
            }
            buf[len] = b;
            len += 1;
            true
        });
        let (head, next) = buf.split_at(16);
        SortPrefix {
            head: u128::from_be_bytes(head.try_into().unwrap_or_default()),
            next: u64::from_be_bytes(next.try_into().unwrap_or_default()),
            whole,
            tie,
        }
    }

    /// The whole key the prefix starts: `encode(parts)`, then `tie`.
    pub fn lowercase_key(parts: &[&str], tie: u64) -> Vec<u8> {
        let mut key = Vec::with_capacity(parts.iter().map(|p| p.len() + 1).sum::<usize>() + 8);
        encode(parts, |b| {
            key.push(b);
            true
        });
        key.extend(tie.to_be_bytes());
        key
    }

    /// What the first pass sorts by.
    pub(super) fn order(&self) -> (u128, u64, u64) {
        (self.head, self.next, self.tie)
    }

    /// Whether two prefixes hold the same bytes (whole or not).
    pub(super) fn same_bytes(&self, other: &SortPrefix) -> bool {
        (self.head, self.next) == (other.head, other.next)
    }
}

/// Feeds `sink` the sort key of `parts`: each lowercased char by char (as
/// `query::cmp_lower` compares), followed by a separator that sorts before every
/// character, so a shorter part sorts first as it does when parts are compared one by
/// one. Each UTF-8 byte is given plus one (UTF-8 never uses 0xFF), which keeps byte
/// order and leaves 0 to the separator and the padding alone: a NUL typed into a name
/// cannot pass for either. Stops when `sink` says so; true when every byte was taken.
fn encode(parts: &[&str], mut sink: impl FnMut(u8) -> bool) -> bool {
    for part in parts {
        let bytes = part.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii() {
                // Most names and nearly every email: no char decoding, no tables.
                if !sink(b.to_ascii_lowercase() + 1) {
                    return false;
                }
                i += 1;
                continue;
            }
            let Some(c) = part[i..].chars().next() else {
                break;
            };
            i += c.len_utf8();
            for lower in c.to_lowercase() {
                let mut tmp = [0u8; 4];
                for &b in lower.encode_utf8(&mut tmp).as_bytes() {
                    if !sink(b + 1) {
                        return false;
                    }
                }
            }
        }
        if !sink(0) {
            return false;
        }
    }
    true
}
