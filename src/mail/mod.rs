//! Mail: rendering the messages that carry links, spooling them next to the store,
//! and delivering them over SMTP (`[smtp]` in `<store>/roster.toml`) or, without SMTP,
//! into a maildir next to the store for the operator to pass on.
//!
//! The core records each message in the outbox (no body, no secret); the body with the
//! link exists only in `<store>/outbox/<mail-id>.eml` (0600) until it is delivered.

pub mod background;
pub mod config;

pub mod maildir;
pub mod message;
pub mod sender;
pub mod smtp;
pub mod spool;

pub use config::MailConfig;
pub use sender::{Delivery, deliver_now, deliver_queued, spool_queued};

/// Why a message could not be handed over. `permanent`: trying again will not help
/// (the server refused the recipient, say); otherwise the sender retries with backoff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

/// Somewhere a rendered message goes.
pub trait Mailer: Send + Sync {
    /// Hands `raw` (a whole RFC 5322 message) over for `to`.
    fn send(&self, from: &str, to: &str, raw: &[u8]) -> Result<(), SendError>;
    /// Where messages go, for reports (`smtp://host:port`, `maildir:/path`).
    fn describe(&self) -> String;
    /// Whether the spool file stays after delivery: a maildir keeps it so the console
    /// can show the message; after SMTP delivery nothing should keep the link.
    fn keeps_spool(&self) -> bool {
        false
    }
}
