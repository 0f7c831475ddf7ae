//! Turning rows into a run's jobs: the rows an action applies to (the marked ones,
//! else the selected one), a job with its label, and counted nouns for titles.

use super::msg::{Effect, Job};
use super::state::App;
use crate::core::Command;

pub(super) fn job(label: impl Into<String>, cmd: Command) -> Job {
    Job {
        label: label.into(),
        cmd,
    }
}

pub(super) fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// Rows an action applies to: the marked ones, else the selected one (only the
/// selected one from a detail view).
pub(super) fn targets<R: super::list::Item + Clone>(
    list: &super::list::List<R>,
    in_detail: bool,
) -> Vec<R> {
    if in_detail {
        list.selected().cloned().into_iter().collect()
    } else {
        list.targets().into_iter().cloned().collect()
    }
}

pub(super) fn nothing(app: &mut App) -> Option<Vec<Effect>> {
    app.info("Nothing selected");
    Some(vec![])
}
