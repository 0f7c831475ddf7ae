//! The server's limits. The defaults suit one machine serving a team's consoles; tests
//! shrink them to reach each limit quickly.

use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    /// Largest request body accepted (413 beyond).
    pub body_limit: usize,
    /// Largest total size of the request headers (431 beyond).
    pub header_limit: usize,
    /// How long one ordinary request may take (503 after). The change feed is exempt:
    /// its long polls wait on purpose.
    pub request_timeout: Duration,
    /// Requests served at once, the feed aside; more are turned away with 503.
    pub max_concurrent: usize,
    /// Long polls and event streams open at once; more are turned away with 503.
    pub max_feed_clients: usize,
    /// Longest `wait` a long poll may ask for.
    pub max_wait: Duration,
    /// How often the feed looks for changes made by other processes on the same store
    /// (this server's own changes are seen at once).
    pub poll_interval: Duration,
    /// Recent events kept in memory for the feed.
    pub feed_buffer: usize,
    /// Most events one feed reply carries; the client asks again for the rest.
    pub feed_batch: usize,
    /// Bad tokens one client address may present per window before it gets 429.
    pub bad_token_limit: u32,
    pub bad_token_window: Duration,
    /// Failed sign-ins one client address, or one email, may have per window before
    /// further attempts get 429 (0: no limit).
    pub sign_in_limit: u32,
    pub sign_in_window: Duration,
    /// Delivers the secrets of self-service password resets (`POST /v1/password-resets`);
    /// without one, such requests are accepted and nothing is sent.
    pub reset_delivery: Option<super::delivery::ResetDelivery>,
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` name the client (for the
    /// throttles); from any other peer those headers are ignored.
    pub trusted_proxies: super::client_addr::TrustedProxies,
    /// Self-service registrations one client address may make per window (0: no limit).
    pub register_limit: u32,
    pub register_window: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            body_limit: 64 * 1024,
            header_limit: 16 * 1024,
            request_timeout: Duration::from_secs(10),
            max_concurrent: 64,
            max_feed_clients: 256,
            max_wait: Duration::from_secs(30),
            poll_interval: Duration::from_millis(250),
            feed_buffer: 4096,
            feed_batch: 1000,
            bad_token_limit: 20,
            bad_token_window: Duration::from_secs(60),
            sign_in_limit: 10,
            sign_in_window: Duration::from_secs(15 * 60),
            reset_delivery: None,
            trusted_proxies: Default::default(),
            register_limit: 10,
            register_window: Duration::from_secs(60 * 60),
        }
    }
}
