//! The core's verdicts on a plan came back (`Msg::Previewed`): ask once, listing per
//! target what will happen and what will be refused, or say the refusal at once when
//! nothing would go through — never after a `y`.

use super::dialogs::Report;
use super::modal::Modal;
use super::msg::{Effect, Plan, Verdict};
use super::preview_rule::{Decided, decide};
use super::state::App;

pub fn previewed(app: &mut App, op: u64, plan: Plan, verdicts: Vec<Verdict>) -> Vec<Effect> {
    if app.busy.as_ref().is_none_or(|b| b.op != op) {
        // Overtaken (cancelled with Esc): ask nothing.
        return vec![];
    }
    let cancelled = app.busy.take().is_some_and(|b| b.cancelling);
    if cancelled {
        app.info("Cancelled: nothing was changed");
        return vec![];
    }
    if let Some(f) = verdicts.iter().find_map(|v| match v {
        Verdict::Failed(f) => Some(f.clone()),
        _ => None,
    }) {
        app.error(format!("✗ {}: {f}", plan.title));
        reopen_form(app, f);
        return vec![];
    }
    let title = plan.title.clone();
    let total = plan.jobs.len();
    let stop = plan.stop_on_refusal;
    match decide(plan, &verdicts) {
        Decided::AllRefused(refused) => {
            if let [(_, why)] = refused.as_slice() {
                app.error(format!("✗ {title}: {why}"));
                reopen_form(app, why.clone());
            } else {
                let report = Report {
                    title: title.clone(),
                    total,
                    refused,
                    ..Default::default()
                };
                app.error(format!("{}: nothing was changed", report.headline()));
                app.modal = Some(Modal::Results(report));
            }
        }
        Decided::Ask { ask, jobs } => {
            app.modal = Some(Modal::Confirm {
                dialog: ask,
                title,
                jobs,
                stop,
            });
        }
    }
    vec![]
}

/// A form whose save the core would refuse comes back as typed, with the reason.
pub fn reopen_form(app: &mut App, why: String) {
    if let Some((mut form, purpose)) = app.retry_form.take() {
        form.note = Some(why);
        app.modal = Some(Modal::Form { form, purpose });
    }
}
