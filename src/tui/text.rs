//! Turning user-supplied text and values into what the screen shows. Every string that
//! came from a store goes through `clean` before it is drawn, so a name can never send
//! escape sequences to an administrator's terminal or reorder the line with bidi marks.

use jiff::Timestamp;
use std::borrow::Cow;
use unicode_width::UnicodeWidthStr;

/// Replaces control, bidi-override and zero-width characters with a visible stand-in.
pub fn clean(s: &str) -> Cow<'_, str> {
    crate::text::sanitize(s)
}

/// Counts for tab titles: short enough that eight tabs fit on 80 columns.
pub fn count(n: usize) -> String {
    match n {
        0..=9_999 => n.to_string(),
        10_000..=999_999 => format!("{}k", n / 1_000),
        _ => format!("{}M", n / 1_000_000),
    }
}

/// A moment as shown in lists: UTC, to the minute. UTC keeps the screen the same on
/// every machine the store is shared with.
pub fn when(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M").to_string()
}

/// A date only, for narrow columns.
pub fn day(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d").to_string()
}

/// `yes`/`no` for flags, words rather than symbols so 16-colour and NO_COLOR terminals
/// read the same.
pub fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// Cuts `s` to `width` columns, ending in `…` when something was cut, so a
/// truncated email never looks like a complete one. Wide characters count double.
pub fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// Splits text into lines of at most `width` columns at spaces.
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut out = vec![];
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.width() + 1 + word.width() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out.into_iter().map(|l| fit(&l, width)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_neutralised() {
        let shown = clean("Mallory\u{1b}[2J\u{202e}evil");
        assert!(!shown.contains('\u{1b}'));
        assert!(!shown.contains('\u{202e}'));
        assert!(shown.contains("Mallory"));
    }

    #[test]
    fn large_counts_stay_short() {
        assert_eq!(count(42), "42");
        assert_eq!(count(120_000), "120k");
        assert_eq!(count(3_400_000), "3M");
    }
}
