//! Reading a password: from standard input (`--password-stdin`, for scripts), or asked
//! for on the terminal without echo. Never from the command line, where other users'
//! `ps` and the shell history would see it.

use super::fail::{Failure, Outcome};
use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use crossterm::terminal;
use std::io::{BufRead, IsTerminal, Write};

/// The password, from stdin when `from_stdin`, else asked for on the terminal (twice when
/// `confirm`, for a new password).
pub fn read(from_stdin: bool, what: &str, confirm: bool) -> Outcome<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| {
            Failure::msg(format!("cannot read the password from standard input: {e}"))
        })?;
        let pw = line.trim_end_matches(['\n', '\r']).to_string();
        if pw.is_empty() {
            return Err(Failure::msg("standard input held no password"));
        }
        return Ok(pw);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::msg(
            "there is no terminal to ask for the password on: pass --password-stdin and send it on standard input",
        ));
    }
    let first = ask(&format!("{what}: "))?;
    if confirm {
        let again = ask(&format!("{what} again: "))?;
        if again != first {
            return Err(Failure::msg(
                "the two passwords differ: nothing was changed",
            ));
        }
    }
    Ok(first)
}

/// One line typed without echo.
fn ask(prompt: &str) -> Outcome<String> {
    let mut err = std::io::stderr();
    let _ = write!(err, "{prompt}");
    let _ = err.flush();
    terminal::enable_raw_mode()
        .map_err(|e| Failure::msg(format!("cannot switch off the terminal's echo: {e}")))?;
    let typed = typed();
    let _ = terminal::disable_raw_mode();
    let _ = writeln!(err);
    typed
}

fn typed() -> Outcome<String> {
    let mut pw = String::new();
    loop {
        let ev =
            event::read().map_err(|e| Failure::msg(format!("cannot read the terminal: {e}")))?;
        let Event::Key(k) = ev else { continue };
        if k.kind == KeyEventKind::Release {
            continue;
        }
        match k.code {
            KeyCode::Enter => return Ok(pw),
            KeyCode::Esc => return Err(Failure::msg("cancelled: nothing was changed")),
            KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                return Err(Failure::msg("cancelled: nothing was changed"));
            }
            KeyCode::Backspace => {
                pw.pop();
            }
            KeyCode::Char(c) => pw.push(c),
            _ => {}
        }
    }
}
