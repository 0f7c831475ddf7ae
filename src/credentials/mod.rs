//! Passwords at the boundary: argon2id hashing (with a fresh random salt) and
//! verification. The core only ever sees the PHC string; no password reaches it, the
//! store, a log or an argument list. Also the links mailed to people (`links`).

pub mod links;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

/// Shortest password accepted (NIST SP 800-63B: at least 8 characters).
pub const MIN_LEN: usize = 8;
/// Longest accepted, so a huge body cannot make hashing expensive.
pub const MAX_LEN: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the password is too short: use at least {MIN_LEN} characters")]
    TooShort,
    #[error("the password is too long: use at most {MAX_LEN} characters")]
    TooLong,
    #[error("could not hash the password: {0}")]
    Hash(String),
    #[error("could not get random bytes from the operating system: {0}")]
    Random(String),
}

/// argon2id with the parameters OWASP recommends (19 MiB, 2 passes, 1 lane).
fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// Whether `password` is acceptable as a new password; the sentence says what to do.
pub fn check_new(password: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(PasswordError::TooShort);
    }
    if n > MAX_LEN {
        return Err(PasswordError::TooLong);
    }
    Ok(())
}

/// The argon2id PHC string (`$argon2id$v=19$m=…`) of a new password, salted with 16
/// bytes from the operating system's CSPRNG.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    check_new(password)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| PasswordError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| PasswordError::Hash(e.to_string()))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Whether `password` matches the stored PHC string. A malformed stored string never
/// matches. Passing `None` (no such account, or no password yet) still spends the time
/// of one verification, so the answer's timing does not tell whether the email exists.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    if password.chars().count() > MAX_LEN {
        return false;
    }
    // A stored string roster did not make (other parameters: a cost chosen by whoever
    // made it) is never verified: the decoy spends the usual time instead, so neither
    // the cost nor the answer's timing is anyone's choice.
    let (phc, real) = match stored {
        Some(s) if crate::core::validate::password_hash(s).is_ok() => (s, true),
        _ => (decoy(), false),
    };
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    hasher()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && real
}

/// A hash of a random password, made once, verified against when there is nothing real.
fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let mut b = [0u8; 24];
        let _ = getrandom::fill(&mut b);
        let pw: String = b.iter().map(|x| format!("{x:02x}")).collect();
        hash_password(&pw).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_salted_argon2id_and_verify() {
        let a = hash_password("correct horse").unwrap();
        let b = hash_password("correct horse").unwrap();
        assert!(a.starts_with("$argon2id$v=19$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify_password("correct horse", Some(&a)));
        assert!(!verify_password("wrong horse!", Some(&a)));
        assert!(!verify_password("correct horse", None));
        assert!(!verify_password("correct horse", Some("garbage")));
    }

    #[test]
    fn hashes_carry_the_parameters_the_core_accepts() {
        let h = hash_password("correct horse").unwrap();
        assert!(crate::core::validate::password_hash(&h).is_ok(), "{h}");
        // A hash of the same password with a cost of someone else's choosing is never
        // verified, so it can neither sign in nor make a sign-in costly.
        let costly = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 3, 1, None).unwrap(),
        )
        .hash_password(b"correct horse", &SaltString::encode_b64(&[7; 16]).unwrap())
        .unwrap()
        .to_string();
        assert!(crate::core::validate::password_hash(&costly).is_err());
        assert!(!verify_password("correct horse", Some(&costly)));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(matches!(
            hash_password("short"),
            Err(PasswordError::TooShort)
        ));
    }
}
