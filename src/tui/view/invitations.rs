//! The Invitations tab (seed 004: what was sent and who accepted): email, name,
//! status, sent, expires, sent by.

use super::super::app::App;
use super::super::data::InvitationRow;
use super::super::text::day;
use super::widgets::{TableSpec, cell, col, list_table, styled};
use crate::core::InvitationStatus;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Span;

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let theme = &app.config.theme;
    let wide = area.width >= 100;
    let list = &app.invitations;
    let shown = app.invitation_status.map(|s| s.as_str()).unwrap_or("all");
    let title = vec![
        Span::styled("Invitations", theme.accent()),
        Span::raw(format!(" · {shown}")),
    ];
    let mut cols = vec![col("Email", Constraint::Fill(3))];
    if wide {
        cols.push(col("Name", Constraint::Fill(2)));
    }
    cols.extend([
        col("Status", Constraint::Length(8)),
        col("Sent", Constraint::Length(10)),
        col("Expires", Constraint::Length(10)),
        col("Sent by", Constraint::Fill(2)),
    ]);
    let cells = |r: &InvitationRow| {
        let i = &r.invitation;
        let st = match r.status {
            InvitationStatus::Pending => theme.warn(),
            InvitationStatus::Accepted => theme.ok(),
            _ => theme.muted(),
        };
        let mut v = vec![cell(&i.email)];
        if wide {
            v.push(cell(format!("{} {}", i.first_name, i.last_name).trim()));
        }
        v.extend([
            styled(r.status.as_str(), st),
            cell(&day(i.sent_at)),
            cell(&day(i.expires)),
            cell(&r.sent_by),
        ]);
        v
    };
    let style = |r: &InvitationRow| {
        if matches!(
            r.status,
            InvitationStatus::Revoked | InvitationStatus::Expired
        ) {
            theme.muted()
        } else {
            Style::default()
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
            empty: "No invitations: i invites someone".into(),
        },
    );
}
