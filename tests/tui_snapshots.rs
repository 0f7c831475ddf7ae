//! What every tab and dialog looks like at 80×24 and 120×40 (insta snapshots of a
//! ratatui TestBackend; the clock and the store path are pinned).

mod tui_support;

use crossterm::event::KeyCode;
use roster::core::Principal;
use roster::tui::app::{App, Msg};
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn shot(name: &str, app: &App, (w, h): (u16, u16)) {
    let text = screen(app, w, h);
    insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
}

/// Opens the fixture at a size, runs the keys, snapshots the screen.
fn scene(name: &str, who: fn(&Fixture) -> Principal, keys: &[Msg]) {
    for size in SIZES {
        let fx = fixture();
        let mut app = pinned(&fx, who(&fx), size);
        for k in keys {
            send(&mut app, fx.store.as_ref(), k.clone());
        }
        app.snap.backend = "file:/srv/roster/store".into();
        shot(name, &app, size);
    }
}

fn alice(fx: &Fixture) -> Principal {
    fx.as_alice()
}

fn operator(_: &Fixture) -> Principal {
    Principal::Operator
}

#[test]
fn tabs() {
    let names = [
        "users",
        "roles",
        "contracts",
        "approvals",
        "groups",
        "programs",
        "invitations",
        "audit",
    ];
    for (i, name) in names.iter().enumerate() {
        let digit = char::from(b'1' + i as u8);
        scene(&format!("tab_{name}"), alice, &[ch(digit)]);
    }
}

#[test]
fn users_views() {
    scene("users_pending_filter", alice, &[ch('p')]);
    scene("users_filtering", alice, &[ch('/'), ch('s'), ch('i')]);
    scene("users_marked", alice, &[ch(' '), ch(' ')]);
    scene("users_detail", alice, &[ch('j'), key(KeyCode::Enter)]);
    scene(
        "users_as_member",
        |fx| Principal::Account { id: fx.yuki },
        &[],
    );
}

#[test]
fn dialogs() {
    scene("help_users", alice, &[ch('?')]);
    scene("help_approvals", alice, &[ch('4'), ch('?')]);
    scene("edit_form", alice, &[ch('j'), ch('e')]);
    scene("invite_email", alice, &[ch('i'), ch('d'), ch('a'), ch('n')]);
    scene(
        "invite_bad_email",
        alice,
        &[ch('i'), ch('d'), ch('a'), ch('n'), key(KeyCode::Enter)],
    );
    let mut to_access = vec![ch('i')];
    to_access.extend("dan@acme.example".chars().map(ch));
    to_access.push(key(KeyCode::Enter));
    to_access.extend("Dan".chars().map(ch));
    to_access.push(key(KeyCode::Tab));
    to_access.extend("Brown".chars().map(ch));
    to_access.push(key(KeyCode::Enter));
    scene("invite_access", alice, &to_access);
    let mut to_confirm = to_access.clone();
    to_confirm.push(key(KeyCode::Down));
    to_confirm.push(ch(' '));
    to_confirm.push(ctrl('s'));
    to_confirm.extend("Welcome!".chars().map(ch));
    to_confirm.push(key(KeyCode::Enter));
    scene("invite_confirm", alice, &to_confirm);
    scene("reject_reason", alice, &[ch('4'), ch('r')]);
    scene("confirm_delete", alice, &[ch('f'), key(KeyCode::Delete)]);
    scene("picker_grant_role", alice, &[ch('2'), ch('G'), ch('+')]);
    scene("role_form", alice, &[ch('2'), ch('n')]);
    scene("command_line", alice, &[ch(':')]);
    scene(
        "command_completion",
        alice,
        &[ch(':'), ch('o'), key(KeyCode::Tab)],
    );
    // A bulk action is decided first: the one question, per target (issue 14).
    scene("bulk_preview", alice, &[ch('*'), ch('-')]);
    scene("contract_form", operator, &[ch('3'), ch('n')]);
    scene("audit_filter", alice, &[ch('8'), ch('f')]);
}

fn typed_keys(s: &str) -> Vec<Msg> {
    s.chars().map(ch).collect()
}

#[test]
fn organisation_views() {
    scene("org_page", alice, &[ch('O')]);
    scene("org_settings_form", alice, &[ch('O'), ch('s')]);
    let mut profile = vec![ch(':')];
    profile.extend(typed_keys("profile"));
    profile.push(key(KeyCode::Enter));
    scene("org_profile_form", alice, &profile);
    // An admin is told why the profile is not theirs to change.
    scene(
        "org_profile_refused",
        |fx| Principal::Account { id: fx.bob },
        &[ch('O'), ch('e')],
    );
    let mut picker = vec![ch(':')];
    picker.extend(typed_keys("org"));
    picker.push(key(KeyCode::Enter));
    scene("org_picker", operator, &picker);
    let mut create = vec![ch(':')];
    create.extend(typed_keys("org create"));
    create.push(key(KeyCode::Enter));
    scene("org_create_form", operator, &create);
}

#[test]
fn seed_procedures() {
    scene("add_account_form", alice, &[ch('n')]);
    // A contributor may not name a new program owner: the whole reason shows.
    scene(
        "program_transfer_refused",
        |fx| Principal::Account { id: fx.carol },
        &[key(KeyCode::Tab), ch('o')],
    );
    scene("users_filter_ranked", alice, &typed_keys("/al"));
}

#[test]
fn start_screen_and_too_small() {
    for size in SIZES {
        let (app, _) = App::new(roster::tui::app::Start {
            config: roster::tui::config::Config::default(),
            warnings: vec![],
            store_path: "/srv/roster/store".into(),
            has_store: false,
            backend: String::new(),
            who: Principal::Operator,
            org: None,
            size,
        });
        shot("start", &app, size);
    }
    let fx = fixture();
    let app = pinned(&fx, fx.as_alice(), (50, 12));
    insta::assert_snapshot!("too_small_50x12", screen(&app, 50, 12));
}

#[test]
fn hostile_names_are_drawn_harmlessly() {
    let fx = fixture();
    let mut app = pinned(&fx, fx.as_alice(), (80, 24));
    let mut rows = app.users.all().to_vec();
    // A tampered store could hold anything; the screen must still be safe.
    std::sync::Arc::make_mut(&mut rows[0].account).first_name = "Mallory\u{1b}[2J\u{202e}".into();
    std::sync::Arc::make_mut(&mut rows[0].account).last_name = "\u{7}Bell".into();
    app.users.set_rows(rows, |_| true);
    let text = screen(&app, 80, 24);
    assert!(!text.contains('\u{1b}'));
    assert!(!text.contains('\u{202e}'));
    assert!(!text.contains('\u{7}'));
    assert!(text.contains("Mallory"));
}

#[test]
fn wide_characters_keep_columns_aligned() {
    let fx = fixture();
    let app = pinned(&fx, fx.as_alice(), (80, 24));
    let text = screen(&app, 80, 24);
    use unicode_width::UnicodeWidthStr;
    let header = text.lines().find(|l| l.contains("Email")).unwrap();
    let col = header[..header.find("Email").unwrap()].width();
    let yuki = text
        .lines()
        .find(|l| l.contains("yuki@acme.example"))
        .expect("yuki is listed");
    assert_eq!(yuki[..yuki.find("yuki@").unwrap()].width(), col, "{yuki}");
}

#[test]
fn offline_status() {
    use roster::backend::Backend as _;
    use roster::tui::fault::{Fault, LoadError};
    use tui_support::flaky::{Flaky, SERVER};
    let fx = fixture();
    let flaky = Flaky::new(fx.store.clone());
    let mut app = open_with(&fx, &flaky, fx.as_alice(), (80, 24));
    app.snap.backend = flaky.describe();
    let down = LoadError::new(
        Fault::Offline,
        format!("cannot reach {SERVER}: connection refused"),
    );
    roster::tui::app::update(&mut app, Msg::Tick);
    for _ in 0..3 {
        roster::tui::app::update(&mut app, Msg::Refreshed(Err(down.clone())));
    }
    shot("offline", &app, (80, 24));
}
