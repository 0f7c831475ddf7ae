//! The Groups tab (seed 003): name, members, the roles the group gives.

use super::super::app::App;
use super::super::data::GroupRow;
use super::widgets::{TableSpec, cell, col, list_table};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Span;

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let theme = &app.config.theme;
    let list = &app.groups;
    let title = vec![Span::styled("Groups", theme.accent())];
    let cols = vec![
        col("Group", Constraint::Fill(2)),
        col("Members", Constraint::Length(7)),
        col("Roles it gives", Constraint::Fill(3)),
    ];
    let cells = |r: &GroupRow| {
        let roles: Vec<&str> = r.roles.iter().map(|x| x.1.as_str()).collect();
        vec![
            cell(&r.group.name),
            cell(&r.group.members.len().to_string()),
            cell(&roles.join(", ")),
        ]
    };
    let style = |_: &GroupRow| Style::default();
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
            empty: "No groups: n creates one".into(),
        },
    );
}
