//! The console as a pure state machine: `update(&mut App, Msg) -> Vec<Effect>`. No
//! terminal, no backend, no clock in here: keys, ticks and backend replies come in as
//! `Msg`s, and everything that needs the outside world goes out as an `Effect` for the
//! runtime to run. That is what makes every flow testable without a terminal.
//!
//! This is the top of the console's logic: it routes a message to the module that
//! handles it. The types it speaks are re-exported here, where callers look for them.

pub use super::detail_view::DetailView;
pub use super::feedback::{Busy, Note, Tone};
pub use super::keymap::tab_ctx;
pub use super::modal::{AccountFields, FormFor, Modal, Pick, PickFor};
pub use super::msg::{Effect, Job, Msg, Setup};
pub use super::state::{App, Reselect, Start};
pub use super::tab_lists::user_visible;

use super::cmdline::{self, Cmd, CmdEvent, CmdLine};
use super::dialogs::{Answer, Picked};
use super::fault::Fault;
use super::form::FormEvent;
use super::keymap::Action;
use super::link::Link;
use super::state::open_org;
use super::wizard::WizardEvent;
use crate::core::query::Area;
use crate::core::*;
use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

/// The heart of the console.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let mut fx = vec![];
    match msg {
        Msg::Key(key) => {
            if key.kind == KeyEventKind::Release {
                return fx;
            }
            // Ctrl-C always leaves, whatever is open: an escape hatch that never fails.
            if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
                app.quit = true;
                fx.push(Effect::Quit);
                return fx;
            }
            fx.extend(on_key(app, key));
        }
        Msg::Paste(text) => fx.extend(on_paste(app, &text)),
        Msg::Resize(w, h) => {
            app.size = (w, h);
            app.scroll_all();
        }
        Msg::Tick => {
            app.loads.tick();
            // While live updates are paused, so is the retry countdown.
            let due = !app.loads.paused && app.link.tick();
            if app.refreshing {
                app.refresh_ticks = app.refresh_ticks.saturating_add(1);
            }
            if app.has_store && due && !app.refreshing && !app.loads.paused {
                app.refreshing = true;
                app.refresh_ticks = 0;
                fx.push(Effect::Refresh);
            }
        }
        Msg::Refreshed(result) => {
            app.refreshing = false;
            match result {
                Ok(seq) => {
                    if let Some(back) = app.link.recover() {
                        app.ok(back);
                    }
                    let reload = std::mem::take(&mut app.link.reload);
                    if seq != app.snap.seq || !app.loaded || reload {
                        app.maybe_load(&mut fx);
                    }
                }
                Err(e) => app.link_failed(&e, false),
            }
        }
        Msg::Loaded { generation, result } => {
            let before = app.loads.shown.clone();
            let waited = app.loads.label.is_some();
            if !app.loads.finish(generation) {
                return fx;
            }
            match result {
                Ok(snap) => {
                    app.link.reload = false;
                    fx.extend(app.apply_snapshot(*snap, &before));
                }
                Err(e) => {
                    app.loads.shown = before;
                    if e.fault.of_link() {
                        app.link_failed(&e, waited);
                    } else {
                        app.error(format!("Cannot load: {e}"));
                    }
                }
            }
            if app.loads.again && !app.loads.in_flight {
                fx.push(app.load());
            }
        }
        Msg::AuditPage { generation, result } => {
            if !app.loads.finish_audit_page(generation) {
                return fx;
            }
            match result {
                Ok(rows) => app.add_older_audit(rows),
                Err(e) => {
                    if e.fault.of_link() {
                        app.link_failed(&e, false);
                    }
                    app.error(format!("Cannot load older events: {e}"));
                }
            }
        }
        Msg::DetailLoaded { generation, result } => {
            if generation != app.detail_gen {
                return fx;
            }
            match (result, app.detail.as_mut()) {
                (Ok(d), Some(view)) => {
                    view.data = Some(d);
                    super::outbox::mark(app);
                }
                (Err(e), _) => {
                    if e.fault.of_link() {
                        // Shown again from the reload once the backend answers.
                        app.link_failed(&e, false);
                    }
                    app.error(format!("Cannot load the details: {e}"));
                }
                _ => {}
            }
        }
        Msg::Progress { op, done, total } => {
            if let Some(b) = app.busy.as_mut().filter(|b| b.op == op) {
                b.done = done;
                b.total = total;
            }
        }
        Msg::Ran { op, report } => {
            if app.busy.as_ref().is_some_and(|b| b.op == op) {
                app.busy = None;
            }
            // No answer, or the token refused: the connection is in trouble too (the
            // run's own sentence, set next, keeps the result line).
            if let Some(cause) = report
                .cause
                .as_ref()
                .filter(|c| matches!(c.fault, Fault::Offline | Fault::Unauthorized))
            {
                app.link_failed(&cause.clone(), false);
            }
            fx.extend(super::finished::finished(app, report));
            app.maybe_load(&mut fx);
        }
        Msg::StoreReady(result) => match result {
            Ok(who) => {
                app.has_store = true;
                app.link = Link::new(format!("file:{}", app.store_path.display()));
                app.modal = None;
                if let Some(w) = who {
                    app.who = w;
                }
                app.ok(format!("Created the store at {}", app.store_path.display()));
                app.maybe_load(&mut fx);
            }
            Err(e) => {
                app.busy = None;
                app.error(format!("Could not create the store: {e}"));
            }
        },
        Msg::Previewed { op, plan, verdicts } => {
            fx.extend(super::preview::previewed(app, op, *plan, verdicts));
        }
        Msg::InviteChecked { email, verdict } => {
            if let Some(Modal::Wizard(w)) = app.modal.as_mut()
                && w.email.text(0) == email
                && let super::msg::Verdict::Refused(why) = verdict
                && why.to_lowercase().contains(&email.to_lowercase())
            {
                // Only what is about the email: the rest may change in later steps.
                w.step = 0;
                w.note = Some(why);
            }
        }
        Msg::SignedIn(result) => super::sign_in::signed_in(app, result, &mut fx),
        Msg::Matched {
            tab,
            generation,
            answer,
        } => app.matched(tab, generation, *answer),
        Msg::Resolved(result) => match result {
            Ok(who) => {
                app.who = who;
                app.detail = None;
                app.load_for("Switching identity".into(), &mut fx);
            }
            Err(e) => app.error(e.to_string()),
        },
    }
    fx
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.code == KeyCode::Esc
        && let Some(b) = app.busy.as_mut()
        && matches!(app.modal, None | Some(Modal::Start))
    {
        if b.cancelling {
            return vec![];
        }
        b.cancelling = true;
        let op = b.op;
        app.info("Cancelling after the current row…");
        return vec![Effect::Cancel { op }];
    }
    if key.code == KeyCode::Esc
        && app.modal.is_none()
        && app.filtering.is_none()
        && app.abandon_load()
    {
        return vec![];
    }
    if app.modal.is_some() {
        return on_modal_key(app, key);
    }
    if app.filtering.is_some() {
        return on_filter_key(app, key);
    }
    let Some(action) = app.config.keymap.action(&app.contexts(), &key) else {
        return vec![];
    };
    on_action(app, action)
}

/// Pasted text goes into the focused text input, character by character as typed
/// (line breaks become spaces); anywhere else it is ignored, never run as keys.
fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
    let takes_text = match &app.modal {
        Some(Modal::Form { form, .. }) => form.focused_text(),
        Some(Modal::Wizard(w)) => w.form().is_some_and(|f| f.focused_text()),
        Some(Modal::Picker { .. } | Modal::Command(_) | Modal::SignIn(_)) => true,
        None => app.filtering.is_some(),
        Some(_) => false,
    };
    if !takes_text {
        app.info("Pasted text ignored: there is no text field here (press / to filter)");
        return vec![];
    }
    let mut fx = vec![];
    for c in text.chars() {
        let c = if c.is_control() { ' ' } else { c };
        fx.extend(on_key(
            app,
            KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
        ));
    }
    fx
}

fn on_filter_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => {
            app.filtering = None;
            app.current().filter_text().clear();
            return app.filter_changed(false);
        }
        KeyCode::Enter => app.filtering = None,
        KeyCode::Down => {
            app.current().keep_cursor();
            app.current().move_by(1);
            let h = app.list_height();
            app.current().scroll(h);
        }
        KeyCode::Up => {
            app.current().keep_cursor();
            app.current().move_by(-1);
            let h = app.list_height();
            app.current().scroll(h);
        }
        _ => {
            let Some(input) = app.filtering.as_mut() else {
                return vec![];
            };
            if input.handle_event(&TermEvent::Key(key)).is_some() {
                let text = input.value().to_string();
                *app.current().filter_text() = text;
                // As in fzf: while typing, the cursor sits on the best match.
                return app.filter_changed(true);
            }
        }
    }
    vec![]
}

fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    let page = app.list_height().max(1) as isize;
    if let Some(fx) = super::outbox::on_action(app, action) {
        return fx;
    }
    if app.detail.is_some() {
        match action {
            Action::Back => {
                app.detail = None;
                return vec![];
            }
            Action::Down
            | Action::Up
            | Action::PageDown
            | Action::PageUp
            | Action::Top
            | Action::Bottom => {
                let rows = app.detail_rows();
                if let Some(d) = app.detail.as_mut() {
                    let last = d.lines().saturating_sub(rows);
                    d.scroll = match action {
                        Action::Down => d.scroll.saturating_add(1),
                        Action::Up => d.scroll.saturating_sub(1),
                        Action::PageDown => d.scroll.saturating_add(rows),
                        Action::PageUp => d.scroll.saturating_sub(rows),
                        Action::Bottom => last,
                        _ => 0,
                    }
                    .min(last);
                }
                return vec![];
            }
            _ => {}
        }
    }
    let tabs = app.snap.areas.clone();
    let pos = tabs.iter().position(|t| *t == app.tab).unwrap_or(0);
    let mut moved = true;
    match action {
        Action::Quit => {
            app.quit = true;
            return vec![Effect::Quit];
        }
        Action::Help => app.modal = Some(Modal::Help { scroll: 0 }),
        Action::Command => {
            // Opens empty; earlier lines are on ↑.
            app.modal = Some(Modal::Command(CmdLine {
                remote: app.link.remote,
                history: app.cmd_history.clone(),
                ..CmdLine::default()
            }))
        }
        Action::NextTab if !tabs.is_empty() => app.switch_tab(tabs[(pos + 1) % tabs.len()]),
        Action::PrevTab if !tabs.is_empty() => {
            app.switch_tab(tabs[(pos + tabs.len() - 1) % tabs.len()])
        }
        a if a.tab_index().is_some() => {
            let i = a.tab_index().unwrap_or(0);
            match tabs.get(i) {
                Some(t) => app.switch_tab(*t),
                None => app.info(format!("There are {} tabs here", tabs.len())),
            }
        }
        Action::Reload => {
            let mut fx = vec![];
            app.reload_now(&mut fx);
            return fx;
        }
        Action::Up => app.current().move_by(-1),
        Action::Down => app.current().move_by(1),
        Action::PageUp => app.current().move_by(-page),
        Action::PageDown => app.current().move_by(page),
        Action::Top => app.current().top(),
        Action::Bottom => app.current().bottom(),
        Action::Filter => {
            let text = app.current().filter_text().clone();
            app.filtering = Some(Input::new(text));
            return app.filter_opened();
        }
        Action::Sort => {
            app.current().cycle_sort();
            app.refilter_current();
        }
        Action::Reverse => {
            app.current().reverse();
            app.refilter_current();
        }
        Action::Mark => {
            app.current().toggle_mark();
            app.current().move_by(1);
        }
        Action::MarkAll => app.current().toggle_mark_all(),
        Action::Back => {
            let l = app.current();
            let filtered = !l.filter_text().is_empty();
            let had = l.marks() > 0 || filtered;
            l.clear_marks();
            l.filter_text().clear();
            if filtered {
                // A large list is matched off the UI thread (small ones at once).
                let fx = app.filter_changed(false);
                if !fx.is_empty() {
                    return fx;
                }
            } else {
                app.refilter_current();
            }
            if !had {
                moved = false;
            }
        }
        _ => {
            moved = false;
        }
    }
    if moved {
        let h = app.list_height();
        app.current().scroll(h);
        if app.tab == Area::Audit && app.follow && app.audit.cursor > 0 {
            // Reading further down: new events must not pull the cursor back up.
            app.follow = false;
        }
        if matches!(action, Action::Down | Action::PageDown | Action::Bottom) {
            return app.maybe_older_audit();
        }
        return vec![];
    }
    super::actions::act(app, action)
}

fn on_modal_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let Some(modal) = app.modal.take() else {
        return vec![];
    };
    match modal {
        Modal::Help { scroll } => {
            let scroll = match key.code {
                KeyCode::Down | KeyCode::Char('j') => scroll.saturating_add(1),
                KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
                KeyCode::PageDown | KeyCode::Char(' ') => scroll.saturating_add(10),
                KeyCode::PageUp => scroll.saturating_sub(10),
                KeyCode::Char('g') | KeyCode::Home => 0,
                _ => return vec![],
            };
            app.modal = Some(Modal::Help { scroll });
            vec![]
        }
        Modal::Results(mut r) => {
            match key.code {
                KeyCode::Down | KeyCode::Char('j') => r.scroll = r.scroll.saturating_add(1),
                KeyCode::Up | KeyCode::Char('k') => r.scroll = r.scroll.saturating_sub(1),
                KeyCode::PageDown => r.scroll = r.scroll.saturating_add(10),
                KeyCode::PageUp => r.scroll = r.scroll.saturating_sub(10),
                _ => return vec![],
            }
            app.modal = Some(Modal::Results(r));
            vec![]
        }
        Modal::Confirm {
            dialog,
            title,
            jobs,
            stop,
        } => match dialog.handle(&key) {
            Answer::Yes => {
                let stop = stop
                    || jobs.len() > 1
                        && jobs
                            .iter()
                            .any(|j| matches!(j.cmd, Command::TransferOwnership { .. }));
                app.commit(title, jobs, stop)
            }
            Answer::No => {
                app.info("Cancelled: nothing was changed");
                // A form's save that was asked about comes back as typed.
                super::preview::reopen_form(app, "Not saved: change it, or Esc to leave".into());
                app.retry_wizard = None;
                vec![]
            }
            Answer::Undecided => {
                app.modal = Some(Modal::Confirm {
                    dialog,
                    title,
                    jobs,
                    stop,
                });
                vec![]
            }
        },
        Modal::Form { mut form, purpose } => match form.handle(&key) {
            FormEvent::Submit => super::submit::submit_form(app, form, purpose),
            FormEvent::Cancel => {
                app.info("Cancelled: nothing was changed");
                vec![]
            }
            FormEvent::None => {
                app.modal = Some(Modal::Form { form, purpose });
                vec![]
            }
        },
        Modal::Wizard(w) => on_wizard_key(app, w, key),
        Modal::Picker {
            mut picker,
            purpose,
        } => match picker.handle(&key) {
            Picked::Cancel => {
                app.info("Cancelled: nothing was changed");
                vec![]
            }
            Picked::Chosen(v) => super::picked::picked(app, purpose, v),
            Picked::Nothing => {
                app.modal = Some(Modal::Picker { picker, purpose });
                vec![]
            }
        },
        Modal::Command(mut c) => {
            let event = c.handle(&key, &|verb| completions(app, verb));
            match event {
                CmdEvent::Cancel => vec![],
                CmdEvent::None => {
                    app.modal = Some(Modal::Command(c));
                    vec![]
                }
                CmdEvent::Run(line) => {
                    if !line.trim().is_empty() && app.cmd_history.last() != Some(&line) {
                        app.cmd_history.push(line.clone());
                    }
                    run_line(app, c, &line)
                }
            }
        }
        Modal::SignIn(s) => super::sign_in::on_key(app, s, key),
        Modal::Start => match key.code {
            KeyCode::Char('d') | KeyCode::Char('D') => {
                app.modal = Some(Modal::Start);
                if app.busy.is_some() {
                    return vec![];
                }
                app.busy = Some(Busy {
                    op: 0,
                    title: "Creating the demo store".into(),
                    done: 0,
                    total: 1,
                    cancelling: false,
                });
                vec![Effect::CreateStore {
                    path: app.store_path.clone(),
                    setup: Setup::Demo,
                    who: app.who.clone(),
                }]
            }
            KeyCode::Char('o') | KeyCode::Char('O') => {
                app.modal = Some(Modal::Form {
                    form: super::org::new_org_form(),
                    purpose: FormFor::NewOrg,
                });
                vec![]
            }
            KeyCode::Char('q') | KeyCode::Esc => {
                app.quit = true;
                vec![Effect::Quit]
            }
            _ => {
                app.modal = Some(Modal::Start);
                vec![]
            }
        },
    }
}

/// Runs a command line, or keeps it open with why it does not parse.
fn run_line(app: &mut App, mut c: CmdLine, line: &str) -> Vec<Effect> {
    match cmdline::parse(line) {
        Ok(cmd) => run_command(app, cmd),
        Err(e) => {
            c.error = Some(e);
            app.modal = Some(Modal::Command(c));
            vec![]
        }
    }
}

/// The invitation wizard's keys; leaving the email step checks the email with the core.
fn on_wizard_key(app: &mut App, mut w: Box<super::wizard::Wizard>, key: KeyEvent) -> Vec<Effect> {
    let was = w.step;
    let event = w.handle(&key);
    let mut fx_later = vec![];
    if was == 0 && w.step == 1 {
        // The email is checked with the core now, not after five steps.
        fx_later.push(Effect::CheckInvite {
            who: app.who.clone(),
            email: w.email.text(0),
            cmd: Box::new(w.command()),
        });
    }
    match event {
        WizardEvent::Cancel => {
            app.info("Invitation cancelled: nothing was sent");
            vec![]
        }
        WizardEvent::Send(cmd) => {
            let label = w.email.text(0);
            app.retry_wizard = Some(w.clone());
            app.run(
                format!("Invite {label}"),
                vec![Job { label, cmd: *cmd }],
                true,
            )
        }
        WizardEvent::None => {
            app.modal = Some(Modal::Wizard(w));
            fx_later
        }
    }
}

/// Completions for the command line's arguments (only computed on Tab).
fn completions(app: &App, verb: &str) -> Vec<String> {
    match verb {
        "org" => app
            .snap
            .orgs
            .iter()
            .map(|(_, slug, _)| slug.clone())
            .chain(["settings", "profile", "info", "create"].map(String::from))
            .collect(),
        "as" => app
            .users
            .all()
            .iter()
            .map(|u| u.account.email.clone())
            .collect(),
        _ => vec![],
    }
}

fn run_command(app: &mut App, cmd: Cmd) -> Vec<Effect> {
    let mut fx = vec![];
    // The result line shows the latest outcome only: an earlier error does not outlive
    // the next command.
    app.note = None;
    match cmd {
        Cmd::Tab(i) => app.switch_tab(Area::ALL[i]),
        Cmd::Org(slug) => match app
            .snap
            .orgs
            .iter()
            .find(|(_, s, _)| s.eq_ignore_ascii_case(&slug))
        {
            Some((id, _, _)) => open_org(app, *id, &mut fx),
            None => {
                let known: Vec<&str> = app.snap.orgs.iter().map(|(_, s, _)| s.as_str()).collect();
                app.error(format!(
                    "No organisation '{slug}' you can reach (you can reach: {})",
                    known.join(", ")
                ));
            }
        },
        Cmd::OrgPicker => fx.extend(super::org::picker(app)),
        Cmd::OrgCreate => fx.extend(super::org::create_form(app)),
        Cmd::OrgView => fx.extend(super::org::open_view(app)),
        Cmd::Settings => fx.extend(super::org::settings_form(app)),
        Cmd::Profile => fx.extend(super::org::profile_form(app)),
        Cmd::As(_) | Cmd::Operator if app.link.remote => {
            let who = app.who_label();
            app.error(format!(
                "On a server the token decides who acts: this console acts as {who}. To act as someone else, start roster with a token of theirs (roster token create)"
            ));
        }
        Cmd::As(email) => match app.org {
            Some(org) => fx.push(Effect::Resolve { org, email }),
            None => app.error("Open an organisation first (:org SLUG), then :as EMAIL"),
        },
        Cmd::Operator => {
            app.who = Principal::Operator;
            app.detail = None;
            app.load_for("Acting as the platform operator".into(), &mut fx);
        }
        Cmd::Invite => fx.extend(super::invite::act_invite(app)),
        Cmd::Pending => {
            app.switch_tab(Area::Users);
            app.pending_only = true;
            app.refilter_current();
        }
        Cmd::Reload => app.reload_now(&mut fx),
        Cmd::Help => app.modal = Some(Modal::Help { scroll: 0 }),
        Cmd::Quit => {
            app.quit = true;
            fx.push(Effect::Quit);
        }
    }
    fx
}
