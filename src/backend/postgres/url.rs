//! The database URL: recognised by its scheme, and shown without its password. The
//! password may sit in the user-info part (`postgres://user:secret@host/db`) or in the
//! query (`?password=secret`); neither may reach a log, a status line or an error.

use std::fmt;

/// A `postgres://` (or `postgresql://`) URL. `Display` and `Debug` redact it.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// `Some` when `s` names a PostgreSQL database rather than a file store path.
    pub fn parse(s: &str) -> Option<DatabaseUrl> {
        let s = s.trim();
        is_database_url(s).then(|| DatabaseUrl(s.to_string()))
    }

    /// The URL with its secrets, for the driver only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The password in the user-info, if any (to scrub it from driver messages).
    pub fn password(&self) -> Option<String> {
        let rest = &self.0[self.0.find("://")? + 3..];
        let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
        let info = &authority[..authority.rfind('@')?];
        info.split_once(':').map(|(_, pw)| pw.to_string())
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }
}

/// True for the URL schemes PostgreSQL's own tools accept.
pub fn is_database_url(s: &str) -> bool {
    let lower = s.trim_start().to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

/// Replaces the password in the user-info and any `password=` query value.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let (scheme, rest) = url.split_at(scheme_end + 3);
    // The authority ends at the first '/', '?' or '#'; its user-info at its last '@'.
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(auth_end);
    let authority = match authority.rfind('@') {
        Some(at) => {
            let (info, host) = authority.split_at(at);
            match info.find(':') {
                Some(colon) => format!("{}:***{host}", &info[..colon]),
                None => authority.to_string(),
            }
        }
        None => authority.to_string(),
    };
    let tail = match tail.find('?') {
        Some(q) => {
            let (path, query) = tail.split_at(q + 1);
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => pair.to_string(),
                })
                .collect();
            format!("{path}{}", query.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact("postgres://roster:s3cr3t@db.example:5432/roster"),
            "postgres://roster:***@db.example:5432/roster"
        );
        assert_eq!(
            redact("postgresql://u:p@ss:w@rd@h/db?sslmode=require&password=x"),
            "postgresql://u:***@h/db?sslmode=require&password=***"
        );
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
        assert_eq!(redact("postgres://user@h"), "postgres://user@h");
        let url = DatabaseUrl::parse("postgres://a:b@c/d").unwrap();
        assert!(!format!("{url} {url:?}").contains(":b@"));
    }

    #[test]
    fn recognises_database_urls_only() {
        assert!(DatabaseUrl::parse("postgres://h/db").is_some());
        assert!(DatabaseUrl::parse("PostgreSQL://h/db").is_some());
        assert!(DatabaseUrl::parse("/var/lib/roster").is_none());
        assert!(DatabaseUrl::parse("postgres-store").is_none());
    }
}
