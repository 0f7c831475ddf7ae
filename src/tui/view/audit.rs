//! The Audit tab: newest first, one line of words per event; follows new events live.

use super::super::app::App;
use super::super::data::AuditRow;
use super::super::text::when;
use super::widgets::{TableSpec, cell, col, list_table, styled};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Span;

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let theme = &app.config.theme;
    let wide = area.width >= 100;
    let list = &app.audit;
    let flt = &app.audit_filter;
    let mut title = vec![Span::styled("Audit", theme.accent())];
    for (k, v) in [
        ("actor", &flt.actor),
        ("text", &flt.target),
        ("kind", &flt.kind),
    ] {
        if !v.is_empty() {
            title.push(Span::raw(format!(" · {k} ~ {v}")));
        }
    }
    title.push(Span::styled(
        if app.follow {
            " · following"
        } else {
            " · paused"
        },
        theme.muted(),
    ));
    let mut cols = vec![
        col("When", Constraint::Length(16)),
        col("Actor", Constraint::Length(if wide { 28 } else { 20 })),
    ];
    if wide {
        cols.push(col("Kind", Constraint::Length(22)));
    }
    cols.push(col("What", Constraint::Fill(3)));
    let cells = |r: &AuditRow| {
        let mut v = vec![cell(&when(r.at)), cell(&r.actor)];
        if wide {
            v.push(styled(&r.kind, theme.muted()));
        }
        v.push(cell(&r.summary));
        v
    };
    let style = |_: &AuditRow| Style::default();
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
            empty: "Nothing recorded (or nothing matches the filter: f)".into(),
        },
    );
}
