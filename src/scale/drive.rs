//! Drives the console's state machine synchronously against a backend, as the runtime
//! does but without a terminal or threads: what the benchmark needs to time a
//! keystroke from message to drawn frame.

use crate::backend::Backend;
use crate::tui::app::{self, App, Effect, Msg};
use crate::tui::effects;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::atomic::AtomicBool;

/// Runs effects (and the effects their answers cause) until none are left.
pub fn settle(app: &mut App, backend: &dyn Backend, mut pending: Vec<Effect>) {
    let cancel = AtomicBool::new(false);
    let mut queue = std::collections::VecDeque::from(std::mem::take(&mut pending));
    while let Some(effect) = queue.pop_front() {
        if matches!(effect, Effect::Quit | Effect::CreateStore { .. }) {
            continue;
        }
        let mut progress = vec![];
        let answer = effects::perform(backend, &effect, &cancel, &mut |m| progress.push(m));
        for m in progress {
            queue.extend(app::update(app, m));
        }
        if let Some(m) = answer {
            queue.extend(app::update(app, m));
        }
    }
}

/// Feeds one message and runs what it causes.
pub fn send(app: &mut App, backend: &dyn Backend, msg: Msg) {
    let fx = app::update(app, msg);
    settle(app, backend, fx);
}

/// Draws one frame on an in-memory terminal.
pub fn draw(app: &App, term: &mut Terminal<TestBackend>) {
    let _ = term.draw(|f| crate::tui::view::draw(app, f));
}
