//! Single-use secrets for invitation and password-reset links. The secret goes to the
//! person (printed once, later mailed); only its SHA-256 is passed to the core and
//! stored, so a copy of the store cannot be used to accept someone's invitation.

use sha2::{Digest, Sha256};
use std::fmt::Write;

/// 256 bits: far beyond guessing, even online.
const SECRET_BYTES: usize = 32;

/// The operating system's random source failed; no secret is made without it.
#[derive(Debug, thiserror::Error)]
#[error("could not get random bytes from the operating system: {0}")]
pub struct SecretError(String);

/// A fresh secret for a link and the hash to store: `(secret, sha256_hex(secret))`.
///
/// The bytes come from the operating system's CSPRNG (`getrandom`). This returns a
/// `Result` rather than the bare pair because that source can fail on a broken
/// platform, and a weaker fallback would be worse than a clear error.
pub fn new_secret() -> Result<(String, String), SecretError> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| SecretError(e.to_string()))?;
    let secret = hex(&bytes);
    let hashed = hash(&secret);
    Ok((secret, hashed))
}

/// SHA-256 of a secret as lowercase hex: what the core compares and stores.
pub fn hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.trim().as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_matches_its_hash_and_no_other() {
        let (secret, hashed) = new_secret().unwrap();
        assert_eq!(secret.len(), 64);
        assert_eq!(hash(&secret), hashed);
        assert_ne!(secret, hashed);
        let (other, _) = new_secret().unwrap();
        assert_ne!(secret, other);
        assert_ne!(hash(&other), hashed);
    }

    #[test]
    fn known_vector() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn pasted_secrets_tolerate_surrounding_whitespace() {
        assert_eq!(hash(" abc\n"), hash("abc"));
    }
}
