//! The console against a real `roster serve` (in-process, on 127.0.0.1) through the real
//! REST client: the server stops, the console keeps its data and says it is offline; a
//! server comes back on the same store and the console catches up by itself; the token
//! is revoked and the console stops and says how to get a new one.
//!
//! No timed assertions: the test polls with a generous deadline that only bounds a hang.

mod tui_support;

use crossterm::event::KeyCode;
use roster::backend::Backend;
use roster::backend::file::FileStore;
use roster::backend::rest::{Connect, RestBackend, Timeouts, Token};
use roster::core::*;
use roster::server::{Config, Server};
use roster::tui::app::{self, App, Effect, Msg, Start};
use roster::tui::fault::Fault;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tui_support::{ch, key, screen, send, settle};

const DEADLINE: Duration = Duration::from_secs(60);

fn run(store: &FileStore, who: &Principal, cmd: Command) -> Vec<Recorded> {
    store
        .execute(who, &cmd, false)
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

fn created(recs: &[Recorded]) -> AccountId {
    recs.iter()
        .find_map(|r| match &r.event {
            Event::AccountCreated { account, .. } => Some(account.id),
            _ => None,
        })
        .expect("an account was created")
}

/// Serves `store` on `addr` (`None`: a free port). The port of a server that just
/// stopped may take a moment to be free again: binding is retried until the deadline.
fn serve(store: &Arc<FileStore>, addr: Option<SocketAddr>) -> Server {
    let start = Instant::now();
    let listener = loop {
        match TcpListener::bind(addr.unwrap_or_else(|| "127.0.0.1:0".parse().unwrap())) {
            Ok(l) => break l,
            Err(e) => {
                assert!(
                    start.elapsed() < DEADLINE,
                    "cannot bind {addr:?} again: {e}"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    };
    Server::start(listener, store.clone(), Config::default()).expect("the server starts")
}

/// Ticks (running what they cause against the backend) until `done` holds.
fn tick_until(app: &mut App, backend: &dyn Backend, what: &str, done: impl Fn(&App) -> bool) {
    let start = Instant::now();
    while !done(app) {
        assert!(
            start.elapsed() < DEADLINE,
            "never {what}; the screen:\n{}",
            screen(app, 80, 24)
        );
        let fx = app::update(app, Msg::Tick);
        settle(app, backend, fx);
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn emails(app: &App) -> Vec<String> {
    app.users
        .all()
        .iter()
        .map(|u| u.account.email.clone())
        .collect()
}

fn note(app: &App) -> String {
    app.shown_note().map(|n| n.text).unwrap_or_default()
}

#[test]
fn the_console_survives_a_server_restart_and_a_revoked_token() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("store");
    let store = Arc::new(FileStore::create(&path).unwrap());
    let op = Principal::Operator;
    let recs = run(
        &store,
        &op,
        Command::CreateOrg {
            slug: "acme".into(),
            name: "Acme Corp".into(),
            owner_email: "alice@acme.example".into(),
            owner_first_name: "Alice".into(),
            owner_last_name: "Owner".into(),
            settings: Some(Settings {
                approval_required: true,
                open_registration: true,
                ..Settings::default()
            }),
        },
    );
    let alice = Principal::Account { id: created(&recs) };
    let org = recs
        .iter()
        .find_map(|r| match &r.event {
            Event::OrgCreated { org, .. } => Some(org.id),
            _ => None,
        })
        .unwrap();
    run(
        &store,
        &Principal::Anonymous,
        Command::Register {
            org,
            email: "frank@acme.example".into(),
            first_name: "Frank".into(),
            last_name: "Pending".into(),
        },
    );
    let (raw, _) = roster::secret::new_secret().unwrap();
    let secret = format!("rst_{raw}");
    let issued = run(
        &store,
        &op,
        Command::IssueToken {
            principal: alice.clone(),
            label: "console test".into(),
            token_hash: roster::secret::hash(&secret),
            expires: None,
        },
    );
    let token_id = issued
        .iter()
        .find_map(|r| match &r.event {
            Event::TokenIssued { token } => Some(token.id),
            _ => None,
        })
        .unwrap();

    let server = serve(&store, None);
    let addr = server.addr();
    let url = server.url();
    let rest = RestBackend::connect(Connect {
        server: url.clone(),
        token: Token::new(&secret),
        org: None,
        timeouts: Timeouts {
            connect: Duration::from_secs(2),
            request: Duration::from_secs(10),
        },
    })
    .expect("the console connects");
    let (mut app, first) = App::new(Start {
        config: roster::tui::config::Config::default(),
        warnings: vec![],
        store_path: path.clone(),
        has_store: true,
        backend: rest.describe(),
        who: rest.principal().clone(),
        org: None,
        size: (80, 24),
    });
    settle(&mut app, &rest, first);
    assert!(app.loaded, "{}", note(&app));
    assert!(app.link.remote);
    assert_eq!(app.snap.pending.requests, 1);
    let before = emails(&app);
    assert!(before.contains(&"frank@acme.example".to_string()));

    // The server goes away.
    server.stop().unwrap();
    tick_until(&mut app, &rest, "went offline", |a| {
        a.link
            .trouble
            .as_ref()
            .is_some_and(|t| t.fault == Fault::Offline)
    });
    assert_eq!(emails(&app), before, "the data stays on screen");
    assert!(
        note(&app).starts_with(&format!("Offline: cannot reach {url}")),
        "{}",
        note(&app)
    );
    let shown = screen(&app, 80, 24);
    assert!(
        shown.contains("⚠ offline") && shown.contains("frank@acme.example"),
        "{shown}"
    );

    // A change tried meanwhile is reported honestly and never sent again.
    let mut seen = send(&mut app, &rest, ch('4'));
    seen.extend(send(&mut app, &rest, ch('a')));
    assert!(
        note(&app).contains("the change may or may not have been made"),
        "{}",
        note(&app)
    );
    // Someone changes the store while the server is down.
    run(
        &store,
        &alice,
        Command::AddAccount {
            org,
            email: "aaron@acme.example".into(),
            first_name: "Aaron".into(),
            last_name: "Early".into(),
            verified: true,
        },
    );

    // A server comes back on the same store and address.
    let server = serve(&store, Some(addr));
    tick_until(&mut app, &rest, "came back", |a| {
        a.link.trouble.is_none() && emails(a).contains(&"aaron@acme.example".to_string())
    });
    assert!(
        app.note
            .as_ref()
            .is_some_and(|n| n.text == format!("Back online: {url} answers again")),
        "{:?}",
        app.note
    );
    assert_eq!(
        seen.iter()
            .filter(|e| matches!(e, Effect::Run { .. }))
            .count(),
        1,
        "the change was not retried"
    );
    // Connection refused: the change never got there, and the screen says so now.
    assert_eq!(app.snap.pending.requests, 1);

    // The token is revoked: live updates stop, with a sentence on what to do.
    run(&store, &op, Command::RevokeToken { token: token_id });
    tick_until(&mut app, &rest, "noticed the revoked token", |a| {
        a.link
            .trouble
            .as_ref()
            .is_some_and(|t| t.fault == Fault::Unauthorized)
    });
    assert!(note(&app).contains("roster token create"), "{}", note(&app));
    assert!(emails(&app).contains(&"aaron@acme.example".to_string()));
    for _ in 0..50 {
        assert!(
            app::update(&mut app, Msg::Tick).is_empty(),
            "no more refreshes"
        );
    }
    // Keys still work: the console is not stuck.
    send(&mut app, &rest, key(KeyCode::Char('1')));
    assert_eq!(app.tab, roster::core::query::Area::Users);
    drop(server);
}
