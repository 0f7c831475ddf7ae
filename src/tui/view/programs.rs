//! The Programs tab (seed 004 programs, seed 002 services): name, owner (Main Site
//! Contact), contacts, created.

use super::super::app::App;
use super::super::data::ProgramRow;
use super::super::text::day;
use super::widgets::{TableSpec, cell, col, list_table};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Span;

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let theme = &app.config.theme;
    let list = &app.programs;
    let words = &app.snap.org.terminology;
    let title = vec![Span::styled(format!("{}s", words.program), theme.accent())];
    let cols = vec![
        col("Name", Constraint::Fill(2)),
        col(words.program_owner.clone(), Constraint::Fill(2)),
        col("Contacts", Constraint::Length(8)),
        col("Created", Constraint::Length(10)),
    ];
    let cells = |r: &ProgramRow| {
        vec![
            cell(&r.program.name),
            cell(&r.owner_email),
            cell(&r.contacts.len().to_string()),
            cell(&day(r.program.created)),
        ]
    };
    let style = |_: &ProgramRow| Style::default();
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
            empty: "No programs: n creates one".into(),
        },
    );
}
