//! A console working against `roster serve` invites someone: the server, not the
//! console's machine, mails the link. The client passes the link's secret with the
//! command (`link_secret`), and the server refuses one that does not match the hash.

use roster::backend::file::FileStore;
use roster::backend::rest::{Connect, RestBackend, Timeouts, Token};
use roster::backend::{Backend, BackendError};
use roster::core::*;
use roster::server::{Config, Server};
use roster::tui::app::Job;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

struct Remote {
    _tmp: tempfile::TempDir,
    token: String,
    path: std::path::PathBuf,
    store: Arc<FileStore>,
    server: Server,
    rest: RestBackend,
    alice: Principal,
    org: OrgId,
}

fn remote() -> Remote {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("store");
    let store = Arc::new(FileStore::create(&path).unwrap());
    let recs = store
        .execute(
            &Principal::Operator,
            &Command::CreateOrg {
                slug: "acme".into(),
                name: "Acme Corp".into(),
                owner_email: "alice@acme.example".into(),
                owner_first_name: "Alice".into(),
                owner_last_name: "Owner".into(),
                settings: None,
            },
            false,
        )
        .unwrap();
    let (org, alice) = recs
        .iter()
        .find_map(|r| match &r.event {
            Event::AccountCreated { account, .. } => Some((account.org, account.id)),
            _ => None,
        })
        .unwrap();
    let alice = Principal::Account { id: alice };
    let (raw, _) = roster::secret::new_secret().unwrap();
    let token = format!("rst_{raw}");
    store
        .execute(
            &Principal::Operator,
            &Command::IssueToken {
                principal: alice.clone(),
                label: "console".into(),
                token_hash: roster::secret::hash(&token),
                expires: None,
            },
            false,
        )
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let server = Server::start(listener, store.clone(), Config::default()).unwrap();
    let rest = RestBackend::connect(Connect {
        server: server.url(),
        token: Token::new(&token),
        org: None,
        timeouts: Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(20),
        },
    })
    .unwrap();
    Remote {
        _tmp: tmp,
        token,
        path,
        store,
        server,
        rest,
        alice,
        org,
    }
}

fn invite(org: OrgId, email: &str, secret_hash: Option<String>) -> Command {
    Command::Invite {
        org,
        email: email.into(),
        first_name: "Ivan".into(),
        last_name: String::new(),
        message: String::new(),
        level: Level::Member,
        roles: vec![],
        programs: vec![],
        expires: None,
        secret_hash,
    }
}

#[test]
fn a_remote_console_invitation_is_mailed_by_the_server() {
    let r = remote();
    let job = Job {
        label: "ivan@acme.example".into(),
        cmd: invite(r.org, "ivan@acme.example", None),
    };
    let report = roster::tui::effects::run_jobs(
        &r.rest,
        "Invite",
        &r.alice,
        &[job],
        true,
        &AtomicBool::new(false),
        &mut |_, _| {},
    );
    assert_eq!(report.ok.len(), 1, "{report:?}");
    let shown = &report.secrets[0].1;
    // The server spooled the message; its sender (here: called directly) delivers it
    // to the server's maildir, with the link the console showed.
    let done = roster::mail::deliver_queued(r.store.as_ref()).unwrap();
    assert_eq!(done.len(), 1, "{done:?}");
    assert!(done[0].outcome.is_ok(), "{done:?}");
    let new = std::fs::read_dir(r.path.join("maildir").join("new"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect::<Vec<_>>();
    assert_eq!(new.len(), 1);
    let text = std::fs::read_to_string(&new[0]).unwrap();
    assert!(
        text.contains(&format!("/invitations/accept#{shown}")),
        "{text}"
    );
    // The console's own machine keeps nothing: it has no store.
    assert!(r.rest.local_root().is_none());
    r.server.stop().unwrap();
}

#[test]
fn a_link_secret_that_does_not_match_the_hash_is_refused() {
    let r = remote();
    let (_, hash) = roster::secret::new_secret().unwrap();
    let cmd = invite(r.org, "eve@acme.example", Some(hash));
    let err = r
        .rest
        .execute_with_link(&r.alice, &cmd, "not-the-secret")
        .unwrap_err();
    assert!(
        matches!(&err, BackendError::Refused(_)) || err.to_string().contains("link_secret"),
        "{err}"
    );
    assert!(err.to_string().contains("link_secret"), "{err}");
    // Nothing was done.
    let invited = roster::backend::query(r.store.as_ref(), |d| {
        d.invitations
            .values()
            .any(|i| i.email == "eve@acme.example")
    })
    .unwrap();
    assert!(!invited);
    r.server.stop().unwrap();
}

#[test]
fn the_cli_against_a_server_has_the_server_mail_the_link() {
    let r = remote();
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .env_remove("ROSTER_STORE")
        .env_remove("ROSTER_CONTEXT")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("ROSTER_SERVER", r.server.url())
        .env("ROSTER_TOKEN", &r.token)
        .args(["user", "invite", "zoe@acme.example", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let secret = v["results"][0]["secret"].as_str().unwrap().to_string();
    let done = roster::mail::deliver_queued(r.store.as_ref()).unwrap();
    assert!(done.iter().all(|d| d.outcome.is_ok()), "{done:?}");
    let new = std::fs::read_dir(r.path.join("maildir").join("new"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect::<Vec<_>>();
    assert!(
        new.iter().any(|m| m.contains("zoe@acme.example")
            && m.contains(&format!("/invitations/accept#{secret}"))),
        "{new:?}"
    );
    r.server.stop().unwrap();
}
