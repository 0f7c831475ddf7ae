//! The full-screen console.
//!
//! `app` is a pure state machine (`update(&mut App, Msg) -> Vec<Effect>`), `view`
//! draws it, `runtime` owns the terminal and runs effects on tokio, `effects` turns an
//! effect into backend calls. Everything else is one concept per file.

pub mod actions;
pub mod app;
pub mod cmdline;
pub mod config;
pub mod data;
pub mod dialogs;
pub mod effects;
pub mod fault;
pub mod filter;
pub mod form;
pub mod keymap;
pub mod letter_mask;
pub mod link;
pub mod list;
pub mod live_filter;
pub mod loading;
pub mod matching;
pub mod org;
pub mod outbox;
pub mod runtime;
pub mod sign_in;
pub mod text;
#[cfg(test)]
mod user_sort_tests;
pub mod view;
pub mod wizard;

use crate::backend::Backend;
use crate::core::{OrgId, Principal};
use std::path::PathBuf;
use std::sync::Arc;

/// Everything the console needs to start, resolved by the command line.
pub struct Launch {
    /// `None` when no store exists yet: the console offers to create one at `store_path`.
    pub backend: Option<Arc<dyn Backend>>,
    pub store_path: PathBuf,
    pub principal: Principal,
    /// The organisation to open on (`--org`); otherwise the principal's own or the first.
    pub org: Option<OrgId>,
    /// A server but no token: open on the sign-in screen.
    pub sign_in: Option<sign_in::SignInTarget>,
}

/// Runs the console until the user quits. The terminal is restored on every exit path.
pub fn run(launch: Launch) -> color_eyre::Result<()> {
    runtime::run(launch)
}
