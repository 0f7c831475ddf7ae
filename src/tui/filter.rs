//! The live fuzzy filter behind `/` and the pickers: nucleo's matcher (the one helix
//! uses) with fzf's syntax (`'exact`, `^prefix`, `suffix$`, `!not`), smart case, and
//! accents folded (`lucia` finds Lucía).
//!
//! What a person means by `/ali` is "Alice", "Ali", "Natalia" — not every row whose
//! columns happen to hold an `a`, an `l` and an `i` somewhere. So:
//! - a row offers only its identifying fields (a name, an email), never its status or
//!   level words, and every word of the pattern must match inside one field, not spread
//!   over two;
//! - letters may be skipped, but each piece of a match must be two or more letters in a
//!   row or start a word (`mhd` finds Marie-Hélène Dubois; `ali` does not find
//!   Marie-Hélène Dubois through its a…l…i);
//! - the score says how good a match is (word starts and runs score high), so lists can
//!   put the best matches first.

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// A compiled pattern and the matcher state it runs with.
pub struct Fuzzy {
    pattern: Option<Pattern>,
    matcher: Matcher,
    buf: Vec<char>,
    indices: Vec<u32>,
    /// Per word of the pattern: the best score so far (positive words) or whether a
    /// field matched (negated words), while one row's fields are visited.
    best: Vec<Option<u16>>,
    /// Per word of the pattern: whether some field holds its letters in order at all
    /// (the tight-match rule aside), while one row's fields are visited.
    seen: Vec<bool>,
    /// Per word of the pattern: the letters (`letter_mask`) a field must hold for the
    /// word to match in it; a field lacking them is not handed to nucleo.
    needs: Vec<u64>,
}

impl Fuzzy {
    /// A filter for `text`; an empty or blank pattern lets everything through.
    pub fn new(text: &str) -> Self {
        let pattern = Pattern::parse(text, CaseMatching::Smart, Normalization::Smart);
        let needs = pattern
            .atoms
            .iter()
            .map(|a| {
                a.needle_text()
                    .chars()
                    .fold(0, |m, c| m | super::letter_mask::bit(c))
            })
            .collect();
        Fuzzy {
            needs,
            pattern: (!pattern.atoms.is_empty()).then_some(pattern),
            matcher: Matcher::new(Config::DEFAULT),
            buf: Vec::new(),
            indices: Vec::new(),
            best: Vec::new(),
            seen: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pattern.is_none()
    }

    /// Scores a row whose searchable fields `fields` hands to its visitor, one by one.
    /// `None`: the row does not match. With no pattern every row scores 0.
    pub fn score(&mut self, fields: impl FnOnce(&mut dyn FnMut(&str))) -> Option<u32> {
        self.score_loosely(fields).flatten()
    }

    /// `score`, and for a row that does not match, whether it would have without the
    /// tight-match rule: `None` when not even then, `Some(None)` when only then.
    ///
    /// Typing one more letter can turn a row the tight rule turned away into a match
    /// (`luc` does not take "lukasz.garcia", its c plucked from inside a word; `luci`
    /// does, as "lu" and "ci"), but never one that fails the loose test: the rows that
    /// pass it are what a longer text may be searched in (`List::matches`).
    pub fn score_loosely(
        &mut self,
        fields: impl FnOnce(&mut dyn FnMut(&str)),
    ) -> Option<Option<u32>> {
        let Fuzzy {
            pattern,
            matcher,
            buf,
            indices,
            best,
            seen,
            needs,
        } = self;
        let Some(pattern) = pattern.as_ref() else {
            return Some(Some(0));
        };
        best.clear();
        best.resize(pattern.atoms.len(), None);
        seen.clear();
        seen.resize(pattern.atoms.len(), false);
        let mut vetoed = false;
        fields(&mut |text: &str| {
            if vetoed {
                return;
            }
            // A word whose letters the field lacks cannot match in it: skip nucleo, and
            // the field's UTF-32 copy when no word can.
            let holds = super::letter_mask::of_row(|f| f(text));
            if needs
                .iter()
                .all(|&n| !super::letter_mask::may_match(holds, n))
            {
                return;
            }
            let hay = Utf32Str::new(text, buf);
            let words = pattern.atoms.iter().zip(needs.iter());
            for (((atom, &need), best), seen) in words.zip(best.iter_mut()).zip(seen.iter_mut()) {
                if !super::letter_mask::may_match(holds, need) {
                    continue;
                }
                if atom.negative {
                    // A negated word rules the row out if any field holds it.
                    if atom.score(hay, matcher).is_none() {
                        vetoed = true;
                    }
                    continue;
                }
                indices.clear();
                let Some(score) = atom.indices(hay, matcher, indices) else {
                    continue;
                };
                *seen = true;
                let single = atom.needle_text().len() <= 1;
                if atom.kind == AtomKind::Fuzzy && !single && !tight(hay, indices) {
                    continue;
                }
                if best.is_none_or(|b| score > b) {
                    *best = Some(score);
                }
            }
        });
        if vetoed {
            return None;
        }
        let positive = || pattern.atoms.iter().zip(best.iter().zip(seen.iter()));
        if positive().any(|(atom, (_, seen))| !atom.negative && !seen) {
            return None;
        }
        let mut total = 0u32;
        for (atom, (best, _)) in positive() {
            if atom.negative {
                continue;
            }
            let Some(score) = best else {
                return Some(None);
            };
            total += u32::from(*score);
        }
        Some(Some(total))
    }

    /// The letters (see `letter_mask`) a row must hold for this pattern to match it:
    /// those of every word that is not negated. 0 for an empty pattern.
    pub fn needs(&self) -> u64 {
        let Some(pattern) = &self.pattern else {
            return 0;
        };
        pattern
            .atoms
            .iter()
            .zip(&self.needs)
            .filter(|(a, _)| !a.negative)
            .fold(0, |mask, (_, n)| mask | n)
    }

    /// Whether one piece of text matches.
    pub fn matches(&mut self, text: &str) -> bool {
        self.score(|field| field(text)).is_some()
    }
}

/// True when every piece of a fuzzy match is two or more letters in a row or starts a
/// word: letters picked one by one from the middle of words are noise, not intent.
fn tight(hay: Utf32Str<'_>, indices: &mut [u32]) -> bool {
    indices.sort_unstable();
    let mut i = 0;
    while i < indices.len() {
        let start = indices[i];
        let mut end = i;
        while end + 1 < indices.len() && indices[end + 1] == indices[end] + 1 {
            end += 1;
        }
        if end == i && !word_start(hay, start) {
            return false;
        }
        i = end + 1;
    }
    true
}

/// The first character of a word: the start of the text, after a space or punctuation
/// (`.`, `@`, `-`), a capital after a small letter (camelCase), or a wide character,
/// since CJK text has no spaces between its words.
fn word_start(hay: Utf32Str<'_>, i: u32) -> bool {
    if i == 0 || i as usize >= hay.len() {
        return true;
    }
    let (prev, c) = (hay.get(i - 1), hay.get(i));
    !prev.is_alphanumeric()
        || (prev.is_lowercase() && c.is_uppercase())
        || (prev.is_alphabetic() && c.is_numeric())
        || unicode_width::UnicodeWidthChar::width(c) == Some(2)
}

/// Whether every row matching `longer` also matches `shorter`, so `longer` need only
/// search `shorter`'s matches: it only adds letters, digits and spaces to a pattern
/// that ends in one (no `!`, `'`, `^`, `$` or `\\` that would change how the words
/// before it are read).
pub fn narrows(shorter: &str, longer: &str) -> bool {
    let plain = |c: char| c.is_alphanumeric() || c == ' ' || c == '-' || c == '.' || c == '@';
    !shorter.trim().is_empty()
        && longer.len() > shorter.len()
        && longer.starts_with(shorter)
        && shorter.chars().all(plain)
        && longer[shorter.len()..].chars().all(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(pattern: &str, fields: &[&str]) -> Option<u32> {
        Fuzzy::new(pattern).score(|f| {
            for x in fields {
                f(x)
            }
        })
    }

    #[test]
    fn letters_in_order_match_across_gaps_within_a_word() {
        let mut f = Fuzzy::new("ali");
        assert!(f.matches("Alice Example"));
        assert!(f.matches("Natalia Ali"));
        assert!(!f.matches("Bob Builder"));
        assert!(Fuzzy::new("mikelsen").matches("Søren Mikkelsen"));
        assert!(Fuzzy::new("rvi").matches("Ravi Shankar"));
    }

    #[test]
    fn single_letters_plucked_from_inside_words_do_not_count() {
        // a (Marie) … l (Hélène) … i (Dubois): not what anyone typing "ali" means.
        assert!(!Fuzzy::new("ali").matches("Marie-Hélène Dubois"));
        assert!(!Fuzzy::new("ben").matches("Best Casino"));
        assert!(!Fuzzy::new("sam").matches("ravi.shankar@acme-kb.example"));
        // Word starts are fine: initials find their person.
        assert!(Fuzzy::new("mhd").matches("Marie-Hélène Dubois"));
    }

    #[test]
    fn a_word_must_match_inside_one_field() {
        // "a" from the name and "li" from the email do not make "ali".
        assert_eq!(
            score("ali", &["Ben Carter", "ben.carter@acme-kb.example"]),
            None
        );
        // Different words may match different fields.
        assert!(score("ravi kb", &["Ravi Shankar", "ravi.shankar@acme-kb.example"]).is_some());
        assert_eq!(
            score("bob acme", &["Bob Builder", "bob@globex.example"]),
            None
        );
    }

    #[test]
    fn accents_case_and_wide_characters() {
        assert!(Fuzzy::new("lucia").matches("Lucía Fernández"));
        assert!(Fuzzy::new("omer").matches("Ömer Yıldız"));
        assert!(Fuzzy::new("王").matches("王 芳"));
        assert!(Fuzzy::new("由紀").matches("山田由紀"));
        // Smart case: a capital asks for a capital.
        assert!(!Fuzzy::new("Ali").matches("alice@acme.example"));
    }

    #[test]
    fn better_matches_score_higher() {
        let word = score("ali", &["Ali Hassan"]).unwrap();
        let inside = score("ali", &["Natalia Ng"]).unwrap();
        assert!(word > inside, "{word} {inside}");
    }

    #[test]
    fn fzf_syntax_exact_prefix_and_negation() {
        assert!(Fuzzy::new("'lice").matches("Alice"));
        assert!(!Fuzzy::new("'lce").matches("Alice"));
        assert!(Fuzzy::new("^ali").matches("Alice"));
        assert!(!Fuzzy::new("^lic").matches("Alice"));
        assert_eq!(score("!acme", &["Carol", "carol@acme.example"]), None);
        assert!(score("car !globex", &["Carol", "carol@acme.example"]).is_some());
    }

    #[test]
    fn blank_pattern_keeps_everything() {
        let mut f = Fuzzy::new("  ");
        assert!(f.is_empty());
        assert!(f.matches("anything"));
    }
}
