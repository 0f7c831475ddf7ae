//! A row's letters as one `u64`: a cheap test that rules a row out of a filter before
//! nucleo sees it. A pattern can only match a row holding every letter of the pattern
//! (as nucleo compares letters: case and accents folded), so a row whose mask lacks a
//! bit the pattern needs is skipped without building its UTF-32 text or scoring it.
//!
//! The test is one-sided by design: it may let through rows nucleo then rejects (two
//! characters sharing a bit), never the other way round — the answers stay nucleo's.

use nucleo_matcher::chars::{normalize, to_lower_case};

/// The bit standing for `c`: a–z and 0–9 have one each (folded as nucleo folds them:
/// `Í` and `i` share a bit); every other character shares one of the remaining 28.
#[inline]
pub fn bit(c: char) -> u64 {
    match ASCII.get(c as usize) {
        Some(&b) => b,
        None => bit_of_folded(fold(c)),
    }
}

const fn bit_of_folded(f: char) -> u64 {
    let n = f as u32;
    match f {
        'a'..='z' => 1 << (n - 'a' as u32),
        '0'..='9' => 1 << (26 + n - '0' as u32),
        _ => 1 << (36 + n % 28),
    }
}

/// `bit` of every ASCII character, worked out once: names and emails are mostly ASCII
/// and a search visits every character of every row.
const ASCII: [u64; 128] = {
    let mut table = [0; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = bit_of_folded((b as u8).to_ascii_lowercase() as char);
        b += 1;
    }
    table
};

/// nucleo's view of a character with case and accents ignored, applied twice so that
/// folding an already folded or lowercased character changes nothing.
fn fold(c: char) -> char {
    let once = to_lower_case(normalize(c));
    to_lower_case(normalize(once))
}

/// The mask of a row: every character of every field it offers the filter.
pub fn of_row(search: impl FnOnce(&mut dyn FnMut(&str))) -> u64 {
    let mut mask = 0;
    search(&mut |text: &str| {
        for c in text.chars() {
            mask |= bit(c);
        }
    });
    mask
}

/// Whether a row with mask `row` may hold every character in `needed`.
pub fn may_match(row: u64, needed: u64) -> bool {
    row & needed == needed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_accents_share_a_bit() {
        assert_eq!(bit('A'), bit('a'));
        assert_eq!(bit('í'), bit('i'));
        assert_eq!(bit('Ö'), bit('o'));
        assert_ne!(bit('a'), bit('b'));
        assert_ne!(bit('1'), bit('l'));
        assert_eq!(bit('Z'), bit('z'));
        assert_eq!(bit('@'), bit_of_folded('@'));
    }

    #[test]
    fn a_row_without_a_letter_is_ruled_out() {
        let row = of_row(|f| {
            f("Lucía García");
            f("lucia@example.org")
        });
        let needs = |p: &str| p.chars().fold(0, |m, c| m | bit(c));
        assert!(may_match(row, needs("lucia")));
        assert!(may_match(row, needs("GARCIA")));
        assert!(!may_match(row, needs("lucz")));
        assert!(!may_match(row, needs("山田")));
    }
}
