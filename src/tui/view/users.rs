//! The Users tab: full name, email, level (in the organisation's words), status,
//! verified, created — seed 002's list with seed 003's status filter.

use super::super::app::App;
use super::super::data::UserRow;
use super::super::text::{day, yes_no};
use super::widgets::{TableSpec, cell, col, list_table, styled};
use crate::core::Approval;
use crate::core::query::status_word;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Span;
use unicode_width::UnicodeWidthStr;

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let theme = &app.config.theme;
    let wide = area.width >= 100;
    let list = &app.users;
    let filter = if app.pending_only {
        "waiting for approval".to_string()
    } else {
        app.user_status.as_str().to_string()
    };
    let mut title = vec![
        Span::styled("Users", theme.accent()),
        Span::raw(format!(
            " · {filter} · by {} {}",
            list.sort_name(),
            if list.descending { "↓" } else { "↑" }
        )),
    ];
    let pending = app.snap.pending.accounts;
    if pending > 0 && !app.pending_only {
        title.push(Span::raw(" "));
        title.push(Span::styled(
            format!(
                " {pending} approval{} pending (p) ",
                if pending == 1 { "" } else { "s" }
            ),
            theme.badge(),
        ));
    }
    // The level column is as wide as the organisation's longest level word.
    let words = &app.snap.org.terminology;
    let level_w = [&words.owner, &words.admin, &words.member]
        .iter()
        .map(|w| w.width())
        .max()
        .unwrap_or(6)
        .clamp(6, if wide { 28 } else { 18 });
    let mut cols = vec![
        col("Name", Constraint::Fill(2)),
        col("Email", Constraint::Fill(3)),
        col("Level", Constraint::Length(level_w as u16)),
        col("Status", Constraint::Length(8)),
    ];
    if wide {
        cols.push(col("Verified", Constraint::Length(8)));
        cols.push(col("Created", Constraint::Length(10)));
    }
    let cells = |r: &UserRow| {
        let a = &r.account;
        let status_style = match (a.enabled, a.approval) {
            (false, _) => theme.muted(),
            (true, Approval::Pending) => theme.warn(),
            (true, Approval::Rejected) => theme.error(),
            _ => Style::default(),
        };
        let mut v = vec![
            cell(&a.full_name()),
            cell(&a.email),
            cell(&r.level_name),
            styled(status_word(a), status_style),
        ];
        if wide {
            v.push(cell(yes_no(a.verified)));
            v.push(cell(&day(a.created)));
        }
        v
    };
    let style = |r: &UserRow| {
        if r.account.enabled {
            Style::default()
        } else {
            theme.muted()
        }
    };
    let empty = if app.users.all().is_empty() {
        "No accounts yet: press i to invite someone".to_string()
    } else {
        "No account matches: f changes the status filter, Esc clears the filter".to_string()
    };
    list_table(
        f,
        area,
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
}
