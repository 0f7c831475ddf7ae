//! The links people receive: a fresh secret for one (invitations, resets, session
//! tokens), and handing a new password-reset link to whom it belongs. Accounts,
//! sessions and commands all make such links, so this sits below them.

use crate::core::{Event, Principal};
use crate::secret;
use crate::server::delivery::ResetNotice;
use crate::server::problem::{Problem, Reply};
use crate::server::state::AppState;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// A fresh link secret and its hash; the operating system's random source failing is
/// the server's problem, not the client's.
pub fn new_secret() -> Reply<(String, String)> {
    secret::new_secret().map_err(|e| {
        tracing::error!("{e}");
        Problem::internal()
    })
}

/// The reply to a password reset sent through `…/accounts/{id}/reset-password`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetSent {
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<crate::core::Recorded>,
    /// The link's secret, only when the account asked for itself: nobody else, however
    /// senior, may hold a way to set someone's password (seed 002).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Whether the link was handed to mail delivery for the account's address.
    pub delivered: bool,
}

/// Gives a new reset link to whom it belongs: in the reply when the account asked for
/// itself, else to the mail delivery (nothing is sent without one).
pub async fn hand_over_reset(
    s: &AppState,
    caller: &Principal,
    events: Vec<crate::core::Recorded>,
    secret: String,
) -> Json<ResetSent> {
    let reset = events.iter().find_map(|r| match &r.event {
        Event::PasswordResetRequested { reset } => Some(reset.clone()),
        _ => None,
    });
    let own = reset
        .as_ref()
        .is_some_and(|r| *caller == Principal::Account { id: r.account });
    if own || reset.is_none() {
        return Json(ResetSent {
            events,
            secret: reset.map(|_| secret),
            delivered: false,
        });
    }
    // The outbox mails it (the command queued the message with the reset); a configured
    // delivery hook (tests, embedders) gets it too.
    let queued = events
        .iter()
        .any(|r| matches!(r.event, Event::MailQueued { .. }));
    if queued {
        crate::server::mail::spool(s, &events, &secret).await;
    }
    let mut delivered = queued;
    if let (Some(deliver), Some(r)) = (s.config().reset_delivery.clone(), reset) {
        let target = s
            .read(move |dir| {
                Ok(dir.accounts.get(&r.account).and_then(|a| {
                    dir.orgs
                        .get(&a.org)
                        .map(|o| (o.slug.clone(), a.email.clone(), r.expires))
                }))
            })
            .await
            .ok()
            .flatten();
        if let Some((org, email, expires)) = target {
            (deliver.0)(ResetNotice {
                org,
                email,
                secret,
                expires,
            });
            delivered = true;
        }
    } else if !queued {
        tracing::info!(
            "a password reset was sent, but no mail delivery is configured: no link was sent"
        );
    }
    Json(ResetSent {
        events,
        secret: None,
        delivered,
    })
}
