//! The full-screen console.
//!
//! `app` is a pure state machine (`update(&mut App, Msg) -> Vec<Effect>`), `view`
//! draws it, `runtime` owns the terminal and runs effects on tokio, `effects` turns an
//! effect into backend calls. Everything else is one concept per file.
//!
//! The files form layers; a file uses only files of the layers below it, never one
//! that uses it back:
//! - vocabulary: `msg` (Msg, Effect), `modal`, `feedback`, `detail_view`, `keys`,
//!   `sign_in_form`, `sections`, `item`, and the widgets' own state (`form`, `dialogs`,
//!   `wizard`, `cmdline`, `filter`, `link`, `fault`, `text`, `layout`), `preview_rule`;
//! - data: `rows`, `snapshot`, `details`, `outbox_detail` (gathered by `data`), lists
//!   (`sort_order`, `matching`, `list`), `loading`, `keymap`, `config`;
//! - state: `state` (the global `App`), then what acts on it: `tab_lists`,
//!   `live_filter`, `reload`, `org`, `outbox`, `sign_in`, `invite`, `jobs`, the tabs'
//!   own keys (`tabs/`), `actions`, `submit`, `picked`, `finished`, `preview` (the answer to a
//!   plan decided first; its rules are vocabulary, in `preview_rule`);
//! - top: `app` (`update`), `view`, `effects`, `runtime`.

pub mod actions;
pub mod app;
pub mod cmdline;
pub mod config;
pub mod data;
pub mod detail_view;
pub mod details;
pub mod dialogs;
pub mod effects;
pub mod fault;
pub mod feedback;
pub mod filter;
pub mod finished;
pub mod form;
pub mod invite;
pub mod item;
pub mod jobs;
pub mod key_table;
pub mod keymap;
pub mod keys;
pub mod layout;
pub mod letter_mask;
pub mod link;
pub mod list;
pub mod live_filter;
pub mod loading;
pub mod matching;
pub mod modal;
pub mod msg;
pub mod org;
pub mod outbox;
pub mod outbox_detail;
pub mod picked;
pub mod preview;
pub mod preview_rule;
pub mod reload;
pub mod rows;
pub mod runtime;
pub mod sections;
pub mod sign_in;
pub mod sign_in_form;
pub mod snapshot;
pub mod sort_order;
pub mod state;
pub mod submit;
pub mod tab_lists;
pub mod tabs;
pub mod text;
#[cfg(test)]
mod user_sort_tests;
pub mod view;
pub mod wizard;

pub use runtime::Launch;

/// Runs the console until the user quits. The terminal is restored on every exit path.
pub fn run(launch: Launch) -> color_eyre::Result<()> {
    runtime::run(launch)
}
