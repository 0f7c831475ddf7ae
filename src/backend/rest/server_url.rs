//! The server's address as the user gives it (`--server`, a context), checked before
//! anything is sent: a bearer token must never travel in the clear over a network.

use crate::backend::BackendError;
use reqwest::Url;
use std::net::IpAddr;

#[derive(Clone, Debug)]
pub struct ServerUrl {
    /// Ends in `/`, so `/v1/...` paths join below any prefix a proxy adds.
    pub base: Url,
    /// `https://host:port[/prefix]`, for messages and the status line.
    pub label: String,
    /// The server runs on this machine: no proxy, and plain http is acceptable.
    pub loopback: bool,
}

pub fn parse(text: &str) -> Result<ServerUrl, BackendError> {
    let text = text.trim();
    let bad = |why: &str| BackendError::Io(format!("the server address '{text}' {why}"));
    if text.is_empty() {
        return Err(BackendError::Io(
            "the server address is empty: give it as https://host:port".into(),
        ));
    }
    if !text.contains("://") {
        return Err(bad(
            "has no scheme: write https://… (or http://… for a server on this machine)",
        ));
    }
    let mut base = Url::parse(text).map_err(|e| bad(&format!("is not a URL ({e})")))?;
    if !matches!(base.scheme(), "http" | "https") {
        return Err(bad("must start with https:// (or http:// on this machine)"));
    }
    if !base.username().is_empty() || base.password().is_some() {
        return Err(bad(
            "holds credentials: pass the token with --token or ROSTER_TOKEN instead",
        ));
    }
    if base.query().is_some() || base.fragment().is_some() {
        return Err(bad("must not have a ?query or #fragment"));
    }
    let Some(host) = base.host_str().filter(|h| !h.is_empty()) else {
        return Err(bad("has no host"));
    };
    // IPv6 hosts come bracketed (`[::1]`).
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost"),
    };
    if base.scheme() == "http" && !loopback {
        return Err(bad(
            "uses plain http to another machine, where the token would travel in the clear: use https://",
        ));
    }
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    let label = base.as_str().trim_end_matches('/').to_string();
    Ok(ServerUrl {
        base,
        label,
        loopback,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn https_anywhere_http_only_on_this_machine() {
        let s = parse("https://roster.example.org:8443").unwrap();
        assert_eq!(s.label, "https://roster.example.org:8443");
        assert!(!s.loopback);
        for local in [
            "http://127.0.0.1:8080",
            "http://localhost:8080/",
            "http://[::1]:9",
        ] {
            assert!(parse(local).unwrap().loopback, "{local}");
        }
        assert!(err("http://roster.example.org").contains("in the clear"));
        assert!(err("http://10.0.0.5:8080").contains("https://"));
    }

    #[test]
    fn a_prefix_is_kept_for_joining() {
        let s = parse("https://example.org/roster").unwrap();
        assert_eq!(s.base.join("v1/me").unwrap().path(), "/roster/v1/me");
        assert_eq!(s.label, "https://example.org/roster");
    }

    #[test]
    fn mistakes_are_explained() {
        assert!(err("localhost:8080").contains("no scheme"));
        assert!(err("ftp://example.org").contains("https://"));
        assert!(err("https://user:pw@example.org").contains("--token"));
        assert!(err("https://example.org/?x=1").contains("query"));
        assert!(err("").contains("empty"));
    }
}
