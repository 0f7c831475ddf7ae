//! Delivery over SMTP with lettre's blocking transport (the backend is synchronous, and
//! `roster serve` runs the sender on a blocking thread): STARTTLS or implicit TLS with
//! rustls, or plain on loopback. Credentials come from the environment only.

use super::config::{PASSWORD_ENV, Security, SmtpConfig, USER_ENV};
use super::{Mailer, SendError};
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{SmtpTransport, Transport};
use std::time::Duration;

pub struct Smtp {
    transport: SmtpTransport,
    describe: String,
}

impl Smtp {
    pub fn new(c: &SmtpConfig) -> Result<Smtp, String> {
        let host = c.host.trim();
        let builder = match c.security {
            Security::Starttls => SmtpTransport::starttls_relay(host),
            Security::Tls => SmtpTransport::relay(host),
            Security::None => Ok(SmtpTransport::builder_dangerous(host)),
        }
        .map_err(|e| format!("cannot set up SMTP to {host}: {e}"))?;
        let mut builder = builder
            .port(c.port())
            .timeout(Some(Duration::from_secs(c.timeout_secs.max(1))));
        match (std::env::var(USER_ENV), std::env::var(PASSWORD_ENV)) {
            (Ok(user), Ok(password)) => {
                builder = builder.credentials(Credentials::new(user, password));
            }
            (Ok(_), Err(_)) | (Err(_), Ok(_)) => {
                return Err(format!(
                    "set both {USER_ENV} and {PASSWORD_ENV} to sign in to the SMTP server, or neither"
                ));
            }
            _ => {}
        }
        let scheme = match c.security {
            Security::Starttls => "smtp+starttls",
            Security::Tls => "smtps",
            Security::None => "smtp",
        };
        Ok(Smtp {
            transport: builder.build(),
            describe: format!("{scheme}://{host}:{}", c.port()),
        })
    }
}

impl Mailer for Smtp {
    fn send(&self, from: &str, to: &str, raw: &[u8]) -> Result<(), SendError> {
        let bad = |message: String| SendError {
            permanent: true,
            message,
        };
        let from = from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| bad(format!("the From address is not valid: {e}")))?
            .email;
        let to = to
            .parse()
            .map_err(|e| bad(format!("'{to}' is not a deliverable address: {e}")))?;
        let envelope = Envelope::new(Some(from), vec![to]).map_err(|e| bad(e.to_string()))?;
        self.transport
            .send_raw(&envelope, raw)
            .map(|_| ())
            .map_err(|e| SendError {
                // A 5xx answer will not change; anything else (no connection, a timeout,
                // a 4xx "try later") may.
                permanent: e.is_permanent(),
                message: describe_error(&e),
            })
    }

    fn describe(&self) -> String {
        self.describe.clone()
    }
}

/// The error with its causes, so "connection refused" is not hidden behind "network error".
fn describe_error(e: &lettre::transport::smtp::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
