//! The live fuzzy filter behind `/`: nucleo's matcher (the one helix uses), smart case,
//! every word of the pattern must match somewhere in the row's text.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// A compiled pattern and the matcher state it runs with.
pub struct Fuzzy {
    pattern: Option<Pattern>,
    matcher: Matcher,
    buf: Vec<char>,
}

impl Fuzzy {
    /// A filter for `text`; an empty or blank pattern lets everything through.
    pub fn new(text: &str) -> Self {
        let pattern = (!text.trim().is_empty())
            .then(|| Pattern::parse(text, CaseMatching::Smart, Normalization::Smart));
        Fuzzy {
            pattern,
            matcher: Matcher::new(Config::DEFAULT),
            buf: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pattern.is_none()
    }

    pub fn matches(&mut self, haystack: &str) -> bool {
        match &self.pattern {
            None => true,
            Some(p) => p
                .score(Utf32Str::new(haystack, &mut self.buf), &mut self.matcher)
                .is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_in_order_match_across_gaps() {
        let mut f = Fuzzy::new("ali");
        assert!(f.matches("Alice Example alice@acme.example"));
        assert!(!f.matches("Bob Builder bob@acme.example"));
    }

    #[test]
    fn every_word_must_match() {
        let mut f = Fuzzy::new("bob acme");
        assert!(f.matches("Bob Builder bob@acme.example"));
        assert!(!f.matches("Bob Builder bob@globex.example"));
    }

    #[test]
    fn blank_pattern_keeps_everything() {
        let mut f = Fuzzy::new("  ");
        assert!(f.is_empty());
        assert!(f.matches("anything"));
    }
}
