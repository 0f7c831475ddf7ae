//! `roster completions SHELL` and `roster man [DIR]`: the command tree as shell
//! completion scripts (clap_complete) and roff manual pages (clap_mangen), generated
//! from the same clap definition the parser uses, so they never drift from it.

use super::args::Cli;
use super::fail::{Failure, Outcome};
use super::output::say;
use clap::CommandFactory;
use std::path::Path;

/// Prints the completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> Outcome {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut cmd, "roster", &mut out);
    Ok(())
}

/// Writes one page per command into `dir`, or the top page on stdout.
pub fn man(dir: Option<&Path>) -> Outcome {
    let cmd = Cli::command();
    let io = |what: String| move |e: std::io::Error| Failure::msg(format!("{what}: {e}"));
    match dir {
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(cmd)
                .render(&mut out)
                .map_err(io("cannot write the manual page".into()))
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(io(format!("cannot create {}", dir.display())))?;
            clap_mangen::generate_to(cmd, dir).map_err(io(format!(
                "cannot write manual pages to {}",
                dir.display()
            )))?;
            say(format!("✓ wrote manual pages to {}", dir.display()));
            Ok(())
        }
    }
}
