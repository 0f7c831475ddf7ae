//! Renders an outbox entry into a whole message: headers built by lettre (which encodes
//! and folds them, so no value can start a header of its own) and the template's body.

use super::config::MailConfig;
use super::links;
use crate::core::Directory;
use crate::core::mail::{self, Mail, MailKind, Vars};
use lettre::Message;
use lettre::message::header::ContentTransferEncoding;
use lettre::message::header::ContentType;
use lettre::message::{Body, Mailbox};

/// The message for `mail` with the link made from `secret`. `inviter` names who sent
/// it (the audit label of the command that queued it).
pub fn render(
    dir: &Directory,
    mail: &Mail,
    secret: &str,
    inviter: &str,
    config: &MailConfig,
) -> Result<Vec<u8>, String> {
    let org = dir
        .orgs
        .get(&mail.org)
        .map(|o| o.name.clone())
        .unwrap_or_default();
    let (link, expires, message) = match mail.kind {
        MailKind::Invitation { invitation } => {
            let i = dir
                .invitations
                .get(&invitation)
                .ok_or_else(|| format!("invitation {invitation} is gone"))?;
            (
                links::invitation_link(&config.base_url, secret),
                i.expires,
                i.message.clone(),
            )
        }
        MailKind::PasswordReset { reset } => {
            let r = dir
                .resets
                .get(&reset)
                .ok_or_else(|| format!("reset {reset} is gone"))?;
            (
                links::reset_link(&config.base_url, secret),
                r.expires,
                String::new(),
            )
        }
    };
    let expires = expires.strftime("%Y-%m-%d %H:%M UTC").to_string();
    let message = if message.is_empty() {
        String::new()
    } else {
        format!("\n{message}\n")
    };
    let vars = Vars {
        org: &org,
        inviter,
        recipient: if mail.to_name.is_empty() {
            &mail.to
        } else {
            &mail.to_name
        },
        email: &mail.to,
        message: &message,
        expires: &expires,
        link: &link,
    };
    let (_, body) = mail::split(mail.kind.template());
    let body = mail::render(body, &vars, false);
    build(config, mail, &body)
}

/// The body as written, unencoded when it can be (7bit, else 8bit), so the link reads
/// and copies whole in any mail reader and in the console; lettre encodes otherwise.
fn readable(body: &str) -> Body {
    let encoding = if body.is_ascii() {
        ContentTransferEncoding::SevenBit
    } else {
        ContentTransferEncoding::EightBit
    };
    Body::new_with_encoding(body.to_string(), encoding).unwrap_or_else(Body::new)
}

/// Headers and body as bytes. The subject is the outbox's (made single-line by the core,
/// and again here); names and addresses go through lettre's mailbox types.
pub fn build(config: &MailConfig, mail: &Mail, body: &str) -> Result<Vec<u8>, String> {
    let from: Mailbox = config
        .from
        .parse()
        .map_err(|e| format!("[mail] from is not a mailbox: {e}"))?;
    let address = mail
        .to
        .parse()
        .map_err(|e| format!("cannot send to '{}': {e}", mail::single_line(&mail.to)))?;
    let name = mail::single_line(&mail.to_name);
    let to = Mailbox::new((!name.is_empty()).then_some(name), address);
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(mail::single_line(&mail.subject))
        .header(lettre::message::header::MessageId::from(format!(
            "<{}.{}@roster>",
            mail.id,
            mail.created.as_second()
        )))
        .header(ContentType::TEXT_PLAIN)
        .body(readable(body))
        .map_err(|e| format!("cannot build the message: {e}"))?;
    Ok(message.formatted())
}
