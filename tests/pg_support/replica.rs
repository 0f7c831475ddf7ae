//! Replicas for the `pg_replicas` and `pg_restart` tests: the real `roster serve` over a
//! test database, and an organisation with two admins and their tokens.

use super::TestDb;
use roster::backend::Backend;
use roster::backend::postgres::PgStore;
use roster::core::{AccountId, Command, Event, OrgId, Principal};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command as Process, Stdio};

/// A `roster serve` process; killed on drop.
pub struct Replica {
    child: Child,
    pub addr: String,
    /// The replica's own mail folder (spool, maildir), never the tester's home.
    pub mail: tempfile::TempDir,
}

impl Replica {
    pub fn start(db: &TestDb) -> Replica {
        let mail = tempfile::tempdir().unwrap();
        let mut child = Process::new(env!("CARGO_BIN_EXE_roster"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("ROSTER_MAIL_DIR", mail.path())
            .env("ROSTER_STORE", db.url.expose())
            .env_remove("ROSTER_ORG")
            .env_remove("ROSTER_SERVER")
            .env_remove("ROSTER_TOKEN")
            .env_remove("ROSTER_CONTEXT")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("roster serve starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        let addr = first
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
            .to_string();
        Replica { child, addr, mail }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.kill();
    }
}

pub struct Fixture {
    pub store: PgStore,
    pub org: OrgId,
    pub x: AccountId,
    pub y: AccountId,
    pub operator: String,
    pub x_token: String,
    pub y_token: String,
}

pub fn token(store: &PgStore, who: Principal) -> String {
    let (secret, hash) = roster::secret::new_secret().unwrap();
    store
        .execute(
            &Principal::Operator,
            &Command::IssueToken {
                principal: who,
                label: "replica test".into(),
                token_hash: hash,
                expires: None,
            },
            false,
        )
        .unwrap();
    secret
}

pub fn created(events: &[roster::core::Recorded]) -> AccountId {
    events
        .iter()
        .find_map(|r| match &r.event {
            Event::AccountCreated { account, .. } => Some(account.id),
            _ => None,
        })
        .expect("an account was created")
}

/// An organisation `acme` with two admins besides its owner, and tokens.
pub fn fixture(db: &TestDb) -> Fixture {
    let store = db.open();
    let op = Principal::Operator;
    let events = store
        .execute(
            &op,
            &Command::CreateOrg {
                slug: "acme".into(),
                name: "Acme".into(),
                owner_email: "owner@acme.example".into(),
                owner_first_name: "Olive".into(),
                owner_last_name: "Owner".into(),
                settings: None,
            },
            false,
        )
        .unwrap();
    let org = events
        .iter()
        .find_map(|r| match &r.event {
            Event::OrgCreated { org, .. } => Some(org.id),
            _ => None,
        })
        .unwrap();
    let admin = |email: &str| {
        let id = created(&store.execute(&op, &add(org, email), false).unwrap());
        store
            .execute(&op, &Command::Promote { account: id }, false)
            .unwrap();
        id
    };
    let (x, y) = (admin("x@acme.example"), admin("y@acme.example"));
    Fixture {
        org,
        x,
        y,
        operator: token(&store, op),
        x_token: token(&store, Principal::Account { id: x }),
        y_token: token(&store, Principal::Account { id: y }),
        store,
    }
}

pub fn add(org: OrgId, email: &str) -> Command {
    Command::AddAccount {
        org,
        email: email.into(),
        first_name: "Ada".into(),
        last_name: "Replica".into(),
        verified: true,
    }
}

pub fn command_body(cmd: &Command) -> String {
    json!({ "command": cmd, "dry_run": false }).to_string()
}
