//! `roster` with no command: the full-screen console, when there is a terminal to draw
//! it on. `main` and `roster demo` both start it from here.

use super::args::Global;
use super::context;
use super::fail::{Failure, Outcome, fail};
use std::io::IsTerminal;

/// True when there is a terminal to draw the console on.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// `roster` alone opens the full-screen console. Without a store the console offers to
/// create one; without a terminal there is nothing to draw on, so say what to do.
pub fn console(global: &Global) -> Outcome {
    if !interactive() {
        return fail(
            "the console needs a terminal: run `roster --help` for the commands that work in scripts",
        );
    }
    let launch = context::launch(global)?;
    crate::tui::run(launch).map_err(Failure::Unexpected)
}
