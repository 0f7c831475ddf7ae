//! Renders an outbox entry into a whole message: headers built by lettre (which encodes
//! and folds them, so no value can start a header of its own) and the template's body.

use super::config::MailConfig;
use crate::core::Directory;
use crate::core::mail::{self, Mail, MailKind, Vars};
use crate::credentials::links;
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

/// The body as written, so the link reads and copies whole in any mail reader and in
/// the console. lettre would quoted-print any line of 76 characters or more (a soft
/// limit for encoded text); the hard limit for 7bit/8bit mail is 998 (RFC 5322 2.1.1),
/// which a link line keeps well within. Anything else goes through lettre's encoder.
fn readable(body: &str) -> Body {
    // Mail lines end in CRLF.
    let crlf = body.replace("\r\n", "\n").replace('\n', "\r\n");
    // 8bit would need the server's 8BITMIME: non-ASCII text is encoded by lettre.
    let fits = crlf.is_ascii()
        && !crlf.contains('\0')
        && crlf
            .split("\r\n")
            .all(|l| l.len() <= 998 && !l.contains('\r'));
    if !fits {
        return Body::new(body.to_string());
    }
    Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::SevenBit)
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
