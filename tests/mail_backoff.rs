//! Delivery never holds a command up: the attempt right after an invitation is one try,
//! and a passing failure (the SMTP server is down) leaves the message queued with its
//! attempts counted. The next try is due `backoff(attempts)` after the recorded failure,
//! which is kept in the store, so the wait survives a restart; `roster mail send` and the
//! sender of `roster serve` try only what is due. The store's clock is pinned here, so
//! nothing depends on how fast the machine is. No SMTP server is needed: a closed port on
//! loopback refuses at once.

mod mail_support;

use jiff::{SignedDuration, Timestamp};
use mail_support::free_port;
use roster::backend::file::Options;
use roster::backend::{Backend, FileStore};
use roster::core::mail::{Mail, MailStatus};
use roster::core::{Command, Event, Level, MailId, OrgId, Principal};
use roster::mail::{self, MailConfig};
use std::sync::{Arc, Mutex};

/// A store whose clock the test moves by hand.
struct Pinned {
    now: Arc<Mutex<Timestamp>>,
}

impl Pinned {
    fn options(&self) -> Options {
        let now = self.now.clone();
        Options {
            clock: Arc::new(move || *now.lock().unwrap()),
            ..Options::default()
        }
    }
    fn set(&self, t: Timestamp) {
        *self.now.lock().unwrap() = t;
    }
}

fn toml(port: u16) -> String {
    format!(
        "[mail]\nbase_url = \"https://roster.example.org\"\n\n[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nmax_attempts = 3\nretry_base_ms = 10000\n"
    )
}

fn org_and_owner(store: &FileStore) -> (OrgId, Principal) {
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
    recs.iter()
        .find_map(|r| match &r.event {
            Event::AccountCreated { account, .. } => {
                Some((account.org, Principal::Account { id: account.id }))
            }
            _ => None,
        })
        .unwrap()
}

fn invite(store: &FileStore, org: OrgId, owner: &Principal, email: &str) -> MailId {
    let (secret, hash) = roster::secret::new_secret().unwrap();
    let recs = store
        .execute(
            owner,
            &Command::Invite {
                org,
                email: email.into(),
                first_name: "Bob".into(),
                last_name: "Example".into(),
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
    mail::spool_queued(store, &recs, &secret).unwrap()[0]
}

fn mail_of(store: &FileStore, id: MailId) -> Mail {
    roster::backend::query(store, |d| d.mails[&id].clone()).unwrap()
}

fn secs(n: i64) -> SignedDuration {
    SignedDuration::from_secs(n)
}

#[test]
fn a_failed_attempt_waits_its_backoff_even_across_a_restart_then_gives_up() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("store");
    let t0: Timestamp = "2026-11-23T12:00:00Z".parse().unwrap();
    let clock = Pinned {
        now: Arc::new(Mutex::new(t0)),
    };
    let store = FileStore::create_with(&root, clock.options()).unwrap();
    std::fs::write(root.join("roster.toml"), toml(free_port())).unwrap();
    let (org, owner) = org_and_owner(&store);
    let id = invite(&store, org, &owner, "bob@acme.example");

    // The attempt made right after the command: one, and the message stays queued.
    let done = mail::deliver_now(&store, &[id]).unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].attempts, 1);
    assert!(done[0].outcome.is_err());
    assert_eq!(
        done[0].retry_at,
        Some(t0 + secs(10)),
        "retry_base_ms = 10 s"
    );
    let m = mail_of(&store, id);
    assert_eq!((m.status, m.attempts), (MailStatus::Queued, 1));
    assert!(m.last_error.contains("onnection"), "{}", m.last_error);
    assert!(
        mail::spool::path(&root, id).exists(),
        "kept for the next try"
    );

    // Not due yet: the sender leaves it, and says when it is.
    assert!(mail::deliver_queued(&store).unwrap().is_empty());
    let config = MailConfig::load(&root).unwrap();
    let waiting = mail::sender::waiting(&store, &config).unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].1, t0 + secs(10));

    // A restart: the wait is read back from the store.
    drop(store);
    clock.set(t0 + secs(9));
    let store = FileStore::open_with(&root, clock.options()).unwrap();
    assert!(mail::deliver_queued(&store).unwrap().is_empty());
    clock.set(t0 + secs(10));
    let done = mail::deliver_queued(&store).unwrap();
    assert_eq!(done[0].attempts, 2);
    assert_eq!(
        done[0].retry_at,
        Some(t0 + secs(30)),
        "the wait doubles: 20 s after the second failure"
    );

    // The last attempt gives up with the reason; `mail retry` starts over.
    clock.set(t0 + secs(29));
    assert!(mail::deliver_queued(&store).unwrap().is_empty());
    clock.set(t0 + secs(30));
    let done = mail::deliver_queued(&store).unwrap();
    assert_eq!((done[0].attempts, done[0].retry_at), (3, None));
    let m = mail_of(&store, id);
    assert_eq!((m.status, m.attempts), (MailStatus::Failed, 3));
    store
        .execute(&owner, &Command::RetryMail { mail: id }, false)
        .unwrap();
    let done = mail::deliver_queued(&store).unwrap();
    assert_eq!(done[0].attempts, 1, "a retried message is due at once");
}

#[test]
fn the_inline_attempt_touches_only_the_new_message() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("store");
    let t0: Timestamp = "2026-11-23T12:00:00Z".parse().unwrap();
    let clock = Pinned {
        now: Arc::new(Mutex::new(t0)),
    };
    let store = FileStore::create_with(&root, clock.options()).unwrap();
    std::fs::write(root.join("roster.toml"), toml(free_port())).unwrap();
    let (org, owner) = org_and_owner(&store);
    let first = invite(&store, org, &owner, "bob@acme.example");
    let second = invite(&store, org, &owner, "carol@acme.example");
    let done = mail::deliver_now(&store, &[second]).unwrap();
    assert_eq!(done.iter().map(|d| d.mail).collect::<Vec<_>>(), [second]);
    assert_eq!(mail_of(&store, first).attempts, 0, "left to the sender");
}

/// The real binary: `roster user invite` with the SMTP server down returns after one
/// try, says the message stays queued, and `roster mail send` says when it is next due.
#[test]
fn the_cli_does_not_wait_for_a_server_that_is_down() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    let roster = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
            .env("ROSTER_STORE", &store)
            .env_remove("ROSTER_ORG")
            .env_remove("ROSTER_SERVER")
            .env_remove("ROSTER_TOKEN")
            .env_remove("ROSTER_CONTEXT")
            .env_remove("ROSTER_SMTP_USER")
            .env_remove("ROSTER_SMTP_PASSWORD")
            .args(args)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{args:?}: {text}");
        text
    };
    roster(&["init"]);
    std::fs::write(
        store.join("roster.toml"),
        toml(free_port()).replace("retry_base_ms = 10000", "retry_base_ms = 60000"),
    )
    .unwrap();
    roster(&[
        "org",
        "create",
        "acme",
        "--name",
        "Acme",
        "--owner",
        "olive@acme.example",
        "--owner-first-name",
        "Olive",
    ]);
    let out = roster(&["user", "invite", "bob@acme.example", "--first-name", "Bob"]);
    assert!(out.contains("stays queued"), "{out}");
    assert!(
        out.contains("should its mail not arrive") && !out.contains("not configured"),
        "SMTP is configured, only not reachable yet: {out}"
    );
    let listed = roster(&["mail", "list", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(v[0]["status"], "queued", "{listed}");
    assert_eq!(v[0]["attempts"], 1, "{listed}");
    // Within the minute it waits; on a machine slow enough to pass it, the second try is
    // made and fails the same way. Either way nothing is given up on yet.
    let sent = roster(&["mail", "send"]);
    assert!(
        sent.contains("waits for attempt 2") || sent.contains("attempt 2 failed"),
        "{sent}"
    );
}
