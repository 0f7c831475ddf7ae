//! Printing user-supplied text safely. Names, messages and reasons come from other
//! people; printed raw, a name could carry escape sequences that repaint or retitle an
//! administrator's terminal, or bidi overrides that make one email look like another.
//! Everything user-supplied is passed through `sanitize` on its way to a screen.

use crate::core::validate::is_unsafe_char;
use std::borrow::Cow;
use std::fmt::Write;

/// `text` with every control, bidi or invisible formatting character replaced by a
/// visible escape such as `\u{1b}`, so the reader sees that something odd is there.
/// Clean text (the normal case) is returned as is, without allocating.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_char(c) {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_untouched() {
        assert!(matches!(
            sanitize("Zoë Ångström 李 小龍 🎉"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn escapes_and_bidi_become_visible() {
        assert_eq!(sanitize("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(sanitize("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(sanitize("z\u{200B}w"), "z\\u{200b}w");
        assert_eq!(sanitize("line\nbreak"), "line\\u{a}break");
        assert!(!sanitize("\u{9b}31m").chars().any(is_unsafe_char));
    }
}
