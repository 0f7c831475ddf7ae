//! The bad-token counter: how many unknown tokens each client address presented lately,
//! and how long it must wait once it used them up. Shared state holds it; `auth` asks it
//! before looking a token up.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Bad tokens per client address in a fixed window (behind a trusted reverse proxy, the
/// address it forwarded: see `client_addr`).
pub struct BadTokens {
    limit: u32,
    window: Duration,
    seen: Mutex<HashMap<IpAddr, Strikes>>,
}

struct Strikes {
    since: Instant,
    count: u32,
}

/// Addresses remembered at most; beyond it, expired entries are dropped.
const REMEMBERED: usize = 10_000;

impl BadTokens {
    pub fn new(limit: u32, window: Duration) -> Self {
        BadTokens {
            limit,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// How long `ip` must still wait, if it has used up its bad tokens.
    pub fn blocked(&self, ip: IpAddr) -> Option<Duration> {
        if self.limit == 0 {
            return None;
        }
        let seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let s = seen.get(&ip)?;
        let elapsed = s.since.elapsed();
        (s.count >= self.limit && elapsed < self.window).then(|| self.window - elapsed)
    }

    pub fn strike(&self, ip: IpAddr) {
        if self.limit == 0 {
            return;
        }
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.len() >= REMEMBERED {
            let window = self.window;
            seen.retain(|_, s| s.since.elapsed() < window);
        }
        let s = seen.entry(ip).or_insert(Strikes {
            since: Instant::now(),
            count: 0,
        });
        if s.since.elapsed() >= self.window {
            *s = Strikes {
                since: Instant::now(),
                count: 0,
            };
        }
        s.count = s.count.saturating_add(1);
    }
}
