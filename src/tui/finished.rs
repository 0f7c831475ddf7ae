//! A run came back: say what happened, in the result line or a results popup, bring a
//! refused form back with its reason, and clear the marks of the rows done.

use super::dialogs::Report;
use super::modal::{FormFor, Modal};
use super::msg::Effect;
use super::state::App;

/// A run came back: say what happened, in the status line or a results popup.
pub fn finished(app: &mut App, report: Report) -> Vec<Effect> {
    let retry = app.take_retry_form();
    if report.stale {
        super::state::reopen_after_conflict(app);
        let reason = report
            .refused
            .first()
            .map(|r| r.1.clone())
            .unwrap_or_default();
        app.error(format!(
            "Not saved: {reason} — reloaded the current version"
        ));
        return vec![];
    }
    // The start screen's organisation form stays open until it works.
    if let Some(Modal::Form {
        purpose: FormFor::NewOrg,
        ..
    }) = &app.modal
    {
        app.modal = None;
    }
    let went_through = report.refused.is_empty() && report.failed.is_none() && !report.cancelled;
    if let Some(mut w) = app.retry_wizard.take()
        && !went_through
        && app.modal.is_none()
    {
        // Refused: the wizard comes back with everything typed and the reason.
        w.note = report
            .refused
            .first()
            .map(|r| r.1.clone())
            .or_else(|| report.failed.clone());
        app.modal = Some(Modal::Wizard(w));
    }
    if let Some((mut form, purpose)) = retry
        && !went_through
    {
        // Refused: the form comes back with what was typed and the reason.
        app.forget_open_slug();
        form.note = report
            .refused
            .first()
            .map(|r| r.1.clone())
            .or_else(|| report.failed.clone());
        if app.modal.is_none() {
            app.modal = Some(Modal::Form { form, purpose });
        }
    }
    let single = report.total == 1 && report.secrets.is_empty();
    if single {
        match (report.ok.first(), report.refused.first(), &report.failed) {
            (Some(_), _, _) => {
                app.ok(format!("✓ {}", report.title));
                clear_marks(app);
            }
            (_, Some((_, why)), _) => app.error(format!("✗ {}: {why}", report.title)),
            (_, _, Some(f)) => app.error(format!("✗ {}: {f}", report.title)),
            _ if report.cancelled => app.info(format!("{}: cancelled", report.title)),
            _ => {}
        }
        return vec![];
    }
    if report.refused.is_empty()
        && report.failed.is_none()
        && !report.cancelled
        && report.secrets.is_empty()
    {
        app.ok(format!("✓ {}", report.headline()));
        // Done rows are no longer marked: the next bulk action starts fresh.
        clear_marks(app);
        return vec![];
    }
    if report.refused.is_empty() && report.failed.is_none() {
        app.ok(format!("✓ {}", report.headline()));
    } else {
        app.error(report.headline());
    }
    clear_marks(app);
    app.modal = Some(Modal::Results(report));
    vec![]
}

fn clear_marks(app: &mut App) {
    app.current().clear_marks();
}
