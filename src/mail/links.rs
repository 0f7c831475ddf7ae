//! The links mailed to people. The secret goes in the fragment (`#…`): browsers do not
//! send a fragment to the server or in a Referer header, so it stays out of access logs;
//! the page that handles the link posts it.

/// The link an invitee follows to accept: `{base}/invitations/accept#<secret>`.
pub fn invitation_link(base: &str, secret: &str) -> String {
    format!("{}/invitations/accept#{secret}", base.trim_end_matches('/'))
}

/// The link an account holder follows to choose a new password.
pub fn reset_link(base: &str, secret: &str) -> String {
    format!("{}/password-reset#{secret}", base.trim_end_matches('/'))
}

/// The secret in a link made by `invitation_link` or `reset_link`.
pub fn secret_of(link: &str) -> Option<&str> {
    link.rsplit_once('#')
        .map(|(_, s)| s)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_the_secret_in_the_fragment() {
        let l = invitation_link("https://roster.example.org/", "abc");
        assert_eq!(l, "https://roster.example.org/invitations/accept#abc");
        assert_eq!(secret_of(&l), Some("abc"));
        assert_eq!(
            reset_link("http://127.0.0.1:7878", "x1"),
            "http://127.0.0.1:7878/password-reset#x1"
        );
    }
}
