//! The console's Outbox (`M`): invitation and reset mail with its delivery status, and
//! for a message kept in the maildir (no SMTP configured), the link to pass on.

mod mail_support;
mod tui_support;

use crossterm::event::KeyCode;

use roster::core::{Command, Level, Principal};
use roster::tui::app::{self, Effect};
use roster::tui::data::Target;
use tui_support::*;

/// A fixed secret, so the snapshot does not change from run to run.
const SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Alice invites Ivy the way the console does, and the message goes to the maildir.
fn invited(fx: &Fixture) {
    let recs = fx.exec(
        &fx.as_alice(),
        Command::Invite {
            org: fx.org,
            email: "ivy@acme.example".into(),
            first_name: "Ivy".into(),
            last_name: "Ng".into(),
            message: String::new(),
            level: Level::Member,
            roles: vec![],
            programs: vec![],
            expires: None,
            secret_hash: Some(roster::secret::hash(SECRET)),
        },
    );
    roster::mail::spool_queued(fx.store.as_ref(), &recs, SECRET).unwrap();
    let done = roster::mail::deliver_queued(fx.store.as_ref()).unwrap();
    assert!(done.iter().all(|d| d.outcome.is_ok()), "{done:?}");
}

#[test]
fn m_opens_the_outbox_as_a_view_over_the_tab() {
    let fx = fixture();
    let mut app = pinned(&fx, fx.as_alice(), (100, 30));
    let fx_out = app::update(&mut app, ch('M'));
    let target = app.detail.as_ref().map(|d| d.target);
    assert_eq!(target, Some(Target::Outbox(fx.org)));
    assert!(
        fx_out.iter().any(|e| matches!(
            e,
            Effect::LoadDetail {
                target: Target::Outbox(_),
                ..
            }
        )),
        "{fx_out:?}"
    );
}

#[test]
fn the_outbox_shows_the_status_and_the_link_of_a_maildir_message() {
    let fx = fixture();
    invited(&fx);
    let mut app = pinned(&fx, fx.as_alice(), (100, 30));
    send(&mut app, fx.store.as_ref(), ch('M'));
    let text = screen(&app, 100, 30);
    assert!(text.contains("ivy@acme.example"), "{text}");
    assert!(text.contains("sent (1 attempt)"), "{text}");
    // The whole link, with the secret, to pass on.
    let joined: String = text.lines().map(|l| l.trim_matches(['│', ' '])).collect();
    assert!(
        joined.contains(&format!("/invitations/accept#{SECRET}")),
        "{text}"
    );
    insta::assert_snapshot!("outbox_100x30", text);
}

#[test]
fn a_member_without_the_right_is_told_the_outbox_is_not_theirs() {
    let fx = fixture();
    invited(&fx);
    let mut app = pinned(&fx, Principal::Account { id: fx.carol }, (100, 30));
    send(&mut app, fx.store.as_ref(), ch('M'));
    let text = screen(&app, 100, 30);
    assert!(
        text.contains("The outbox is for those who send mail"),
        "{text}"
    );
    assert!(!text.contains("ivy@acme.example"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
}

/// The first half, through the console: an administrator invites someone, the
/// mail arrives at a real SMTP server on loopback, and its link is the invitation's.
#[test]
fn an_invitation_made_in_the_console_arrives_over_smtp() {
    let Some(sink) = mail_support::sink() else {
        return;
    };
    let fx = fixture();
    std::fs::write(
        fx.path().join("roster.toml"),
        mail_support::smtp_toml(sink.port),
    )
    .unwrap();
    let mut app = open(&fx, fx.as_alice(), (80, 24));
    let b = fx.backend();
    send(&mut app, b.as_ref(), ch('i'));
    typed(&mut app, b.as_ref(), "ivan@acme.example");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    typed(&mut app, b.as_ref(), "Ivan");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    typed(&mut app, b.as_ref(), "Petrov");
    send(&mut app, b.as_ref(), key(KeyCode::Enter));
    send(&mut app, b.as_ref(), ctrl('s')); // access: none
    send(&mut app, b.as_ref(), key(KeyCode::Enter)); // no message
    send(&mut app, b.as_ref(), key(KeyCode::Enter)); // confirm
    let inv = fx
        .read(|d| {
            d.invitations
                .values()
                .find(|i| i.email == "ivan@acme.example")
                .cloned()
        })
        .expect("invited");
    let got = mail_support::received(&sink);
    let msg = got
        .iter()
        .find(|m| m.contains("ivan@acme.example"))
        .unwrap_or_else(|| panic!("no mail for ivan in {got:?}"));
    let link = msg
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("https://roster.example.org/invitations/accept#"))
        .unwrap_or_else(|| panic!("no link in {msg}"));
    let secret = roster::credentials::links::secret_of(link);
    assert_eq!(Some(roster::secret::hash(secret)), inv.secret_hash);
    // The outbox says it went (once the results are closed).
    send(&mut app, b.as_ref(), key(KeyCode::Esc));
    send(&mut app, b.as_ref(), ch('M'));
    let text = screen(&app, 80, 24);
    assert!(text.contains("ivan@acme.example"), "{text}");
    assert!(text.contains("sent (1 attempt)"), "{text}");
    assert!(
        !text.contains(secret),
        "an SMTP delivery keeps no link: {text}"
    );
}

/// Alice invites `email` with a given secret; the message gets its one attempt.
fn invite_as_alice(fx: &Fixture, email: &str, secret: &str) {
    let recs = fx.exec(
        &fx.as_alice(),
        Command::Invite {
            org: fx.org,
            email: email.into(),
            first_name: "Jo".into(),
            last_name: "Lee".into(),
            message: String::new(),
            level: Level::Member,
            roles: vec![],
            programs: vec![],
            expires: None,
            secret_hash: Some(roster::secret::hash(secret)),
        },
    );
    let ids = roster::mail::spool_queued(fx.store.as_ref(), &recs, secret).unwrap();
    roster::mail::deliver_now(fx.store.as_ref(), &ids).unwrap();
}

/// The outbox is a list: j/k pick a message, Enter shows it whole with its link, Esc
/// comes back to the same pick, and R sends a failed message again.
#[test]
fn the_outbox_is_a_list_to_open_and_retry_messages() {
    let fx = fixture();
    invited(&fx); // Ivy: to the maildir, sent.
    // Jo's message fails: the SMTP server (a closed port) refuses, and one attempt is all.
    let port = mail_support::free_port();
    std::fs::write(
        fx.path().join("roster.toml"),
        format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nmax_attempts = 1\n"
        ),
    )
    .unwrap();
    let jo_secret = "f".repeat(64);
    invite_as_alice(&fx, "jo@acme.example", &jo_secret);
    let jo = fx.read(|d| {
        d.mails
            .values()
            .find(|m| m.to == "jo@acme.example")
            .map(|m| (m.id, m.status))
            .unwrap()
    });
    assert_eq!(jo.1, roster::core::mail::MailStatus::Failed);

    let mut app = pinned(&fx, fx.as_alice(), (100, 30));
    let b = fx.store.as_ref();
    send(&mut app, b, ch('M'));
    let text = screen(&app, 100, 30);
    assert!(
        text.contains(&format!("▶ {} · invitation", jo.0)),
        "the newest is picked: {text}"
    );
    // The help overlay names the outbox's keys.
    send(&mut app, b, ch('?'));
    let help = screen(&app, 100, 30);
    assert!(help.contains("send a failed message again"), "{help}");
    send(&mut app, b, key(KeyCode::Esc));

    // Down to Ivy's, and open it: the whole message, with its link.
    send(&mut app, b, ch('j'));
    assert!(screen(&app, 100, 30).contains("▶ m"), "still marked");
    send(&mut app, b, key(KeyCode::Enter));
    let target = app.detail.as_ref().map(|d| d.target);
    assert!(
        matches!(target, Some(Target::OutboxMessage(_, _))),
        "{target:?}"
    );
    let text = screen(&app, 100, 30);
    assert!(text.contains("Subject:"), "{text}");
    assert!(text.contains("ivy@acme.example"), "{text}");
    let joined: String = text.lines().map(|l| l.trim_matches(['│', ' '])).collect();
    assert!(joined.contains(SECRET), "the link to pass on: {text}");
    // Esc: back to the list, Ivy's still picked.
    send(&mut app, b, key(KeyCode::Esc));
    assert_eq!(
        app.detail.as_ref().map(|d| d.target),
        Some(Target::Outbox(fx.org))
    );
    assert_eq!(app.outbox_pick, 1);

    // R on a sent message says why not; on Jo's failed one it queues it again and
    // tries once (now to the maildir: the SMTP settings are gone).
    send(&mut app, b, ch('R'));
    assert!(screen(&app, 100, 30).contains("only a failed message"));
    std::fs::remove_file(fx.path().join("roster.toml")).unwrap();
    send(&mut app, b, ch('k'));
    let fx_out = send(&mut app, b, ch('R'));
    assert!(
        fx_out.iter().any(|e| matches!(e, Effect::Run { jobs, .. }
            if matches!(jobs[0].cmd, Command::RetryMail { mail } if mail == jo.0))),
        "{fx_out:?}"
    );
    let status = fx.read(|d| d.mails[&jo.0].status);
    assert_eq!(status, roster::core::mail::MailStatus::Sent);
}

/// A message opened from the outbox sits over the Users tab: the tab's keys must not
/// act on the account still selected behind it (`-` once disabled it, unasked).
#[test]
fn the_tabs_keys_do_nothing_behind_an_open_message() {
    let fx = fixture();
    invited(&fx);
    let mut app = pinned(&fx, fx.as_alice(), (100, 30));
    let b = fx.store.as_ref();
    let behind = selected_email(&app);
    send(&mut app, b, ch('M'));
    send(&mut app, b, key(KeyCode::Enter));
    assert!(matches!(
        app.detail.as_ref().map(|d| d.target),
        Some(Target::OutboxMessage(_, _))
    ));
    let before = fx.read(|d| d.seq);
    for c in ['-', '+', 'X', 'e', 'P', 'D'] {
        send(&mut app, b, ch(c));
        assert!(app.modal.is_none(), "{c} opened a dialog: {:?}", app.modal);
    }
    assert_eq!(fx.read(|d| d.seq), before, "nothing was changed");
    let enabled = fx.read(|d| {
        d.accounts
            .values()
            .find(|a| a.email == behind)
            .map(|a| a.enabled)
    });
    assert_eq!(enabled, Some(true), "{behind} is still enabled");
    let footer = screen(&app, 100, 30);
    assert!(!footer.contains("- disable"), "{footer}");
}
