//! Input checks shared by every command: text that reaches a screen must be clean.

use super::error::{Decision, invalid};

/// True for characters that could steer a terminal or reorder text: C0/C1 controls,
/// bidi overrides and isolates, zero-width and other invisible formatting characters.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}' | '\u{180E}')
}

/// The only password-hash parameters roster takes: argon2id v19, 19 MiB, 2 passes, 1 lane
/// (OWASP's recommendation; what `credentials::hash_password` makes). A hash with other
/// parameters, made by a client, would make every later sign-in to that account cost what
/// its maker chose (issue 15: `t=4000000` took the server down), so none is accepted.
pub const PASSWORD_HASH_PARAMS: &str = "$argon2id$v=19$m=19456,t=2,p=1$";

/// A password hash as roster makes it: `PASSWORD_HASH_PARAMS`, then the salt and the hash
/// in unpadded base64, of sane lengths, and nothing else.
pub fn password_hash(hash: &str) -> Decision<()> {
    let b64 = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
    };
    let well_formed = hash
        .strip_prefix(PASSWORD_HASH_PARAMS)
        .and_then(|rest| rest.split_once('$'))
        .is_some_and(|(salt, out)| b64(salt, 11, 64) && b64(out, 16, 128));
    if well_formed {
        Ok(())
    } else {
        invalid(format!(
            "a password hash must be argon2id with roster's own parameters ({PASSWORD_HASH_PARAMS}…): send the password to roster and let it hash it"
        ))
    }
}

/// A single-line text field: trimmed, no control or bidi characters, bounded length.
pub fn line(field: &str, value: &str, max: usize, required: bool) -> Decision<String> {
    let v = value.trim();
    if required && v.is_empty() {
        return invalid(format!("{field} must not be empty"));
    }
    if v.chars().count() > max {
        return invalid(format!("{field} is longer than {max} characters"));
    }
    if v.chars().any(is_unsafe_char) {
        return invalid(format!("{field} contains control or invisible characters"));
    }
    Ok(v.to_string())
}

/// A free-text message: like `line` but newlines are allowed.
pub fn message(field: &str, value: &str, max: usize) -> Decision<String> {
    let v = value.trim();
    if v.chars().count() > max {
        return invalid(format!("{field} is longer than {max} characters"));
    }
    if v.chars().any(|c| c != '\n' && is_unsafe_char(c)) {
        return invalid(format!("{field} contains control or invisible characters"));
    }
    Ok(v.to_string())
}

/// A plausible email address: one `@`, a dotted domain, no spaces. Deliverability is the
/// mailer's business; this only keeps obvious mistakes out.
pub fn email(value: &str) -> Decision<String> {
    let v = line("email", value, 254, true)?;
    let bad = || {
        invalid(format!(
            "'{v}' is not an email address like name@example.org"
        ))
    };
    let Some((local, domain)) = v.split_once('@') else {
        return bad();
    };
    if local.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || v.chars().any(char::is_whitespace)
    {
        return bad();
    }
    Ok(v)
}

/// An organisation slug: 2–32 of `a-z 0-9 -`, starting with a letter or digit.
pub fn slug(value: &str) -> Decision<String> {
    let v = value.trim().to_lowercase();
    let ok = (2..=32).contains(&v.len())
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !v.starts_with('-');
    if !ok {
        // The refusal echoes the input, so it must not carry escape sequences to a screen.
        let shown: String = value
            .chars()
            .map(|c| if is_unsafe_char(c) { '\u{FFFD}' } else { c })
            .collect();
        return invalid(format!(
            "'{shown}' is not a slug: use 2 to 32 lowercase letters, digits or '-'"
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(email("alice@acme.example").is_ok());
        assert_eq!(email("  Bob@Acme.Example ").unwrap(), "Bob@Acme.Example");
        for bad in [
            "",
            "alice",
            "alice@",
            "@acme.example",
            "a@b",
            "a b@c.d",
            "a@b@c.d",
            "a@.b",
        ] {
            assert!(email(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn control_characters_are_refused() {
        for bad in [
            "evil\u{1b}[2J",
            "x\u{7}",
            "a\u{202E}b",
            "z\u{200B}w",
            "c1\u{9b}",
        ] {
            assert!(line("name", bad, 100, true).is_err(), "{bad:?} accepted");
        }
        assert!(line("name", "Zoë 李", 100, true).is_ok());
        assert!(message("message", "line one\nline two", 100).is_ok());
        assert!(message("message", "bell\u{7}", 100).is_err());
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Acme").unwrap(), "acme");
        assert!(slug("a").is_err());
        assert!(slug("-x").is_err());
        assert!(slug("acme corp").is_err());
    }
}
