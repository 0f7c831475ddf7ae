//! The `/` filter of a list too large to match within a frame (issue 5): a keystroke
//! returns a match effect and leaves the rows shown as they were, marked as matching;
//! the answer replaces them only if it is still for the current text; and typing,
//! correcting and clearing end with exactly the rows the synchronous path shows.
//! Driven through `App::update` on a generated store, no terminal, no timing.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use roster::backend::file::FileStore;
use roster::backend::{self, Backend};
use roster::core::{AccountId, Principal};
use roster::scale::drive::{draw, settle};
use roster::scale::generate::{Spec, generate_store};
use roster::tui::app::{self, App, Effect, Msg, Start, user_visible};
use roster::tui::config::Config;
use roster::tui::list::List;
use roster::tui::matching::ASYNC_ROWS;
use std::sync::atomic::AtomicBool;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// A console on the Users tab of a generated organisation with more accounts than
/// `ASYNC_ROWS`, everything loaded.
fn console(dir: &std::path::Path) -> (FileStore, App) {
    let store = dir.join("store");
    generate_store(
        &store,
        &Spec {
            accounts: ASYNC_ROWS + 500,
            orgs: 1,
            seed: 3,
        },
    )
    .unwrap();
    let fs = FileStore::open(&store).unwrap();
    let (org, who) = backend::query(&fs, |d| {
        let org = d.orgs.values().next().map(|o| o.id);
        let who = org
            .and_then(|o| d.owner_of(o))
            .map(|a| Principal::Account { id: a.id })
            .unwrap_or(Principal::Operator);
        (org, who)
    })
    .unwrap();
    let (mut app, first) = App::new(Start {
        config: Config::from_toml("", false).0,
        warnings: vec![],
        store_path: store.clone(),
        has_store: true,
        backend: fs.describe(),
        who,
        org,
        size: (120, 40),
    });
    settle(&mut app, &fs, first);
    assert!(app.users.all().len() >= ASYNC_ROWS, "a large list");
    (fs, app)
}

fn shown(app: &App) -> Vec<AccountId> {
    (0..app.users.len())
        .filter_map(|i| app.users.get(i))
        .map(|r| r.account.id)
        .collect()
}

/// What the synchronous path shows for `text` on the same rows.
fn synchronous(app: &App, text: &str) -> Vec<AccountId> {
    let (s, p) = (app.user_status, app.pending_only);
    let mut list = List::default();
    list.set_rows(app.users.all().to_vec(), |r| user_visible(r, s, p));
    list.filter = text.into();
    list.refilter(|r| user_visible(r, s, p));
    (0..list.len())
        .filter_map(|i| list.get(i))
        .map(|r| r.account.id)
        .collect()
}

/// The text of the last frame drawn on `term`.
fn screen(term: &Terminal<TestBackend>) -> String {
    term.backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect()
}

fn the_match(fx: &[Effect]) -> (u64, roster::tui::matching::MatchJob) {
    match fx {
        [
            Effect::Match {
                generation, job, ..
            },
        ] => (*generation, job.clone()),
        other => panic!("expected one match effect, got {other:?}"),
    }
}

fn answer(fx: &[Effect]) -> Msg {
    let (generation, job) = the_match(fx);
    Msg::Matched {
        tab: roster::core::query::Area::Users,
        generation,
        answer: Box::new(job.run(&AtomicBool::new(false)).expect("not cancelled")),
    }
}

#[test]
fn a_keystroke_in_a_large_list_matches_off_the_ui_thread() {
    let tmp = tempfile::tempdir().unwrap();
    let (_fs, mut app) = console(tmp.path());
    let before = shown(&app);
    // Opening the filter prepares the first letter's search (off the UI thread too).
    let fx = app::update(&mut app, key(KeyCode::Char('/')));
    assert!(matches!(fx.as_slice(), [Effect::Match { .. }]), "{fx:?}");
    app::update(&mut app, answer(&fx));
    assert!(!app.users.matching());
    assert_eq!(shown(&app), before);

    // The keystroke: a match effect, the old rows still shown, marked as matching.
    let fx = app::update(&mut app, key(KeyCode::Char('l')));
    assert!(app.users.matching());
    assert_eq!(shown(&app), before);
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    draw(&app, &mut term);
    let shown_text = screen(&term);
    assert!(
        shown_text.contains("matching…"),
        "the header says it is matching"
    );
    let late = answer(&fx);

    // A newer keystroke: the answer for "l" arrives late and is dropped.
    let fx = app::update(&mut app, key(KeyCode::Char('u')));
    app::update(&mut app, late);
    assert!(app.users.matching());
    assert_eq!(shown(&app), before, "a stale answer changes nothing");

    // The current answer: the rows the synchronous path shows, the best match on top.
    app::update(&mut app, answer(&fx));
    assert!(!app.users.matching());
    assert_eq!(shown(&app), synchronous(&app, "lu"));
    assert_eq!(app.users.cursor, 0);
    draw(&app, &mut term);
    let shown_text = screen(&term);
    assert!(!shown_text.contains("matching…"));

    // Moving while matching keeps the cursor on its record once the answer comes; Esc
    // (clearing the filter) goes through the same path.
    app::update(&mut app, key(KeyCode::Down));
    app::update(&mut app, key(KeyCode::Down));
    let record = app.users.selected().map(|r| r.account.id);
    let fx = app::update(&mut app, key(KeyCode::Esc));
    app::update(&mut app, answer(&fx));
    assert_eq!(app.users.selected().map(|r| r.account.id), record);
    assert_eq!(shown(&app), synchronous(&app, ""));

    // Esc outside the filter clears an accepted filter the same way.
    for c in ['/', 'g', 'a', '\n'] {
        let code = if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        let fx = app::update(&mut app, key(code));
        if !fx.is_empty() {
            app::update(&mut app, answer(&fx));
        }
    }
    assert_eq!(shown(&app), synchronous(&app, "ga"));
    let fx = app::update(&mut app, key(KeyCode::Esc));
    assert!(app.users.matching());
    app::update(&mut app, answer(&fx));
    assert_eq!(shown(&app), synchronous(&app, ""));
}

#[test]
fn typing_correcting_and_retyping_end_with_the_synchronous_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let (fs, mut app) = console(tmp.path());
    let send = |app: &mut App, m: Msg| {
        let fx = app::update(app, m);
        settle(app, &fs, fx);
    };
    send(&mut app, key(KeyCode::Char('/')));
    let mut typed = String::new();
    for c in "lucia\x08\x08\x08\x08\x08garcía\x08\x08\x08\x08\x08\x08山田 !a".chars() {
        if c == '\x08' {
            typed.pop();
            send(&mut app, key(KeyCode::Backspace));
        } else {
            typed.push(c);
            send(&mut app, key(KeyCode::Char(c)));
        }
        assert!(!app.users.matching());
        let (a, b) = (shown(&app), synchronous(&app, &typed));
        if a != b {
            let name = |id: &AccountId| {
                app.users
                    .all()
                    .iter()
                    .find(|r| r.account.id == *id)
                    .map(|r| format!("{} <{}>", r.account.full_name(), r.account.email))
            };
            let extra: Vec<_> = a.iter().filter(|x| !b.contains(x)).map(name).collect();
            let missing: Vec<_> = b.iter().filter(|x| !a.contains(x)).map(name).collect();
            eprintln!(
                "after {typed:?}: {} vs {}; extra {extra:?}; missing {missing:?}",
                a.len(),
                b.len()
            );
            let first = a.iter().zip(&b).position(|(x, y)| x != y);
            eprintln!(
                "first difference at {first:?}: {:?} vs {:?}",
                first.map(|i| name(&a[i])),
                first.map(|i| name(&b[i]))
            );
        }
        assert_eq!(a, b, "after {typed:?}");
    }
}

/// A change to the store while a filter is kept on a large list: the reload keeps the
/// rows shown (the same records, fresh data) and matches the new rows off the UI
/// thread; the answer is what the synchronous path shows.
#[test]
fn a_reload_under_a_kept_filter_matches_off_the_ui_thread() {
    let tmp = tempfile::tempdir().unwrap();
    let (fs, mut app) = console(tmp.path());
    let send = |app: &mut App, m: Msg| {
        let fx = app::update(app, m);
        settle(app, &fs, fx);
    };
    for c in ['/', 'l', 'u'] {
        send(&mut app, key(KeyCode::Char(c)));
    }
    send(&mut app, key(KeyCode::Enter));
    let before = shown(&app);
    let gone = before[0];
    fs.execute(
        &app.who.clone(),
        &roster::core::Command::Disable { account: gone },
        false,
    )
    .unwrap();

    // Reload by hand (Ctrl-R), running the effects one by one until the rows arrive.
    let mut queue: std::collections::VecDeque<Effect> = app::update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)),
    )
    .into();
    let cancel = AtomicBool::new(false);
    let mut rematched = false;
    while let Some(effect) = queue.pop_front() {
        let mut progress = vec![];
        let reply = roster::tui::effects::perform(&fs, &effect, &cancel, &mut |m| progress.push(m));
        for m in progress.into_iter().chain(reply) {
            let loaded = matches!(m, Msg::Loaded { .. });
            let fx = app::update(&mut app, m);
            if loaded && !rematched {
                rematched = true;
                assert!(
                    fx.iter().any(|e| matches!(e, Effect::Match { .. })),
                    "the new rows are matched off the UI thread: {fx:?}"
                );
                assert!(app.users.matching());
                assert_eq!(shown(&app), before, "the same records until the answer");
            }
            queue.extend(fx);
        }
    }
    assert!(rematched, "the reload brought new rows");
    assert!(!app.users.matching());
    assert!(
        !shown(&app).contains(&gone),
        "the disabled account left the active view"
    );
    assert_eq!(shown(&app), synchronous(&app, "lu"));
}
