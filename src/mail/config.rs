//! Mail settings: `[mail]` and `[smtp]` in `roster.toml` in the store's folder, so the
//! CLI, the console and `roster serve` on that store all send the same way:
//!
//! ```toml
//! [mail]
//! base_url = "https://roster.example.org"   # links start here
//! from = "roster <roster@example.org>"
//!
//! [smtp]                  # leave out to write messages to <store>/maildir instead
//! host = "smtp.example.org"
//! port = 587
//! security = "starttls"   # "starttls", "tls" (implicit, port 465) or "none" (loopback only)
//! max_attempts = 5
//! retry_base_ms = 2000    # waits 2 s, 4 s, 8 s … between attempts
//! ```
//!
//! The SMTP user and password come from `ROSTER_SMTP_USER` / `ROSTER_SMTP_PASSWORD`,
//! never from the file, and are never logged. Other sections are left to other readers.

use serde::Deserialize;
use std::path::Path;
use std::time::Duration;

/// The file's name inside the store's folder.
pub const FILE_NAME: &str = "roster.toml";
pub const USER_ENV: &str = "ROSTER_SMTP_USER";
pub const PASSWORD_ENV: &str = "ROSTER_SMTP_PASSWORD";

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS (required, never skipped).
    Starttls,
    /// TLS from the first byte (SMTPS).
    Tls,
    /// No encryption: only for a server on this machine (tests, a local relay).
    None,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    /// Default: 587 for STARTTLS, 465 for TLS, 25 for none.
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default = "starttls")]
    pub security: Security,
    /// Attempts per message before it is marked failed.
    #[serde(default = "five")]
    pub max_attempts: u32,
    /// The first wait between attempts; each next wait doubles (at most a minute).
    #[serde(default = "two_seconds")]
    pub retry_base_ms: u64,
    /// How long one SMTP conversation may take (the attempt right after a command: at
    /// most `sender::INLINE_TIMEOUT_SECS`).
    #[serde(default = "thirty")]
    pub timeout_secs: u64,
}

fn starttls() -> Security {
    Security::Starttls
}
fn five() -> u32 {
    5
}
fn two_seconds() -> u64 {
    2000
}
fn thirty() -> u64 {
    30
}

impl SmtpConfig {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            Security::Starttls => 587,
            Security::Tls => 465,
            Security::None => 25,
        })
    }

    /// The wait before attempt `n + 1` (after `n` failed ones), doubling up to a minute.
    pub fn backoff(&self, n: u32) -> Duration {
        let ms = self
            .retry_base_ms
            .saturating_mul(1u64 << n.saturating_sub(1).min(16));
        Duration::from_millis(ms.min(60_000))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct MailSection {
    #[serde(default = "default_base")]
    base_url: String,
    #[serde(default = "default_from")]
    from: String,
}

impl Default for MailSection {
    fn default() -> Self {
        MailSection {
            base_url: default_base(),
            from: default_from(),
        }
    }
}

fn default_base() -> String {
    "http://127.0.0.1:7878".into()
}
fn default_from() -> String {
    "roster <roster@localhost>".into()
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    mail: MailSection,
    #[serde(default)]
    smtp: Option<SmtpConfig>,
}

/// How this store sends mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailConfig {
    /// Links start with this (`https://roster.example.org`).
    pub base_url: String,
    /// The `From:` mailbox.
    pub from: String,
    /// `None`: messages go to `<store>/maildir`.
    pub smtp: Option<SmtpConfig>,
}

impl Default for MailConfig {
    fn default() -> Self {
        let m = MailSection::default();
        MailConfig {
            base_url: m.base_url,
            from: m.from,
            smtp: None,
        }
    }
}

impl MailConfig {
    /// The settings of the store in `root`: the defaults (maildir) when it has no
    /// `roster.toml`; a broken file is an error that names the file and the mistake.
    pub fn load(root: &Path) -> Result<MailConfig, String> {
        let path = root.join(FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => MailConfig::parse(&text)
                .map_err(|e| format!("{}: {e}: fix the file or remove it", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(MailConfig::default()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    pub fn parse(text: &str) -> Result<MailConfig, String> {
        let file: File = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let base = file.mail.base_url.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("https://") || base.starts_with("http://"))
            || base
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '#')
        {
            return Err(format!(
                "[mail] base_url '{}' is not an http(s) address",
                crate::core::mail::single_line(&base)
            ));
        }
        file.mail
            .from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| format!("[mail] from '{}' is not a mailbox: {e}", file.mail.from))?;
        if let Some(s) = &file.smtp {
            if s.host.trim().is_empty() || s.host.chars().any(|c| c.is_whitespace()) {
                return Err("[smtp] host must be a host name or address".into());
            }
            if s.security == Security::None && !is_loopback(&s.host) {
                return Err(format!(
                    "[smtp] security = \"none\" sends passwords and links in the clear: it is allowed only for a server on this machine, not {}; use \"starttls\" or \"tls\"",
                    s.host
                ));
            }
            if s.max_attempts == 0 {
                return Err("[smtp] max_attempts must be at least 1".into());
            }
        }
        Ok(MailConfig {
            base_url: base,
            from: file.mail.from,
            smtp: file.smtp,
        })
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_file_means_maildir_with_defaults() {
        let c = MailConfig::parse("").unwrap();
        assert!(c.smtp.is_none());
        assert_eq!(c.base_url, "http://127.0.0.1:7878");
    }

    #[test]
    fn plain_smtp_only_on_loopback() {
        let ok = "[smtp]\nhost = \"127.0.0.1\"\nport = 2525\nsecurity = \"none\"\n";
        assert_eq!(MailConfig::parse(ok).unwrap().smtp.unwrap().port(), 2525);
        let bad = "[smtp]\nhost = \"smtp.example.org\"\nsecurity = \"none\"\n";
        assert!(MailConfig::parse(bad).unwrap_err().contains("clear"));
    }

    #[test]
    fn mistakes_are_named() {
        assert!(MailConfig::parse("[mail]\nbase_url = \"ftp://x\"\n").is_err());
        assert!(MailConfig::parse("[mail]\nfrom = \"not a mailbox\"\n").is_err());
        assert!(MailConfig::parse("[smtp]\nhots = \"x\"\n").is_err());
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let s = MailConfig::parse("[smtp]\nhost = \"h\"\nretry_base_ms = 100\n")
            .unwrap()
            .smtp
            .unwrap();
        assert_eq!(s.backoff(1), Duration::from_millis(100));
        assert_eq!(s.backoff(3), Duration::from_millis(400));
        assert_eq!(s.backoff(40), Duration::from_secs(60));
    }
}
