//! The bad-token counter: how many unknown tokens each client address presented lately,
//! and how long it must wait once it used them up (behind a trusted reverse proxy, the
//! address it forwarded: see `client_addr`). Shared state holds it; `auth` asks it
//! before looking a token up. It is the same fixed-window counter as the sign-in
//! throttles.

use super::throttle::Throttle;
use std::net::IpAddr;

/// Bad tokens per client address in a fixed window.
pub type BadTokens = Throttle<IpAddr>;
