//! The links people receive by mail. One place builds them, so the mail templates, the
//! CLI and the server agree on their shape. `base` is the configured public address of
//! the server (`[mail] base_url` in the store's `roster.toml`).
//!
//! The secret travels in the fragment (`#…`), which browsers never send to a server or
//! write to its access log; a page or a person passes it to `POST /v1/invitations/accept`
//! or `POST /v1/password-resets/complete`, or to `roster invitation accept --secret`.

/// The link in an invitation mail.
pub fn invitation_link(base: &str, secret: &str) -> String {
    format!(
        "{}/invitations/accept#{}",
        base.trim_end_matches('/'),
        secret
    )
}

/// The link in a password-reset mail.
pub fn reset_link(base: &str, secret: &str) -> String {
    format!("{}/password-reset#{}", base.trim_end_matches('/'), secret)
}

/// The secret at the end of a link from a mail, or the text itself when it is a bare
/// secret, so people may paste either.
pub fn secret_of(link_or_secret: &str) -> &str {
    let t = link_or_secret.trim();
    match t.rsplit_once('#') {
        Some((_, s)) => s.trim(),
        None => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_the_secret_and_give_it_back() {
        let l = invitation_link("https://roster.example/", "abc");
        assert_eq!(l, "https://roster.example/invitations/accept#abc");
        assert_eq!(secret_of(&l), "abc");
        let r = reset_link("http://h:1", "s3");
        assert_eq!(r, "http://h:1/password-reset#s3");
        assert_eq!(secret_of(&r), "s3");
        assert_eq!(secret_of(" bare \n"), "bare");
    }
}
