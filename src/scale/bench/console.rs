//! The console's figures on one store, measured in a fresh process (`roster bench
//! --probe-console STORE`, run by the bench) so its memory is the console's alone:
//! open → first frame of the Users tab, a filter keystroke → redrawn frame, one frame
//! of each tab, peak memory.
//!
//! A keystroke in the filter of a large list answers in two steps (`tui::matching`):
//! the frame drawn at once (the list still showing the previous rows, marked as
//! matching) and, once the match effect has run, the frame with the new rows. Both
//! are timed from the key: `filter` (key → frame) and `filter_complete` (key →
//! results complete). For a small list the two are one and the same frame.

use super::mem;
use super::stats::{Stats, ms};
use crate::backend::file::FileStore;
use crate::backend::{self, Backend, BackendError};
use crate::core::Principal;
use crate::core::query::Area;
use crate::scale::drive::{draw, send, settle};
use crate::tui::app::{App, Msg, Start};
use crate::tui::config::Config;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;

pub const WIDTH: u16 = 120;
pub const HEIGHT: u16 = 40;

/// The keystrokes of the filter measurement, after `/`: a name typed letter by letter,
/// corrected, then a CJK name, as someone looking people up does.
pub const FILTER_SCRIPT: &str = "lucia\x08\x08\x08\x08\x08garcía\x08\x08\x08\x08\x08\x08山田";

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ConsoleProbe {
    pub accounts: usize,
    /// Opening the store (snapshot read, indexes, invariant check).
    pub open_ms: f64,
    /// From nothing to the first frame of the Users tab drawn (open included).
    pub first_frame_ms: f64,
    /// Key → the frame drawn at once (update + draw, a match effect not yet run).
    pub filter: Stats,
    /// Key → the frame with the new rows (the match effect run, its answer applied and
    /// drawn).
    #[serde(default)]
    pub filter_complete: Stats,
    /// (tab, milliseconds to draw one frame of it).
    pub tabs: Vec<(String, f64)>,
    pub rss_before: u64,
    pub rss_after_open: u64,
    pub peak_rss: u64,
}

pub fn probe(store: &Path) -> Result<ConsoleProbe, BackendError> {
    let rss_before = mem::rss();
    let started = Instant::now();
    let fs = FileStore::open(store)?;
    let open_ms = ms(started.elapsed());
    let backend: &dyn Backend = &fs;
    let (org, who, accounts) = backend::query(backend, |d| {
        let org = d.orgs.values().next().map(|o| o.id);
        let who = org
            .and_then(|o| d.owner_of(o))
            .map(|a| Principal::Account { id: a.id })
            .unwrap_or(Principal::Operator);
        (org, who, d.accounts.len())
    })?;
    let (mut app, first) = App::new(Start {
        config: Config::from_toml("", false).0,
        warnings: vec![],
        store_path: store.to_path_buf(),
        has_store: true,
        backend: backend.describe(),
        who,
        org,
        size: (WIDTH, HEIGHT),
    });
    settle(&mut app, backend, first);
    let mut term = Terminal::new(TestBackend::new(WIDTH, HEIGHT))
        .map_err(|e| BackendError::Io(format!("cannot make a test terminal: {e}")))?;
    draw(&app, &mut term);
    let first_frame_ms = ms(started.elapsed());
    let rss_after_open = mem::rss();

    let (mut samples, mut complete) = (vec![], vec![]);
    send(&mut app, backend, key(KeyCode::Char('/')));
    for c in FILTER_SCRIPT.chars() {
        let code = if c == '\x08' {
            KeyCode::Backspace
        } else {
            KeyCode::Char(c)
        };
        let t = Instant::now();
        let effects = crate::tui::app::update(&mut app, key(code));
        draw(&app, &mut term);
        samples.push(ms(t.elapsed()));
        settle(&mut app, backend, effects);
        draw(&app, &mut term);
        complete.push(ms(t.elapsed()));
    }
    send(&mut app, backend, key(KeyCode::Esc));
    let filter = Stats::of(&mut samples);
    let filter_complete = Stats::of(&mut complete);

    let mut tabs = vec![];
    for (i, area) in Area::ALL.iter().enumerate() {
        let digit = char::from_digit(i as u32 + 1, 10).unwrap_or('1');
        send(&mut app, backend, key(KeyCode::Char(digit)));
        if app.tab != *area {
            continue; // not offered to this principal
        }
        // Best of a few: the frame's own cost, not a page fault's.
        let mut best = f64::MAX;
        for _ in 0..5 {
            let t = Instant::now();
            draw(&app, &mut term);
            best = best.min(ms(t.elapsed()));
        }
        tabs.push((format!("{area:?}"), best));
    }
    Ok(ConsoleProbe {
        accounts,
        open_ms,
        first_frame_ms,
        filter,
        filter_complete,
        tabs,
        rss_before,
        rss_after_open,
        peak_rss: mem::peak_rss(),
    })
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}
