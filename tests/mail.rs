//! Mail end to end on a real file store: an invitation or a reset queues a message in
//! the same step, the sender delivers it (to a maildir, or over SMTP to a real server on
//! loopback), the link in it works, and nothing usable is left in the store.
//!
//! The SMTP tests (helpers in `mail_support`) start aiosmtpd (installed by `.ci/smtp-sink`) with the python named by
//! ROSTER_TEST_SMTP_PYTHON, or `target/smtp-venv/bin/python` when that exists. Without
//! either they are skipped, loudly; with one that cannot start a server they fail.

use mail_support::{files_in, free_port, received, sink, smtp_toml};
use roster::backend::{Backend, FileStore};
use roster::core::mail::{Mail, MailKind, MailStatus};
use roster::core::{Command, Event, InvitationId, Level, MailId, OrgId, Principal, Recorded};
use roster::credentials::links;
use roster::mail::{self, MailConfig};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

mod mail_support;

struct Env {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    store: FileStore,
    org: OrgId,
    owner: Principal,
}

fn env(roster_toml: Option<&str>) -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("store");
    let store = FileStore::create(&root).unwrap();
    if let Some(text) = roster_toml {
        std::fs::write(root.join("roster.toml"), text).unwrap();
    }
    let recs = store
        .execute(
            &Principal::Operator,
            &Command::CreateOrg {
                slug: "acme".into(),
                name: "Acme Ltd".into(),
                owner_email: "alice@acme.example".into(),
                owner_first_name: "Alice".into(),
                owner_last_name: "Owner".into(),
                settings: None,
            },
            false,
        )
        .unwrap();
    let (org, owner) = recs
        .iter()
        .find_map(|r| match &r.event {
            Event::AccountCreated { account, .. } => Some((account.org, account.id)),
            _ => None,
        })
        .unwrap();
    Env {
        _tmp: tmp,
        root,
        store,
        org,
        owner: Principal::Account { id: owner },
    }
}

impl Env {
    /// Invites `email` as the owner, the way the CLI and the server do: a fresh secret,
    /// its hash in the command, the message spooled right after. Returns the secret.
    fn invite(&self, email: &str, first_name: &str) -> (String, InvitationId, MailId) {
        let (secret, hash) = roster::secret::new_secret().unwrap();
        let recs = self
            .store
            .execute(
                &self.owner,
                &Command::Invite {
                    org: self.org,
                    email: email.into(),
                    first_name: first_name.into(),
                    last_name: "Example".into(),
                    message: "Welcome aboard".into(),
                    level: Level::Member,
                    roles: vec![],
                    programs: vec![],
                    expires: None,
                    secret_hash: Some(hash),
                },
                false,
            )
            .unwrap();
        let spooled = mail::spool_queued(&self.store, &recs, &secret).unwrap();
        let invitation = recs
            .iter()
            .find_map(|r| match &r.event {
                Event::InvitationSent { invitation } => Some(invitation.id),
                _ => None,
            })
            .unwrap();
        assert_eq!(spooled.len(), 1, "the invitation queued one message");
        (secret, invitation, spooled[0])
    }

    fn reset(&self) -> (String, MailId) {
        let (secret, hash) = roster::secret::new_secret().unwrap();
        let account = match self.owner {
            Principal::Account { id } => id,
            _ => unreachable!(),
        };
        let recs = self
            .store
            .execute(
                &self.owner,
                &Command::RequestPasswordReset {
                    account,
                    secret_hash: Some(hash),
                },
                false,
            )
            .unwrap();
        let spooled = mail::spool_queued(&self.store, &recs, &secret).unwrap();
        assert_eq!(spooled.len(), 1);
        (secret, spooled[0])
    }

    fn mail(&self, id: MailId) -> Mail {
        roster::backend::query(&self.store, |d| d.mails[&id].clone()).unwrap()
    }
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Every file of the store proper (log, snapshot, archive), not the spool or maildir.
fn store_files(root: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut todo = vec![root.to_path_buf()];
    while let Some(d) = todo.pop() {
        for p in files_in(&d) {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if d == root && (name == "outbox" || name == "maildir") {
                continue;
            }
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// The link in a message's text (the line that holds `marker`).
fn link_in(text: &str, marker: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("no link with {marker} in:\n{text}"))
        .to_string()
}

#[test]
fn without_smtp_the_invitation_lands_in_a_private_maildir_with_a_working_link() {
    let e = env(None);
    let (secret, invitation, id) = e.invite("bob@acme.example", "Bob");
    assert_eq!(e.mail(id).status, MailStatus::Queued);
    assert_eq!(
        e.mail(id).kind,
        MailKind::Invitation { invitation },
        "the outbox says what the message is about"
    );
    let spooled = mail::spool::path(&e.root, id);
    assert_eq!(mode(&spooled), 0o600);
    assert_eq!(mode(&e.root.join("outbox")), 0o700);

    let done = mail::deliver_queued(&e.store).unwrap();
    assert_eq!(done.len(), 1);
    assert!(done[0].outcome.as_ref().unwrap().starts_with("maildir:"));
    assert_eq!(e.mail(id).status, MailStatus::Sent);

    let new = files_in(&e.root.join("maildir").join("new"));
    assert_eq!(new.len(), 1, "one message in maildir/new");
    assert_eq!(mode(&new[0]), 0o600);
    assert_eq!(mode(&e.root.join("maildir")), 0o700);
    let text = std::fs::read_to_string(&new[0]).unwrap();
    assert!(
        text.contains("To: \"Bob Example\" <bob@acme.example>")
            || text.contains("To: Bob Example <bob@acme.example>"),
        "{text}"
    );
    assert!(
        text.contains("Subject: alice@acme.example invites you to Acme Ltd"),
        "{text}"
    );
    assert!(text.contains("Welcome aboard"), "{text}");
    let link = link_in(&text, "/invitations/accept#");
    let in_link = links::secret_of(&link);
    let stored =
        roster::backend::query(&e.store, |d| d.invitations[&invitation].secret_hash.clone())
            .unwrap()
            .unwrap();
    assert_eq!(
        roster::secret::hash(in_link),
        stored,
        "the link's secret is the invitation's"
    );
    assert_eq!(in_link, secret);
    assert_eq!(mode(&e.root.join("outbox").join("sender.lock")), 0o600);
    // The maildir keeps its copy for the console; nothing is sent twice.
    assert!(spooled.exists());
    assert!(mail::deliver_queued(&e.store).unwrap().is_empty());

    // The link works once.
    let accept = Command::AcceptInvitation {
        invitation,
        secret_hash: Some(roster::secret::hash(in_link)),
    };
    e.store
        .execute(&Principal::Anonymous, &accept, false)
        .unwrap();
    assert!(
        e.store
            .execute(&Principal::Anonymous, &accept, false)
            .is_err()
    );

    // The store itself (log, snapshot, archive) never holds the secret or the link.
    for f in store_files(&e.root) {
        let bytes = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).to_string();
        assert!(!bytes.contains(&secret), "{} holds the secret", f.display());
    }
}

#[test]
fn an_unreachable_smtp_server_is_tried_once_per_round_then_the_message_fails_with_the_reason() {
    let port = free_port();
    // No wait between rounds here (retry_base_ms = 0); tests/mail_backoff.rs shows the waits.
    let e = env(Some(&format!(
        "[mail]\nbase_url = \"https://roster.example.org\"\n\n[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nmax_attempts = 3\nretry_base_ms = 0\ntimeout_secs = 5\n"
    )));
    let (_, _, id) = e.invite("bob@acme.example", "Bob");
    for round in 1..=2 {
        let done = mail::deliver_queued(&e.store).unwrap();
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].attempts, round, "one attempt per round");
        assert!(
            done[0].retry_at.is_some(),
            "a passing failure is retried later"
        );
        let m = e.mail(id);
        assert_eq!(m.status, MailStatus::Queued);
        assert_eq!(m.attempts, round);
        assert!(!m.last_error.is_empty(), "the reason is recorded");
    }
    let done = mail::deliver_queued(&e.store).unwrap();
    assert_eq!((done[0].attempts, done[0].retry_at), (3, None));
    let m = e.mail(id);
    assert_eq!(m.status, MailStatus::Failed);
    assert_eq!(m.attempts, 3);
    assert!(!m.last_error.is_empty(), "the reason is recorded");
    // Kept for a retry; a retry queues it again.
    assert!(mail::spool::path(&e.root, id).exists());
    e.store
        .execute(&e.owner, &Command::RetryMail { mail: id }, false)
        .unwrap();
    assert_eq!(e.mail(id).status, MailStatus::Queued);
    // Only the sender records deliveries and attempts.
    let forged = Command::RecordMailDelivery {
        mail: id,
        attempts: 1,
        error: None,
    };
    assert!(e.store.execute(&e.owner, &forged, false).is_err());
    let forged = Command::RecordMailAttempt {
        mail: id,
        attempts: 1,
        error: "x".into(),
    };
    assert!(e.store.execute(&e.owner, &forged, false).is_err());
}

#[test]
fn a_message_for_a_revoked_invitation_is_not_sent() {
    let e = env(None);
    let (_, invitation, id) = e.invite("bob@acme.example", "Bob");
    e.store
        .execute(&e.owner, &Command::RevokeInvitation { invitation }, false)
        .unwrap();
    let done = mail::deliver_queued(&e.store).unwrap();
    assert!(done[0].outcome.as_ref().unwrap_err().contains("revoked"));
    assert_eq!(e.mail(id).status, MailStatus::Failed);
    assert!(
        !mail::spool::path(&e.root, id).exists(),
        "a dead link is not kept"
    );
}

#[test]
fn headers_cannot_be_injected_through_names_or_subjects() {
    let e = env(None);
    // The core refuses control characters in names outright…
    let (_, hash) = roster::secret::new_secret().unwrap();
    let sneaky = Command::Invite {
        org: e.org,
        email: "bob@acme.example".into(),
        first_name: "Bob\r\nBcc: eve@evil.example".into(),
        last_name: String::new(),
        message: String::new(),
        level: Level::Member,
        roles: vec![],
        programs: vec![],
        expires: None,
        secret_hash: Some(hash),
    };
    assert!(e.store.execute(&e.owner, &sneaky, false).is_err());
    // …and the message builder would not let one through anyway.
    let now = jiff::Timestamp::now();
    let m = Mail {
        id: MailId(9),
        org: e.org,
        to: "bob@acme.example".into(),
        to_name: "Bob\r\nBcc: eve@evil.example".into(),
        kind: MailKind::Invitation {
            invitation: InvitationId(1),
        },
        subject: "Hi\r\nBcc: eve@evil.example\n\nbody".into(),
        status: MailStatus::Queued,
        attempts: 0,
        last_error: String::new(),
        created: now,
        updated: now,
    };
    let raw = mail::message::build(&MailConfig::default(), &m, "hello").unwrap();
    let text = String::from_utf8(raw).unwrap();
    let headers = text.split("\r\n\r\n").next().unwrap();
    assert!(
        !headers
            .lines()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
        "{headers}"
    );
}

#[test]
fn an_invitation_and_a_reset_arrive_over_smtp_with_links_that_match_the_store() {
    let Some(sink) = sink() else { return };
    let e = env(Some(&smtp_toml(sink.port)));
    let (secret, invitation, inv_mail) = e.invite("bob@acme.example", "Bob");
    let (reset_secret, reset_mail) = e.reset();
    let done = mail::deliver_queued(&e.store).unwrap();
    assert_eq!(done.len(), 2, "{done:?}");
    assert!(done.iter().all(|d| d.outcome.is_ok()), "{done:?}");
    assert_eq!(e.mail(inv_mail).status, MailStatus::Sent);
    assert_eq!(e.mail(reset_mail).status, MailStatus::Sent);
    // Delivered over SMTP: the spool no longer holds the links.
    assert!(!mail::spool::path(&e.root, inv_mail).exists());
    assert!(!mail::spool::path(&e.root, reset_mail).exists());

    let got = received(&sink);
    assert_eq!(got.len(), 2);
    let inv = got.iter().find(|m| m.contains("invites you")).unwrap();
    assert!(inv.contains("bob@acme.example"));
    assert!(inv.contains("From: Roster <roster@acme.example>"), "{inv}");
    let link = link_in(inv, "https://roster.example.org/invitations/accept#");
    let s = links::secret_of(&link);
    assert_eq!(s, secret);
    let stored =
        roster::backend::query(&e.store, |d| d.invitations[&invitation].secret_hash.clone())
            .unwrap()
            .unwrap();
    assert_eq!(roster::secret::hash(s), stored);

    let reset = got.iter().find(|m| m.contains("password")).unwrap();
    assert!(reset.contains("alice@acme.example"));
    let link = link_in(reset, "https://roster.example.org/password-reset#");
    let s = links::secret_of(&link);
    assert_eq!(s, reset_secret);
    let stored: Vec<String> = roster::backend::query(&e.store, |d| {
        d.resets
            .values()
            .filter_map(|r| r.secret_hash.clone())
            .collect()
    })
    .unwrap();
    assert!(stored.contains(&roster::secret::hash(s)));

    // The invitation link works once.
    let accept = Command::AcceptInvitation {
        invitation,
        secret_hash: Some(roster::secret::hash(links::secret_of(&link_in(inv, "#")))),
    };
    e.store
        .execute(&Principal::Anonymous, &accept, false)
        .unwrap();
    assert!(
        e.store
            .execute(&Principal::Anonymous, &accept, false)
            .is_err()
    );

    // Nothing usable stays behind: not in the store, not in the spool.
    for f in store_files(&e.root)
        .into_iter()
        .chain(files_in(&e.root.join("outbox")))
    {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).to_string();
        assert!(
            !text.contains(&secret) && !text.contains(&reset_secret),
            "{}",
            f.display()
        );
    }
}

#[test]
fn a_failed_message_is_delivered_by_a_retry_once_the_server_is_up() {
    let Some(sink) = sink() else { return };
    // First pointed at a closed port: fails after its attempts (one per round).
    let closed = free_port();
    let e = env(Some(&smtp_toml(closed)));
    let (_, _, id) = e.invite("bob@acme.example", "Bob");
    mail::deliver_queued(&e.store).unwrap();
    let done = mail::deliver_queued(&e.store).unwrap();
    assert!(done[0].outcome.is_err());
    assert_eq!(e.mail(id).attempts, 2);
    assert_eq!(e.mail(id).status, MailStatus::Failed);
    // The operator fixes the configuration and retries.
    std::fs::write(e.root.join("roster.toml"), smtp_toml(sink.port)).unwrap();
    e.store
        .execute(&e.owner, &Command::RetryMail { mail: id }, false)
        .unwrap();
    let done = mail::deliver_queued(&e.store).unwrap();
    assert!(done[0].outcome.is_ok(), "{done:?}");
    assert_eq!(e.mail(id).status, MailStatus::Sent);
    assert_eq!(received(&sink).len(), 1);
}

/// What the core queues, for a test that wants the events: the invite's own step.
#[test]
fn the_invitation_and_its_message_are_one_step() {
    let e = env(None);
    let (_, hash) = roster::secret::new_secret().unwrap();
    let recs: Vec<Recorded> = e
        .store
        .execute(
            &e.owner,
            &Command::Invite {
                org: e.org,
                email: "carol@acme.example".into(),
                first_name: "Carol".into(),
                last_name: String::new(),
                message: String::new(),
                level: Level::Member,
                roles: vec![],
                programs: vec![],
                expires: None,
                secret_hash: Some(hash),
            },
            false,
        )
        .unwrap();
    let kinds: Vec<_> = recs
        .iter()
        .map(|r| match &r.event {
            Event::InvitationSent { .. } => "invitation",
            Event::MailQueued { .. } => "mail",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["invitation", "mail"]);
}

#[test]
fn a_resent_invitation_sends_only_the_new_link() {
    let e = env(None);
    let (_, invitation, first) = e.invite("bob@acme.example", "Bob");
    let (secret, hash) = roster::secret::new_secret().unwrap();
    let recs = e
        .store
        .execute(
            &e.owner,
            &Command::ResendInvitation {
                invitation,
                secret_hash: Some(hash),
            },
            false,
        )
        .unwrap();
    let second = mail::spool_queued(&e.store, &recs, &secret).unwrap()[0];
    let done = mail::deliver_queued(&e.store).unwrap();
    let outcome = |id| &done.iter().find(|d| d.mail == id).unwrap().outcome;
    assert!(outcome(first).as_ref().unwrap_err().contains("replaced"));
    assert!(outcome(second).is_ok());
    let new = files_in(&e.root.join("maildir").join("new"));
    assert_eq!(new.len(), 1);
    assert!(std::fs::read_to_string(&new[0]).unwrap().contains(&secret));
}
