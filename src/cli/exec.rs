//! Running changes: one command or many (bulk), each decided by the core through the
//! backend, reported item by item ("✓ disabled a@x", "✗ b@x: you cannot disable
//! yourself"), then a summary line. `--dry-run` asks the backend to decide without
//! committing; the report is the same, marked as a dry run.

use super::context::Ctx;
use super::fail::{Exit, Failure, Outcome, backend_message, exit_of, is_fatal};
use super::output::{json, say, warn};
use crate::core::summary::summary;
use crate::core::{Command, Directory, Principal, Recorded};
use serde_json::{Map, Value, json as j};

/// One change to make: what it is about (for the report) and the command, or why the
/// command could not even be built (an unknown email, say).
pub struct Change {
    pub target: String,
    pub cmd: Result<Command, String>,
    /// The secret of the link the command sends, for a server to mail it.
    pub link_secret: Option<String>,
}

impl Change {
    pub fn new(target: impl Into<String>, cmd: Result<Command, String>) -> Self {
        Change {
            target: target.into(),
            cmd,
            link_secret: None,
        }
    }

    /// A change whose command sends a link made from `secret`.
    pub fn with_link(mut self, secret: &str) -> Self {
        self.link_secret = Some(secret.to_string());
        self
    }
}

/// What a successful change did.
pub struct Applied<'a> {
    pub target: &'a str,
    pub events: &'a [Recorded],
}

/// Extra output a command adds to a successful item (an invitation's link, say).
#[derive(Default)]
pub struct Notes {
    pub lines: Vec<String>,
    pub fields: Map<String, Value>,
}

/// Runs the changes and reports them.
pub fn apply(ctx: &Ctx, who: &Principal, changes: Vec<Change>) -> Outcome {
    apply_with(ctx, who, changes, |_, _| Ok(()))
}

/// Runs the changes one by one and reports each; `note` may add output for a success.
/// Ends in a failure when anything was refused: a single item's own exit code (README
/// "Exit codes"), exit 1 for a bulk command.
pub fn apply_with(
    ctx: &Ctx,
    who: &Principal,
    changes: Vec<Change>,
    mut note: impl FnMut(&Applied, &mut Notes) -> Outcome,
) -> Outcome {
    let single = changes.len() == 1;
    // A private copy of the state, advanced with each item's events, so every summary
    // names things as they were just before that event.
    let mut shadow = ctx.read(|d| d.clone())?;
    let mut results = vec![];
    let (mut ok, mut refused) = (0usize, 0usize);
    let mut single_refusal = None;
    for change in changes {
        let outcome = match change.cmd {
            Ok(cmd) => match match &change.link_secret {
                Some(s) if !ctx.dry_run => ctx.backend.execute_with_link(who, &cmd, s),
                _ => ctx.backend.execute(who, &cmd, ctx.dry_run),
            } {
                Ok(events) => Ok(events),
                Err(e) if is_fatal(&e) => return Err(e.into()),
                Err(e) => Err((exit_of(&e), backend_message(&e))),
            },
            // The command could not be built: a name on the command line is unknown.
            Err(reason) => Err((Exit::NotFound, reason)),
        };
        match outcome {
            Ok(events) => {
                ok += 1;
                let lines = summarise(&mut shadow, &events);
                let mut notes = Notes::default();
                note(
                    &Applied {
                        target: &change.target,
                        events: &events,
                    },
                    &mut notes,
                )?;
                if ctx.json {
                    let mut item = Map::new();
                    item.insert("target".into(), j!(change.target));
                    item.insert("ok".into(), j!(true));
                    item.insert("summaries".into(), j!(lines));
                    item.insert(
                        "events".into(),
                        // Secret and password hashes stay in the store, as on the server.
                        serde_json::to_value(
                            events
                                .iter()
                                .map(crate::core::visibility::redact_event)
                                .collect::<Vec<_>>(),
                        )
                        .map_err(|e| Failure::Unexpected(e.into()))?,
                    );
                    item.extend(notes.fields);
                    results.push(Value::Object(item));
                } else {
                    print_success(ctx.dry_run, &lines);
                    notes.lines.iter().for_each(say);
                }
            }
            Err((code, reason)) => {
                refused += 1;
                if ctx.json {
                    results.push(j!({ "target": change.target, "ok": false, "error": reason }));
                }
                if single {
                    single_refusal = Some((code, reason));
                } else {
                    warn(format!("✗ {}: {reason}", change.target));
                }
            }
        }
    }
    if ctx.json {
        json(&j!({ "dry_run": ctx.dry_run, "results": results }))?;
    } else if !single {
        let line = if ctx.dry_run {
            format!("{ok} would be done, {refused} would be refused")
        } else {
            format!("{ok} done, {refused} refused")
        };
        say(line);
    }
    if ctx.dry_run && !ctx.json && ok > 0 {
        say("dry run: nothing was changed");
    }
    match single_refusal {
        Some((Exit::Refused, reason)) => Err(Failure::Message(reason)),
        Some((code, reason)) => Err(Failure::Coded(code, reason)),
        None if refused > 0 => Err(Failure::Reported),
        None => Ok(()),
    }
}

fn print_success(dry_run: bool, lines: &[String]) {
    let mark = if dry_run { "✓ [dry run]" } else { "✓" };
    let mut it = lines.iter();
    match it.next() {
        Some(first) => say(format!("{mark} {first}")),
        None => say(format!("{mark} nothing to do")),
    }
    for l in it {
        say(format!("  {l}"));
    }
}

/// One line per event, each against the state just before it.
fn summarise(shadow: &mut Directory, events: &[Recorded]) -> Vec<String> {
    events
        .iter()
        .map(|rec| {
            let line = summary(shadow, rec);
            shadow.apply(rec);
            line
        })
        .collect()
}
