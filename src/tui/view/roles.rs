//! The Roles tab (seed 001: only for those who may read roles): name, scope, kind,
//! holders, the contract that gates it, description.

use super::super::app::App;
use super::super::data::RoleRow;
use super::widgets::{TableSpec, cell, col, list_table, styled};
use crate::core::Scope;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Span;

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let theme = &app.config.theme;
    let wide = area.width >= 100;
    let list = &app.roles;
    let title = vec![
        Span::styled("Roles", theme.accent()),
        Span::raw(format!(
            " · by {} {}",
            list.sort_name(),
            if list.descending { "↓" } else { "↑" }
        )),
    ];
    let mut cols = vec![
        col("Role", Constraint::Fill(2)),
        col("Scope", Constraint::Length(7)),
        col("Kind", Constraint::Length(8)),
        col("Holders", Constraint::Length(7)),
        col("Contract", Constraint::Length(if wide { 18 } else { 16 })),
    ];
    if wide {
        cols.push(col("Description", Constraint::Fill(3)));
    }
    let cells = |r: &RoleRow| {
        let gate = match (&r.role.gate, r.unlocked) {
            (None, _) => styled("—", theme.muted()),
            (Some(g), true) => cell(&format!("{g} ({} seats)", r.seats.unwrap_or(0))),
            (Some(g), false) => styled(&format!("{g}: none"), theme.warn()),
        };
        let mut v = vec![
            cell(&r.role.name),
            cell(if r.role.scope == Scope::Org {
                "org"
            } else {
                "program"
            }),
            cell(if r.role.builtin.is_some() {
                "built-in"
            } else {
                "custom"
            }),
            cell(&r.holders.to_string()),
            gate,
        ];
        if wide {
            v.push(cell(&r.role.description));
        }
        v
    };
    let style = |r: &RoleRow| {
        if r.unlocked {
            Style::default()
        } else {
            theme.muted()
        }
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
            empty: "No roles match".into(),
        },
    );
}
