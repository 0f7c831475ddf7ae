//! The Contracts tab: product, status, dates, seats used of total; contracts that end
//! within 30 days are highlighted.

use super::super::app::App;
use super::super::data::ContractRow;
use super::super::text::day;
use super::widgets::{TableSpec, cell, col, list_table, styled};
use crate::core::ContractStatus;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Span;

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let theme = &app.config.theme;
    let list = &app.contracts;
    let soon = app.contracts.all().iter().filter(|c| c.ends_soon).count();
    let mut title = vec![Span::styled("Contracts", theme.accent())];
    if !app.snap.operator {
        title.push(Span::raw(" · managed by the platform operator"));
    }
    if soon > 0 {
        title.push(Span::raw(" "));
        title.push(Span::styled(
            format!(" {soon} ending soon "),
            theme
                .warn()
                .add_modifier(ratatui::style::Modifier::REVERSED),
        ));
    }
    let cols = vec![
        col("Product", Constraint::Fill(2)),
        col("Status", Constraint::Length(9)),
        col("Starts", Constraint::Length(10)),
        col("Ends", Constraint::Length(10)),
        col("Seats", Constraint::Length(9)),
        col("", Constraint::Length(9)),
    ];
    let cells = |r: &ContractRow| {
        let c = &r.contract;
        let st = match c.status {
            ContractStatus::Active if r.in_force => theme.ok(),
            ContractStatus::Active => Style::default(),
            ContractStatus::Suspended => theme.warn(),
            ContractStatus::Ended => theme.muted(),
        };
        let over = r.seats_used > c.seats as usize;
        vec![
            cell(&c.product),
            styled(c.status.as_str(), st),
            cell(&day(c.start)),
            cell(&c.end.map(day).unwrap_or_else(|| "open".into())),
            styled(
                &format!("{}/{}", r.seats_used, c.seats),
                if over {
                    theme.error()
                } else {
                    Style::default()
                },
            ),
            if r.ends_soon {
                styled("ends soon", theme.warn())
            } else {
                cell("")
            },
        ]
    };
    let style = |r: &ContractRow| {
        if r.contract.status == ContractStatus::Ended {
            theme.muted()
        } else {
            Style::default()
        }
    };
    let empty = if app.snap.operator {
        "No contracts: n creates one"
    } else {
        "No contracts"
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
            empty: empty.into(),
        },
    );
}
