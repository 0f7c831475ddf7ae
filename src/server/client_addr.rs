//! Which address a request comes from, for the throttles. Directly connected clients
//! are their connection's address. Behind a reverse proxy every connection comes from
//! the proxy, so one client's bad tokens would lock out everyone (issue 15); from a peer
//! the operator named with `--trusted-proxy`, and only from one, the client is read from
//! `Forwarded` (RFC 7239) or else `X-Forwarded-For`: the rightmost hop that is not itself
//! a trusted proxy. Hops to the left of it were written by the client and prove nothing.

use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The proxies whose forwarding headers are believed (none by default).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(nets: Vec<IpNet>) -> Self {
        TrustedProxies(nets)
    }

    /// Parses `10.0.0.0/8`, `::1/128`, or a bare address (one host); the error says
    /// what a valid value looks like.
    pub fn parse(text: &str) -> Result<IpNet, String> {
        let t = text.trim();
        t.parse::<IpNet>()
            .or_else(|_| t.parse::<IpAddr>().map(IpNet::from))
            .map_err(|_| {
                format!(
                    "{t:?} is not an address or network: give one like 10.0.0.5, 10.0.0.0/8 or ::1/128"
                )
            })
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client's address: `peer` itself unless `peer` is trusted, else the rightmost
    /// untrusted hop of the forwarding headers. When the headers name no usable hop the
    /// answer is the last trusted address met (the proxy): its clients then share one
    /// limit, which is safe, rather than one that a client could choose.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let mut nearest = peer;
        for hop in hops(headers).into_iter().rev() {
            let Some(ip) = hop else {
                return nearest; // `unknown`, an obfuscated name, or garbage
            };
            if !self.trusts(ip) {
                return ip;
            }
            nearest = ip;
        }
        nearest
    }
}

/// An IPv4 address mapped into IPv6 (`::ffff:10.0.0.1`) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The hops the proxies recorded, nearest last; `None` for one that is not an address.
/// `Forwarded` wins when present (it is the standard); every header line counts, in order.
fn hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let lines = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().map(str::to_string).unwrap_or_default())
            .collect()
    };
    let forwarded = lines("forwarded");
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|l| l.split(','))
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, v)| node(v))
            })
            .collect();
    }
    lines("x-forwarded-for")
        .iter()
        .flat_map(|l| l.split(','))
        .map(node)
        .collect()
}

/// An address out of a `for=` value or an X-Forwarded-For entry: `1.2.3.4`,
/// `"1.2.3.4:5678"`, `"[2001:db8::1]:80"`, `2001:db8::1`.
fn node(v: &str) -> Option<IpAddr> {
    let v = v.trim().trim_matches('"').trim();
    if let Ok(ip) = v.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(sa) = v.parse::<SocketAddr>() {
        return Some(canonical(sa.ip()));
    }
    let bracketed = v.strip_prefix('[')?.split(']').next()?;
    bracketed.parse::<IpAddr>().ok().map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::new(
            list.iter()
                .map(|s| TrustedProxies::parse(s).unwrap())
                .collect(),
        )
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let t = proxies(&["10.0.0.0/8"]);
        let h = headers(&[("x-forwarded-for", "1.1.1.1"), ("forwarded", "for=2.2.2.2")]);
        assert_eq!(t.client(ip("203.0.113.9"), &h), ip("203.0.113.9"));
        assert_eq!(
            TrustedProxies::default().client(ip("10.0.0.1"), &h),
            ip("10.0.0.1"),
            "nobody is trusted by default"
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
        let t = proxies(&["10.0.0.0/8", "::1"]);
        // The client put a forged hop in front; the proxy appended the real one.
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.1.2.3")]);
        assert_eq!(t.client(ip("10.0.0.1"), &h), ip("198.51.100.7"));
        // Several header lines are one list, in order.
        let h = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "198.51.100.8"),
        ]);
        assert_eq!(t.client(ip("::1"), &h), ip("198.51.100.8"));
        // RFC 7239, with quoted IPv6 and ports; it wins over X-Forwarded-For.
        let h = headers(&[
            (
                "forwarded",
                r#"for=6.6.6.6, for="[2001:db8::17]:4711";proto=https, for=10.9.9.9"#,
            ),
            ("x-forwarded-for", "7.7.7.7"),
        ]);
        assert_eq!(t.client(ip("10.0.0.1"), &h), ip("2001:db8::17"));
        // A mapped IPv4 peer is its IPv4 address.
        let h = headers(&[("x-forwarded-for", "192.0.2.1")]);
        assert_eq!(t.client(ip("::ffff:10.0.0.1"), &h), ip("192.0.2.1"));
    }

    #[test]
    fn no_usable_hop_means_the_proxy_itself() {
        let t = proxies(&["10.0.0.0/8"]);
        assert_eq!(t.client(ip("10.0.0.1"), &HeaderMap::new()), ip("10.0.0.1"));
        let h = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(t.client(ip("10.0.0.1"), &h), ip("10.0.0.1"));
        let h = headers(&[("x-forwarded-for", "1.1.1.1, garbage, 10.0.0.2")]);
        assert_eq!(t.client(ip("10.0.0.1"), &h), ip("10.0.0.2"));
    }

    #[test]
    fn bad_values_are_refused_with_an_example() {
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        let e = TrustedProxies::parse("proxy.local").unwrap_err();
        assert!(e.contains("10.0.0.0/8"), "{e}");
        assert_eq!(
            TrustedProxies::parse(" 192.0.2.4 ").unwrap(),
            "192.0.2.4/32".parse::<IpNet>().unwrap()
        );
    }
}
