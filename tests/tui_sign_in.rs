//! The console against a server with no token configured: the sign-in screen asks for
//! organisation, email and password (shown as dots), says in words why a sign-in failed
//! (wrong password, disabled account, too many attempts), and on success continues with
//! the session, loading the organisation. Real server, real REST client, no timing.

mod tui_support;

use crossterm::event::KeyCode;
use roster::backend::Backend;
use roster::backend::file::FileStore;
use roster::core::*;
use roster::server::{Config, Server};
use roster::tui::app::{self, App, Effect, Modal, Msg, Start};
use roster::tui::effects;
use roster::tui::sign_in::SignInTarget;
use std::sync::Arc;
use std::time::Duration;
use tui_support::{ch, ctrl, key, screen, settle};

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
        .unwrap()
}

/// Gives `account` a password through a reset link, as its owner would.
fn set_password(store: &FileStore, owner: AccountId, account: AccountId, password: &str) {
    let (secret, hash) = roster::secret::new_secret().unwrap();
    run(
        store,
        &Principal::Account { id: owner },
        Command::RequestPasswordReset {
            account,
            secret_hash: Some(hash),
        },
    );
    run(
        store,
        &Principal::Anonymous,
        Command::CompletePasswordReset {
            secret_hash: roster::secret::hash(&secret),
            password_hash: roster::credentials::hash_password(password).unwrap(),
        },
    );
}

struct World {
    _dir: tempfile::TempDir,
    server: Server,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FileStore::create(&dir.path().join("store")).unwrap());
    let recs = run(
        &store,
        &Principal::Operator,
        Command::CreateOrg {
            slug: "acme".into(),
            name: "Acme".into(),
            owner_email: "alice@acme.example".into(),
            owner_first_name: "Alice".into(),
            owner_last_name: "Owner".into(),
            settings: None,
        },
    );
    let owner = created(&recs);
    let org = roster::backend::query(store.as_ref(), |d| d.accounts[&owner].org).unwrap();
    for (email, disabled) in [("bob@acme.example", false), ("dora@acme.example", true)] {
        let id = created(&run(
            &store,
            &Principal::Operator,
            Command::AddAccount {
                org,
                email: email.into(),
                first_name: "X".into(),
                last_name: String::new(),
                verified: true,
            },
        ));
        set_password(&store, owner, id, "correct horse battery");
        if disabled {
            run(
                &store,
                &Principal::Account { id: owner },
                Command::Disable { account: id },
            );
        }
    }
    let config = Config {
        sign_in_limit: 3,
        sign_in_window: Duration::from_secs(3600),
        ..Config::default()
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = Server::start(listener, store, config).unwrap();
    World { _dir: dir, server }
}

fn console(url: &str) -> App {
    let (mut app, _) = App::new(Start {
        config: roster::tui::config::Config::default(),
        warnings: vec![],
        store_path: std::path::PathBuf::new(),
        has_store: false,
        backend: String::new(),
        who: Principal::Anonymous,
        org: None,
        size: (80, 24),
    });
    app.begin_sign_in(SignInTarget {
        server: url.to_string(),
        org: Some("acme".into()),
        ..SignInTarget::default()
    });
    app
}

/// Types `text` into the focused field.
fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        assert!(app::update(app, ch(c)).is_empty());
    }
}

/// Fills email and password and presses Enter; performs the sign-in the screen asks
/// for, as the runtime would, and feeds the answer back.
fn attempt(app: &mut App, email: &str, password: &str) -> Option<Arc<dyn Backend>> {
    if let Some(Modal::SignIn(s)) = app.modal.as_mut() {
        s.inputs[1] = Default::default();
        s.inputs[2] = Default::default();
        s.focus = 1;
    }
    typed(app, email);
    app::update(app, key(KeyCode::Tab));
    typed(app, password);
    let shown = screen(app, 80, 24);
    assert!(!shown.contains(password), "the password is shown: {shown}");
    assert!(
        shown.contains(&"•".repeat(password.chars().count())),
        "{shown}"
    );
    let fx = app::update(app, key(KeyCode::Enter));
    let [
        Effect::SignIn {
            server,
            org,
            email,
            password,
            keep,
        },
    ] = fx.as_slice()
    else {
        panic!("expected one sign-in effect, got {fx:?}");
    };
    assert!(
        !format!("{fx:?}").contains(&password.0),
        "a password in a Debug print"
    );
    assert_eq!(*keep, None, "a session is kept only when asked");
    match effects::sign_in(server, org, email, &password.0, None) {
        Ok((backend, who)) => {
            let fx = app::update(app, Msg::SignedIn(Ok(who)));
            settle(app, backend.as_ref(), fx);
            Some(backend)
        }
        Err(e) => {
            assert!(app::update(app, Msg::SignedIn(Err(e))).is_empty());
            None
        }
    }
}

#[test]
fn the_sign_in_screen_says_why_and_then_opens_the_organisation() {
    let w = world();
    let url = w.server.url();
    let mut app = console(&url);
    let shown = screen(&app, 80, 24);
    assert!(
        shown.contains("Sign in to") && shown.contains("acme"),
        "{shown}"
    );

    assert!(attempt(&mut app, "bob@acme.example", "wrong password").is_none());
    let shown = screen(&app, 80, 24);
    assert!(shown.contains("email or password is not right"), "{shown}");

    assert!(attempt(&mut app, "dora@acme.example", "correct horse battery").is_none());
    let shown = screen(&app, 80, 24);
    assert!(shown.contains("disabled and cannot sign in"), "{shown}");

    let backend = attempt(&mut app, "bob@acme.example", "correct horse battery");
    assert!(backend.is_some());
    assert!(app.modal.is_none() && app.loaded && app.has_store);
    assert_eq!(app.snap.org.slug, "acme");
    let shown = screen(&app, 80, 24);
    assert!(shown.contains("bob@acme.example"), "{shown}");
}

#[test]
fn repeated_failures_are_throttled_in_words_and_esc_quits() {
    let w = world();
    let url = w.server.url();
    let mut app = console(&url);
    let mut throttled = false;
    for _ in 0..5 {
        attempt(&mut app, "bob@acme.example", "guessing again");
        if screen(&app, 80, 24).contains("too many failed sign-ins") {
            throttled = true;
            break;
        }
    }
    assert!(throttled, "{}", screen(&app, 80, 24));
    let fx = app::update(&mut app, key(KeyCode::Esc));
    assert!(app.quit && fx == vec![Effect::Quit]);
}

/// Ctrl-K offers to keep the session (saved as a context, like `roster login`); a saved
/// session that stopped working brings the screen back with the reason, keeping on.
#[test]
fn the_sign_in_screen_offers_to_keep_the_session_and_says_why_it_asks_again() {
    let mut app = console("http://127.0.0.1:9");
    assert!(screen(&app, 80, 24).contains("[ ] on this machine"));
    app::update(&mut app, ctrl('k'));
    assert!(screen(&app, 80, 24).contains("[x] on this machine"));
    typed(&mut app, "ivy@acme.example");
    app::update(&mut app, key(KeyCode::Tab));
    typed(&mut app, "a password");
    let fx = app::update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(fx.as_slice(), [Effect::SignIn { keep: Some(name), .. }] if name == "acme"),
        "{fx:?}"
    );
    // A kept session: the next start names why it asks again.
    let (mut again, _) = App::new(Start {
        config: roster::tui::config::Config::default(),
        warnings: vec![],
        store_path: std::path::PathBuf::new(),
        has_store: false,
        backend: String::new(),
        who: Principal::Anonymous,
        org: None,
        size: (80, 24),
    });
    again.begin_sign_in(SignInTarget {
        server: "http://127.0.0.1:9".into(),
        org: Some("acme".into()),
        context: Some("work".into()),
        reason: Some(
            "The session saved in context 'work' no longer works (it was revoked): sign in again."
                .into(),
        ),
    });
    let text = screen(&again, 80, 24);
    assert!(text.contains("no longer works"), "{text}");
    assert!(text.contains("[x] on this machine"), "{text}");
    let Some(Modal::SignIn(s)) = again.modal.as_ref() else {
        panic!("the sign-in screen")
    };
    assert_eq!(s.context.as_deref(), Some("work"));
}
