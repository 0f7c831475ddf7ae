//! Issue 6, point 6 (terminal safety): accounts, groups, roles, programs, invitation
//! messages and descriptions named with ESC / CSI / OSC sequences, BEL, backspace, NUL,
//! C1 controls, bidi overrides and zero-width characters render inert everywhere:
//! in every console tab, the detail views, help, the command line, the Outbox (`M`) and
//! the sign-in screen (checked on a TestBackend buffer), and in the CLI's tables
//! (`roster mail list` too) and the audit trail.
//!
//! The core refuses such names when they are typed, so they are planted the way they
//! could still arrive: in the records of a store (an older version, an import, a hand
//! edit). The fixture's log is rewritten with hostile names and reopened.

mod tui_support;

use crossterm::event::KeyCode;
use roster::backend::file::{FileStore, HEADER_LEN, decode};
use roster::core::validate::is_unsafe_char;
use std::io::Write;
use std::path::Path;
use tui_support::*;

/// (clean name in the fixture, hostile replacement).
const HOSTILE: &[(&str, &str)] = &[
    // CSI clear-screen, OSC window title ended by BEL.
    ("Bob", "Bob\u{1b}[2J\u{1b}]0;pwned\u{7}"),
    // C1 CSI and NEL, backspaces.
    ("Builder", "Bu\u{9b}31m\u{85}il\u{8}\u{8}der"),
    // Right-to-left override and zero-width space.
    ("Support", "Sup\u{202e}troppus\u{200b}"),
    // OSC 8 hyperlink ended by ST.
    (
        "Integrator",
        "Integr\u{1b}]8;;http://evil.example\u{1b}\\ator",
    ),
    // SGR colour and a bidi isolate in a message.
    ("Welcome", "Wel\u{1b}[31mcome\u{2066}"),
    // BOM, NUL and a zero-width joiner.
    ("Knowledge Base", "Know\u{feff}ledge\u{0}Ba\u{200d}se"),
    // Carriage return and a line separator in a description.
    ("runs jobs", "runs\r jobs\u{1b}[1A"),
    // A registration with DEL and an APC string.
    ("Frank", "Fr\u{7f}ank\u{1b}_apc\u{1b}\\"),
    // A queued mail's recipient (blink, RLO) and subject (OSC title, C1 CSI).
    ("heidi@acme.example", "hei\u{1b}[5mdi@acme.example\u{202e}"),
    ("invites you", "invites\u{1b}]0;x\u{7} you\u{9b}2J"),
];

/// Rewrites the store's log with the hostile names, framing each command again.
fn plant(path: &Path) {
    let log = path.join("events.log");
    let bytes = std::fs::read(&log).unwrap();
    let decoded = decode::log(&bytes).unwrap();
    let mut out = bytes[..HEADER_LEN].to_vec();
    for batch in decoded.commands {
        let mut json = serde_json::to_string(&batch).unwrap();
        for (clean, hostile) in HOSTILE {
            let esc = serde_json::to_string(hostile).unwrap();
            json = json.replace(clean, &esc[1..esc.len() - 1]);
        }
        out.extend((json.len() as u32).to_le_bytes());
        out.extend(crc32fast::hash(json.as_bytes()).to_le_bytes());
        out.extend(json.as_bytes());
    }
    let mut f = std::fs::File::create(&log).unwrap();
    f.write_all(&out).unwrap();
    f.sync_all().unwrap();
}

#[track_caller]
fn assert_inert(where_: &str, text: &str) {
    for (n, line) in text.lines().enumerate() {
        if let Some(c) = line.chars().find(|c| is_unsafe_char(*c) && *c != '\t') {
            panic!(
                "{where_}, line {n}: U+{:04X} reached the terminal: {:?}",
                c as u32, line
            );
        }
    }
}

/// Every tab, each first row's detail, help and the command line, at two sizes.
#[test]
fn terminal_safety_hostile_names_render_inert_in_every_console_view() {
    let fx = fixture();
    plant(&fx.path());
    let store = FileStore::open_with(&fx.path(), options()).unwrap();
    let stored =
        roster::backend::query(&store, |d| d.accounts[&fx.bob].first_name.clone()).unwrap();
    assert!(
        stored.contains('\u{1b}'),
        "the hostile name is in the store: {stored:?}"
    );

    let mut seen = String::new();
    for (w, h) in [(120, 40), (80, 24)] {
        let mut app = open_with(&fx, &store, fx.as_alice(), (w, h));
        for tab in '1'..='8' {
            send(&mut app, &store, ch(tab));
            let s = screen(&app, w, h);
            assert_inert(&format!("tab {tab} at {w}x{h}"), &s);
            seen.push_str(&s);
            // Walk a few rows, opening each one's detail.
            for _ in 0..4 {
                send(&mut app, &store, key(KeyCode::Enter));
                let s = screen(&app, w, h);
                assert_inert(&format!("detail in tab {tab} at {w}x{h}"), &s);
                seen.push_str(&s);
                send(&mut app, &store, key(KeyCode::Esc));
                send(&mut app, &store, key(KeyCode::Down));
            }
        }
        // The Outbox (`M`): the queued invitation's recipient and subject.
        send(&mut app, &store, ch('M'));
        let s = screen(&app, w, h);
        assert_inert(&format!("the outbox at {w}x{h}"), &s);
        assert!(
            s.contains("hei\\u{1b}[5mdi@") && s.contains("invites\\u{1b}]0;x"),
            "the outbox lists the mail, escaped: {s}"
        );
        seen.push_str(&s);
        send(&mut app, &store, key(KeyCode::Esc));
        for keys in [
            vec![ch('?')],
            vec![ch(':'), ch('g')],
            vec![ch('/'), ch('B')],
        ] {
            for k in keys {
                send(&mut app, &store, k);
            }
            let s = screen(&app, w, h);
            assert_inert(&format!("overlay at {w}x{h}"), &s);
            seen.push_str(&s);
            send(&mut app, &store, key(KeyCode::Esc));
        }
    }
    // The names were drawn, visibly escaped, not dropped.
    for shown in ["Bob\\u{1b}[2J", "Sup\\u{202e}troppus", "Integr\\u{1b}]8"] {
        assert!(seen.contains(shown), "{shown} is shown escaped somewhere");
    }
}

#[test]
fn terminal_safety_hostile_names_render_inert_in_cli_tables() {
    let fx = fixture();
    plant(&fx.path());
    drop(fx.store.clone());
    let mut all = String::new();
    for args in [
        &["user", "list", "--status", "any"][..],
        &["user", "show", "bob@acme.example"],
        &["group", "list"],
        &["role", "list"],
        &["program", "list"],
        &["invitation", "list", "--status", "pending"],
        &["approval", "list"],
        &["audit", "--limit", "100"],
        &["org", "show"],
        &["mail", "list"],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
            .arg("--store")
            .arg(fx.path())
            .args(["--org", "acme", "--as", "alice@acme.example"])
            .args(args)
            .env_remove("ROSTER_STORE")
            .env_remove("ROSTER_ORG")
            .env_remove("ROSTER_SERVER")
            .env_remove("ROSTER_TOKEN")
            .env_remove("ROSTER_CONTEXT")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert_inert(&format!("roster {args:?}"), &stdout);
        assert_inert(&format!("roster {args:?} (stderr)"), &stderr);
        all.push_str(&stdout);
    }
    for shown in [
        "Bob\\u{1b}[2J",
        "Sup\\u{202e}troppus",
        "Integr\\u{1b}]8",
        "invites\\u{1b}]0;x",
    ] {
        assert!(
            all.contains(shown),
            "{shown} is shown escaped in some table"
        );
    }
}

/// The sign-in screen shows what it is told: the server's address and organisation, and
/// the server's reason for a refusal. A reason with control characters (a hostile or
/// broken server) is drawn escaped, at two sizes.
#[test]
fn terminal_safety_the_sign_in_screen_renders_a_hostile_refusal_inert() {
    use roster::core::Principal;
    use roster::tui::app::{self, App, Msg, Start};
    use roster::tui::sign_in::SignInTarget;
    for (w, h) in [(80, 24), (120, 40)] {
        let (mut app, _) = App::new(Start {
            config: roster::tui::config::Config::default(),
            warnings: vec![],
            store_path: std::path::PathBuf::new(),
            has_store: false,
            backend: String::new(),
            who: Principal::Anonymous,
            org: None,
            size: (w, h),
        });
        app.begin_sign_in(SignInTarget {
            server: "http://evil\u{1b}]0;title\u{7}.example".into(),
            org: Some("ac\u{9b}2Jme\u{202e}".into()),
            context: Some("ctx\u{1b}[31m".into()),
            reason: Some("the session\u{1b}[2J ended\u{7}\u{2066}".into()),
        });
        let s = screen(&app, w, h);
        assert_inert(&format!("the sign-in screen at {w}x{h}"), &s);
        let _ = app::update(
            &mut app,
            Msg::SignedIn(Err(
                "the email\u{1b}[2J or password\u{8}\u{8} is not right\u{1b}]8;;http://x\u{1b}\\\u{200b}".into(),
            )),
        );
        let s = screen(&app, w, h);
        assert_inert(&format!("a refusal on the sign-in screen at {w}x{h}"), &s);
        assert!(
            s.contains("the email\\u{1b}[2J or"),
            "the refusal is shown, escaped: {s}"
        );
    }
}
