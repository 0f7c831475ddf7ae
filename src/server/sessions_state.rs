//! The server's memory of failed sign-ins: one throttle per client address, one per
//! (organisation, email), so neither one address guessing many emails nor many addresses
//! guessing one email get far.

use super::config::Config;
use super::throttle::Throttle;
use std::net::IpAddr;
use std::time::Duration;

pub struct SignIns {
    by_ip: Throttle<IpAddr>,
    by_email: Throttle<(String, String)>,
    /// Self-service reset requests, counted apart so asking for links never locks
    /// anyone out of signing in.
    pub resets: Resets,
    /// Self-service registrations per client address (anonymous `register`), so one
    /// address cannot fill an organisation with accounts.
    pub registrations: Throttle<IpAddr>,
    /// argon2 runs at once at most: each takes 19 MiB, so a burst of sign-ins cannot
    /// take the machine's memory (the rest wait their turn).
    pub hashing: tokio::sync::Semaphore,
}

/// argon2 computations allowed at once.
const HASHING_AT_ONCE: usize = 4;

pub struct Resets {
    by_ip: Throttle<IpAddr>,
    by_email: Throttle<(String, String)>,
}

impl Resets {
    /// Counts one request; how long to wait first, if the caller asked too often.
    pub fn ask(&self, ip: IpAddr, key: &(String, String)) -> Option<Duration> {
        let wait = match (self.by_ip.blocked(&ip), self.by_email.blocked(key)) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        if wait.is_none() {
            self.by_ip.strike(&ip);
            self.by_email.strike(key);
        }
        wait
    }
}

impl SignIns {
    pub fn new(config: &Config) -> Self {
        SignIns {
            by_ip: Throttle::new(config.sign_in_limit, config.sign_in_window),
            by_email: Throttle::new(config.sign_in_limit, config.sign_in_window),
            resets: Resets {
                by_ip: Throttle::new(config.sign_in_limit, config.sign_in_window),
                by_email: Throttle::new(config.sign_in_limit, config.sign_in_window),
            },
            registrations: Throttle::new(config.register_limit, config.register_window),
            hashing: tokio::sync::Semaphore::new(HASHING_AT_ONCE),
        }
    }

    /// Counts one sign-in attempt per address and per (organisation, email) *before*
    /// its password is verified, so concurrent guesses cannot all slip under the limit.
    /// When either has used up its attempts: how long to wait (and nothing is counted).
    pub fn reserve(&self, ip: IpAddr, key: &(String, String)) -> Result<(), Duration> {
        self.by_ip.reserve(&ip)?;
        self.by_email
            .reserve(key)
            .inspect_err(|_| self.by_ip.refund(&ip))
    }

    /// The password was right: the attempt is not a failure of the address, and the
    /// email's failures are forgotten.
    pub fn succeeded(&self, ip: IpAddr, key: &(String, String)) {
        self.by_ip.refund(&ip);
        self.by_email.clear(key);
    }
}
