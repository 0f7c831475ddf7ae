//! The Outbox (`M`): the organisation's invitation and password-reset mail with its
//! delivery status, and, for messages still kept next to a local store (delivered to
//! the maildir because no SMTP server is configured, or failed), the link to pass on.
//! Shown as a detail view over the current tab; every value is sanitised when drawn.
//! It is a list: j/k pick a message (marked `▶`), Enter shows it whole (`Esc` comes
//! back), `R` queues a failed one again with `RetryMail`.

use super::data::Target;
use super::detail_view::DetailView;
use super::keymap::Action;
use super::msg::{Effect, Job};
use super::state::App;
use super::state::detail_effect;
use crate::core::MailId;
use crate::core::mail::MailStatus;

/// Opens the outbox over the current tab.
pub fn open_view(app: &mut App) -> Vec<Effect> {
    let Some(org) = app.snap.org.id else {
        app.error("This account reaches no organisation");
        return vec![];
    };
    let target = Target::Outbox(org);
    app.outbox_pick = 0;
    app.detail = Some(DetailView {
        target,
        data: None,
        scroll: 0,
    });
    vec![detail_effect(app, target)]
}

/// The outbox's own keys: moving the pick, showing a message, retrying one; and Esc
/// from a message back to the list. `None`: not the outbox's (the detail view's then).
pub fn on_action(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let target = app.detail.as_ref()?.target;
    if let Target::OutboxMessage(..) = target {
        if action != Action::Back {
            return None;
        }
        // Back to the list, on the message that was open.
        let pick = app.outbox_pick;
        let fx = open_view(app);
        app.outbox_pick = pick;
        return Some(fx);
    }
    let Target::Outbox(org) = target else {
        return None;
    };
    let mails = picks(app);
    let last = mails.len().saturating_sub(1);
    match action {
        Action::Down | Action::Up | Action::Top | Action::Bottom => {
            app.outbox_pick = match action {
                Action::Down => (app.outbox_pick + 1).min(last),
                Action::Up => app.outbox_pick.saturating_sub(1),
                Action::Top => 0,
                _ => last,
            };
            mark(app);
            Some(vec![])
        }
        Action::Open => {
            let Some((id, _)) = mails.get(app.outbox_pick) else {
                return Some(vec![]);
            };
            let target = Target::OutboxMessage(org, *id);
            app.detail = Some(DetailView {
                target,
                data: None,
                scroll: 0,
            });
            Some(vec![detail_effect(app, target)])
        }
        Action::Retry => {
            let Some((id, failed)) = mails.get(app.outbox_pick).copied() else {
                return Some(vec![]);
            };
            if !failed {
                app.info(format!(
                    "Mail {id} has not failed: only a failed message is sent again"
                ));
                return Some(vec![]);
            }
            let jobs = vec![Job {
                label: id.to_string(),
                cmd: crate::core::Command::RetryMail { mail: id },
            }];
            Some(app.run(format!("Retry mail {id}"), jobs, true))
        }
        _ => None,
    }
}

/// The messages shown, in order, and whether each has failed (read from the view).
fn picks(app: &App) -> Vec<(MailId, bool)> {
    let Some(d) = app.detail.as_ref().and_then(|d| d.data.as_ref()) else {
        return vec![];
    };
    d.sections
        .iter()
        .filter_map(|s| {
            let title = s.title.trim_start_matches(MARK).trim_start();
            let id = title.split(' ').next()?.parse::<MailId>().ok()?;
            let failed = s
                .lines
                .iter()
                .any(|(k, v)| k == "Status" && v.starts_with(MailStatus::Failed.as_str()));
            Some((id, failed))
        })
        .collect()
}

const MARK: &str = "▶";

/// Marks the picked message, and scrolls so it is on screen.
pub fn mark(app: &mut App) {
    if !app.outbox_view() {
        return;
    }
    let count = picks(app).len();
    app.outbox_pick = app.outbox_pick.min(count.saturating_sub(1));
    let pick = app.outbox_pick;
    let rows = app.detail_rows();
    let Some(view) = app.detail.as_mut() else {
        return;
    };
    let Some(d) = view.data.as_mut() else {
        return;
    };
    // Where each section starts, as `DetailView::lines` counts them.
    let mut line = 0usize;
    let mut n = 0usize;
    let mut span = None;
    for (i, s) in d.sections.iter_mut().enumerate() {
        let start = line + usize::from(i > 0);
        line = start + usize::from(!s.title.is_empty()) + s.lines.len();
        let bare = s.title.trim_start_matches(MARK).trim_start().to_string();
        if bare
            .split(' ')
            .next()
            .is_some_and(|t| t.parse::<MailId>().is_ok())
        {
            s.title = if n == pick {
                span = Some((start, line));
                format!("{MARK} {bare}")
            } else {
                format!("  {bare}")
            };
            n += 1;
        }
    }
    if let Some((start, end)) = span {
        let (start, end) = (start as u16, end as u16);
        if start < view.scroll {
            view.scroll = start;
        } else if end > view.scroll.saturating_add(rows) {
            view.scroll = end.saturating_sub(rows).min(start);
        }
    }
}
