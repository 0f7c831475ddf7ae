//! `roster serve` and its API tokens, `roster token …`. Only parsing lives here.

use clap::{Args, Subcommand};

// ----- server and tokens -----

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on; port 0 picks a free one (the address is printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7878")]
    pub listen: String,
    /// Where a PostgreSQL store's server keeps its mail (spool, maildir, roster.toml);
    /// default: roster/mail in the XDG state directory. A folder store uses its own folder.
    #[arg(long, value_name = "DIR", env = "ROSTER_MAIL_DIR")]
    pub mail_dir: Option<std::path::PathBuf>,
    /// A reverse proxy (address or CIDR, repeatable, or comma-separated in
    /// ROSTER_TRUSTED_PROXIES) whose Forwarded / X-Forwarded-For headers name the client
    /// for the throttles; from any other peer those headers are ignored.
    #[arg(
        long = "trusted-proxy",
        value_name = "CIDR",
        env = "ROSTER_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_parser = crate::server::TrustedProxies::parse
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Self-service registrations one client address may make per hour (0: no limit).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub register_limit: u32,
    /// Bad tokens one client address may present per minute before all its requests get
    /// 429 (0: no limit; for API fuzzers such as Schemathesis, which send bad tokens on purpose).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub bad_token_limit: u32,
}

#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Make a token acting as --as EMAIL (for itself) or as --operator; prints its secret once.
    Create {
        /// What the token is for, e.g. "laptop console".
        #[arg(long, default_value = "")]
        label: String,
        /// When it stops working: 2027-01-31, an RFC 3339 time, or 90d / 12h from now.
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
    },
    /// Tokens you may see: id, whom they act as, label, created, expires, status (never the secret).
    List,
    /// Stop a token from working.
    Revoke {
        /// The token's id, e.g. t12.
        id: String,
    },
}
