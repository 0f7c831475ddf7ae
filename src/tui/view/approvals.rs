//! The Approvals tab: the queue, oldest first, with a pane that says who asked for
//! what and when. `a`/`r` decide and move on, so a queue is cleared from the keyboard.

use super::super::app::App;
use super::super::data::{RequestRow, Section};
use super::super::text::when;
use super::layout::list_and_pane;
use super::widgets::{TableSpec, boxed, cell, col, list_table, paragraph, sections, styled};
use crate::core::RequestStatus;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Span;

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let theme = &app.config.theme;
    let (list_area, pane) = list_and_pane(area);
    let list = &app.requests;
    let pending = app.snap.pending.requests;
    let mut title = vec![Span::styled("Approvals", theme.accent())];
    title.push(Span::raw(if app.show_decided {
        " · all requests"
    } else {
        " · pending, oldest first"
    }));
    if pending > 0 {
        title.push(Span::raw(" "));
        title.push(Span::styled(format!(" {pending} pending "), theme.badge()));
    }
    let cols = vec![
        col("Asked", Constraint::Length(16)),
        col("Request", Constraint::Fill(3)),
        col("Status", Constraint::Length(8)),
    ];
    let cells = |r: &RequestRow| {
        let st = match r.request.status {
            RequestStatus::Pending => theme.warn(),
            RequestStatus::Approved => theme.ok(),
            RequestStatus::Rejected => theme.error(),
        };
        vec![
            cell(&when(r.request.requested_at)),
            cell(&r.what),
            styled(r.request.status.as_str(), st),
        ]
    };
    let style = |r: &RequestRow| {
        if r.request.status == RequestStatus::Pending {
            Style::default()
        } else {
            theme.muted()
        }
    };
    let empty = if app.show_decided {
        "No requests yet".to_string()
    } else {
        "Nothing waits for approval ✓".to_string()
    };
    list_table(
        f,
        list_area,
        app,
        list,
        TableSpec {
            title,
            cols,
            cells: &cells,
            style: &style,
            empty,
        },
    );

    let block = boxed(app, "Request".into());
    let inner_w = pane.width.saturating_sub(2);
    let lines = match list.selected() {
        Some(r) => sections(app, &[request_section(r)], inner_w),
        None => vec![],
    };
    f.render_widget(paragraph(lines).block(block), pane);
}

/// Who asked for what and when, from the row alone (the pane draws without a query).
fn request_section(r: &RequestRow) -> Section {
    let q = &r.request;
    let mut lines = vec![
        (
            "Who".to_string(),
            if r.name.is_empty() {
                r.email.clone()
            } else {
                format!("{} <{}>", r.name, r.email)
            },
        ),
        ("Asks".to_string(), r.what.clone()),
        ("Asked".to_string(), when(q.requested_at)),
    ];
    if !q.note.is_empty() {
        lines.push(("Note".into(), q.note.clone()));
    }
    lines.push(("Status".into(), q.status.as_str().into()));
    if let Some(by) = &q.decided_by {
        let at = q
            .decided_at
            .map(|t| format!(" on {}", when(t)))
            .unwrap_or_default();
        lines.push(("Decided".into(), format!("by {by}{at}")));
    }
    if !q.reason.is_empty() {
        lines.push(("Reason".into(), q.reason.clone()));
    }
    Section {
        title: String::new(),
        lines,
    }
}
