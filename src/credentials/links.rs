//! The links people receive by mail. One place builds them, so the mail templates, the
//! CLI and the server agree on their shape. `base` is the configured public address of
//! the server (`[links] base_url` in the config file, else the `--server` URL).
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
    format!(
        "{}/password-resets/complete#{}",
        base.trim_end_matches('/'),
        secret
    )
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

/// `[links] base_url` from the config file's text, if set: the public address people
/// reach the server at (a reverse proxy's, say), when it differs from `--server`.
pub fn configured_base(config_text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct File {
        links: Option<Links>,
    }
    #[derive(serde::Deserialize)]
    struct Links {
        base_url: Option<String>,
    }
    let f: File = toml::from_str(config_text).ok()?;
    f.links?
        .base_url
        .map(|b| b.trim().trim_end_matches('/').to_string())
        .filter(|b| !b.is_empty())
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
        assert_eq!(r, "http://h:1/password-resets/complete#s3");
        assert_eq!(secret_of(&r), "s3");
        assert_eq!(secret_of(" bare \n"), "bare");
    }

    #[test]
    fn base_url_comes_from_the_links_section() {
        let t = "theme = \"mono\"\n[links]\nbase_url = \"https://r.example/\"\n";
        assert_eq!(configured_base(t).as_deref(), Some("https://r.example"));
        assert_eq!(configured_base("theme = 1"), None);
    }
}
