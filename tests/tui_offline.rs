//! The console against a server that goes away, comes back, or stops accepting the
//! token (issue 4): driven through `App::update`, no terminal and no clock. Time passes
//! in ticks (500 ms by default), so the retry schedule is counted, not timed.

mod tui_support;

use crossterm::event::KeyCode;
use roster::core::query::Area;
use roster::core::*;
use roster::tui::app::{self, App, Effect, Msg, Tone};
use roster::tui::fault::{Fault, LoadError};
use std::sync::Arc;
use tui_support::flaky::{Flaky, Mode, SERVER};
use tui_support::*;

fn offline() -> LoadError {
    LoadError::new(
        Fault::Offline,
        format!("cannot reach {SERVER}: connection refused"),
    )
}

/// The fixture, opened as alice through a stand-in server.
fn remote(fx: &Fixture) -> (App, Arc<Flaky>) {
    let flaky = Arc::new(Flaky::new(fx.store.clone()));
    let app = open_with(fx, flaky.as_ref(), fx.as_alice(), (80, 24));
    assert!(app.loaded && app.link.remote);
    (app, flaky)
}

/// Ticks until the App asks for a refresh. Every tick before it asks for nothing (the
/// screen stays live: ticks keep coming). The bound only catches a console that would
/// never try again.
fn ticks_until_refresh(app: &mut App) -> u32 {
    for n in 1..=1_000 {
        let fx = app::update(app, Msg::Tick);
        if fx.contains(&Effect::Refresh) {
            assert_eq!(fx, vec![Effect::Refresh]);
            return n;
        }
        assert!(fx.is_empty(), "tick {n} asked for {fx:?}");
    }
    panic!("no refresh in 1000 ticks")
}

fn seconds(ticks: u32, app: &App) -> u64 {
    u64::from(ticks) * app.config.tick_ms / 1000
}

fn note(app: &App) -> String {
    app.shown_note().map(|n| n.text).unwrap_or_default()
}

fn emails(app: &App) -> Vec<String> {
    app.users
        .all()
        .iter()
        .map(|u| u.account.email.clone())
        .collect()
}

#[test]
fn the_retry_schedule_is_1_2_4_8_then_15_seconds_and_the_data_stays() {
    let fx = fixture();
    let (mut app, _) = remote(&fx);
    let before = emails(&app);
    assert_eq!(app::update(&mut app, Msg::Tick), vec![Effect::Refresh]);
    let mut waits = vec![];
    for _ in 0..6 {
        let fxs = app::update(&mut app, Msg::Refreshed(Err(offline())));
        assert!(fxs.is_empty(), "never retried at once: {fxs:?}");
        waits.push(seconds(ticks_until_refresh(&mut app), &app));
    }
    assert_eq!(waits, [1, 2, 4, 8, 15, 15]);
    assert_eq!(emails(&app), before, "the last data stays on screen");
    assert!(app.loaded);
    let text = note(&app);
    assert!(
        text.starts_with(&format!("Offline: cannot reach {SERVER}")),
        "{text}"
    );
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("⚠ offline"), "{screen}");
    assert!(screen.contains("carol@acme.example"), "{screen}");
}

#[test]
fn the_status_counts_down_to_the_next_try() {
    let fx = fixture();
    let (mut app, _) = remote(&fx);
    app::update(&mut app, Msg::Tick);
    for _ in 0..3 {
        app::update(&mut app, Msg::Refreshed(Err(offline())));
    }
    let key = app.config.keymap.key_for(
        &[roster::tui::keymap::Ctx::Global],
        roster::tui::keymap::Action::Reload,
    );
    assert!(
        note(&app).contains(&format!("retrying in 4s ({key}: now)")),
        "{}",
        note(&app)
    );
    app::update(&mut app, Msg::Tick);
    app::update(&mut app, Msg::Tick);
    assert!(note(&app).contains("retrying in 3s"), "{}", note(&app));
    assert_eq!(
        app.note_rows(),
        2,
        "the whole sentence fits in two rows at 80 columns"
    );
}

#[test]
fn the_first_answer_clears_the_trouble_and_reloads() {
    let fx = fixture();
    let (mut app, flaky) = remote(&fx);
    flaky.set(Mode::Down);
    let b = flaky.as_ref();
    send(&mut app, b, Msg::Tick);
    assert!(app.link.trouble.is_some());
    // Meanwhile, on the server, someone adds an account.
    fx.exec(
        &fx.as_alice(),
        Command::AddAccount {
            org: fx.org,
            email: "aaron@acme.example".into(),
            first_name: "Aaron".into(),
            last_name: "Early".into(),
            verified: true,
        },
    );
    flaky.set(Mode::Up);
    ticks_until_refresh(&mut app);
    let fxs = settle(&mut app, b, vec![Effect::Refresh]);
    assert!(
        fxs.iter().any(|e| matches!(e, Effect::Load { .. })),
        "{fxs:?}"
    );
    assert!(app.link.trouble.is_none());
    let shown = app.shown_note().unwrap();
    assert_eq!(shown.tone, Tone::Ok);
    assert_eq!(shown.text, format!("Back online: {SERVER} answers again"));
    assert!(emails(&app).contains(&"aaron@acme.example".to_string()));
    assert!(!screen(&app, 80, 24).contains("⚠"));
    // Back to refreshing on every tick.
    assert_eq!(app::update(&mut app, Msg::Tick), vec![Effect::Refresh]);
}

#[test]
fn ctrl_r_tries_again_at_once() {
    let fx = fixture();
    let (mut app, _) = remote(&fx);
    app::update(&mut app, Msg::Tick);
    for _ in 0..4 {
        app::update(&mut app, Msg::Refreshed(Err(offline())));
    }
    app.info("something else happened meanwhile");
    let fxs = app::update(&mut app, ctrl('r'));
    assert_eq!(
        fxs,
        vec![Effect::Refresh],
        "a refresh now, not a load that would fail"
    );
    assert!(note(&app).contains("trying again now"), "{}", note(&app));
    // Still failing: the wait grows on.
    app::update(&mut app, Msg::Refreshed(Err(offline())));
    assert_eq!(seconds(ticks_until_refresh(&mut app), &app), 15);
}

#[test]
fn a_rejected_token_stops_refreshing_and_says_how_to_get_a_new_one() {
    let fx = fixture();
    let (mut app, _) = remote(&fx);
    let before = emails(&app);
    app::update(&mut app, Msg::Tick);
    let revoked = LoadError::new(
        Fault::Unauthorized,
        format!(
            "the server at {SERVER} refused the token: this token was revoked: create a new one"
        ),
    );
    app::update(&mut app, Msg::Refreshed(Err(revoked)));
    for _ in 0..200 {
        assert!(
            app::update(&mut app, Msg::Tick).is_empty(),
            "no more refreshes"
        );
    }
    let text = note(&app);
    assert!(
        text.starts_with("The token is no longer valid")
            && text.contains("this token was revoked")
            && text.contains("roster token create"),
        "{text}"
    );
    assert_eq!(app.shown_note().unwrap().tone, Tone::Error);
    assert_eq!(emails(&app), before, "the data stays");
    assert!(
        roster::tui::view::widgets::wrap_words(&text, 80).len() <= 3,
        "read whole in the three rows of the result line at 80 columns"
    );
    assert!(screen(&app, 80, 24).contains("⚠ token rejected"));
    // Ctrl-R still tries (the account may have been enabled again).
    assert_eq!(app::update(&mut app, ctrl('r')), vec![Effect::Refresh]);
}

#[test]
fn a_reply_that_makes_no_sense_is_shown_and_retried_slowly() {
    let fx = fixture();
    let (mut app, _) = remote(&fx);
    app::update(&mut app, Msg::Tick);
    let garbled = LoadError::new(
        Fault::Broken,
        format!(
            "the server at {SERVER} sent something roster does not understand (GET /v1/events): expected value at line 1 column 1"
        ),
    );
    for _ in 0..3 {
        app::update(&mut app, Msg::Refreshed(Err(garbled.clone())));
        assert_eq!(seconds(ticks_until_refresh(&mut app), &app), 15);
    }
    assert!(note(&app).contains("does not understand"), "{}", note(&app));
    assert!(screen(&app, 80, 24).contains("⚠ server error"));
}

#[test]
fn a_load_that_cannot_reach_the_server_keeps_the_screen_and_loads_again_later() {
    let fx = fixture();
    let (mut app, _) = remote(&fx);
    let before = emails(&app);
    let fxs = app::update(&mut app, ctrl('r'));
    let Some(Effect::Load { generation, .. }) = fxs.first().cloned() else {
        panic!("{fxs:?}")
    };
    app::update(
        &mut app,
        Msg::Loaded {
            generation,
            result: Err(offline()),
        },
    );
    assert_eq!(emails(&app), before);
    assert!(note(&app).starts_with("Offline"), "{}", note(&app));
    assert!(!app.loads.in_flight);
    // The server answers again with nothing new: the failed load is made up for.
    let n = ticks_until_refresh(&mut app);
    assert!(n > 1);
    let seq = app.snap.seq;
    let fxs = app::update(&mut app, Msg::Refreshed(Ok(seq)));
    assert!(
        fxs.iter().any(|e| matches!(e, Effect::Load { .. })),
        "{fxs:?}"
    );
}

#[test]
fn a_change_whose_answer_is_lost_is_never_sent_again_and_shows_after_the_next_refresh() {
    let fx = fixture();
    let (mut app, flaky) = remote(&fx);
    let b = flaky.as_ref();
    send(&mut app, b, ch('4'));
    let first = app.requests.selected().unwrap().request.clone();
    assert_eq!(first.account, fx.frank);
    flaky.set(Mode::LoseAnswer);
    let mut seen = send(&mut app, b, ch('a'));
    let text = app.shown_note().unwrap().text;
    assert!(
        text.contains(&format!("the server at {SERVER} did not answer"))
            && text.contains("the change may or may not have been made")
            && text.contains("it will show after the next refresh"),
        "{text}"
    );
    // It was made, but the screen cannot know yet.
    assert_eq!(
        fx.read(|d| d.requests[&first.id].status),
        RequestStatus::Approved
    );
    assert_eq!(app.requests.selected().unwrap().request.id, first.id);
    assert!(screen(&app, 80, 24).contains("⚠ offline"));
    // The server stays away for a while: ticks retry the refresh, never the change.
    for _ in 0..100 {
        seen.extend(send(&mut app, b, Msg::Tick));
    }
    assert!(seen.contains(&Effect::Refresh), "the refresh is retried");
    flaky.set(Mode::Up);
    for _ in 0..100 {
        seen.extend(send(&mut app, b, Msg::Tick));
        if app.link.trouble.is_none() {
            break;
        }
    }
    assert!(app.link.trouble.is_none(), "back online");
    let runs = seen
        .iter()
        .filter(|e| matches!(e, Effect::Run { .. }))
        .count();
    assert_eq!(runs, 1, "the change was sent once");
    assert_eq!(app.snap.pending.requests, 1, "the approval shows now");
    assert_eq!(app.requests.selected().unwrap().request.account, fx.grace);
}

#[test]
fn a_change_refused_for_the_token_stops_live_updates_too() {
    let fx = fixture();
    let (mut app, flaky) = remote(&fx);
    let b = flaky.as_ref();
    send(&mut app, b, ch('4'));
    flaky.set(Mode::Rejected);
    send(&mut app, b, ch('a'));
    assert!(
        app.shown_note().unwrap().text.contains("refused the token"),
        "{:?}",
        app.shown_note()
    );
    assert!(
        app.link
            .trouble
            .as_ref()
            .is_some_and(|t| t.fault == Fault::Unauthorized)
    );
    assert!(app::update(&mut app, Msg::Tick).is_empty());
}

#[test]
fn on_a_server_the_token_decides_who_acts() {
    let fx = fixture();
    let (mut app, flaky) = remote(&fx);
    let b = flaky.as_ref();
    for line in ["as bob@acme.example", "operator"] {
        send(&mut app, b, ch(':'));
        let popup = screen(&app, 80, 24);
        assert!(!popup.contains("act as"), "not offered: {popup}");
        typed(&mut app, b, line);
        let fxs = send(&mut app, b, key(KeyCode::Enter));
        assert!(
            !fxs.iter()
                .any(|e| matches!(e, Effect::Resolve { .. } | Effect::Load { .. })),
            "{fxs:?}"
        );
        assert_eq!(app.who, fx.as_alice());
        let text = app.shown_note().unwrap().text;
        assert!(
            text.contains("the token decides who acts")
                && text.contains("alice@acme.example")
                && text.contains("roster token create"),
            "{text}"
        );
    }
    // On a local store, both are offered and work.
    let mut local = open(&fx, fx.as_alice(), (80, 24));
    let s = fx.backend();
    send(&mut local, s.as_ref(), ch(':'));
    assert!(screen(&local, 80, 24).contains("act as the platform operator"));
    typed(&mut local, s.as_ref(), "operator");
    send(&mut local, s.as_ref(), key(KeyCode::Enter));
    assert_eq!(local.who, Principal::Operator);
}

#[test]
fn a_member_without_audit_read_loads_without_asking_for_the_trail() {
    // A server refuses the audit trail to someone without audit.read; the console must
    // not ask for it (and so not fail the whole load), nor show it in a user's detail.
    let fx = fixture();
    let flaky = Arc::new(Flaky::new(fx.store.clone()));
    let yuki = Principal::Account { id: fx.yuki };
    let mut app = open_with(&fx, flaky.as_ref(), yuki, (80, 24));
    assert!(app.loaded, "{:?}", app.shown_note());
    assert!(!app.snap.areas.contains(&Area::Audit));
    // The audit call now fails: a load that asked for it would fail too.
    flaky.set(Mode::Rejected);
    let b = flaky.as_ref();
    app.users.select(fx.carol);
    send(&mut app, b, key(KeyCode::Enter));
    let detail = app
        .detail
        .as_ref()
        .and_then(|d| d.data.as_ref())
        .expect("details");
    let trail = detail
        .sections
        .iter()
        .find(|s| s.title == "Audit trail")
        .expect("a trail section");
    assert!(
        trail
            .lines
            .iter()
            .any(|l| format!("{l:?}").contains("audit.read")),
        "{trail:?}"
    );
}

#[test]
fn paused_live_updates_pause_the_retries_too_until_ctrl_r() {
    let fx = fixture();
    let (mut app, _) = remote(&fx);
    app::update(&mut app, Msg::Tick);
    app::update(&mut app, Msg::Refreshed(Err(offline())));
    // Esc stopped a load: nothing is tried behind the person's back.
    app.loads.paused = true;
    for _ in 0..100 {
        assert!(app::update(&mut app, Msg::Tick).is_empty());
    }
    assert!(screen(&app, 80, 24).contains("⚠ offline · paused"));
    assert_eq!(app::update(&mut app, ctrl('r')), vec![Effect::Refresh]);
    assert!(!app.loads.paused);
}

#[test]
fn a_server_slow_to_answer_is_shown_as_waiting_not_frozen() {
    let fx = fixture();
    let (mut app, _) = remote(&fx);
    assert_eq!(app::update(&mut app, Msg::Tick), vec![Effect::Refresh]);
    // The answer does not come; ticks still do, and ask for nothing more.
    for _ in 0..8 {
        assert!(app::update(&mut app, Msg::Tick).is_empty());
    }
    assert!(screen(&app, 80, 24).contains("⏳ no answer yet · 4s"));
    let seq = app.snap.seq;
    app::update(&mut app, Msg::Refreshed(Ok(seq)));
    assert!(!screen(&app, 80, 24).contains("⏳"));
}
