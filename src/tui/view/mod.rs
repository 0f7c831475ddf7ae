//! Drawing. `draw(&App, &mut Frame)` reads the state and paints it; it never changes
//! anything and never calls the backend. Only rows in the viewport are turned into
//! widgets, so a frame costs the same whatever the size of the directory.

pub mod approvals;
pub mod audit;
pub mod chrome;
pub mod contracts;
pub mod detail;
pub mod dialogs;
pub mod groups;
pub mod invitations;
pub mod programs;
pub mod roles;
pub mod sign_in;
pub mod users;
pub mod widgets;

/// Where things go on screen: shared with the state, which sizes lists and panes.
pub use super::layout;

use super::app::{App, Modal};
use crate::core::query::Area;
use ratatui::Frame;
use ratatui::layout::Alignment;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

pub fn draw(app: &App, f: &mut Frame) {
    let area = f.area();
    if area.width < layout::MIN_W || area.height < layout::MIN_H {
        too_small(app, f);
        return;
    }
    let a = layout::split(area, app.note_rows());
    chrome::tabs(app, f, a.tabs);
    if matches!(app.modal, Some(Modal::SignIn(_))) {
        // Nothing behind the sign-in screen yet.
    } else if matches!(app.modal, Some(Modal::Start)) || !app.has_store {
        dialogs::start(app, f, a.body);
    } else if let Some(d) = &app.detail {
        detail::draw(app, f, a.body, d);
    } else if !app.loaded {
        let key = app
            .config
            .keymap
            .key_for(&[super::keymap::Ctx::Global], super::keymap::Action::Reload);
        let text = if app.loads.in_flight {
            "Loading…".to_string()
        } else {
            format!("Nothing loaded yet: {key} loads")
        };
        let p = Paragraph::new(Span::styled(text, app.config.theme.muted()))
            .alignment(Alignment::Center);
        f.render_widget(p, layout::centered(a.body, 40, 1));
    } else {
        match app.tab {
            Area::Users => users::draw(app, f, a.body),
            Area::Roles => roles::draw(app, f, a.body),
            Area::Contracts => contracts::draw(app, f, a.body),
            Area::Approvals => approvals::draw(app, f, a.body),
            Area::Groups => groups::draw(app, f, a.body),
            Area::Programs => programs::draw(app, f, a.body),
            Area::Invitations => invitations::draw(app, f, a.body),
            Area::Audit => audit::draw(app, f, a.body),
        }
    }
    chrome::note(app, f, a.note);
    chrome::footer(app, f, a.footer);
    chrome::status(app, f, a.status);
    if let Some(m) = &app.modal {
        dialogs::draw(app, f, area, a.note, m);
    }
}

fn too_small(app: &App, f: &mut Frame) {
    let area = f.area();
    f.render_widget(Clear, area);
    let lines = vec![
        Line::from(Span::styled("Terminal too small", app.config.theme.error())),
        Line::from(format!(
            "roster needs {}×{}; this one is {}×{}.",
            layout::MIN_W,
            layout::MIN_H,
            area.width,
            area.height
        )),
        Line::from("Enlarge the window, or press q to quit."),
    ];
    let h = (lines.len() as u16).min(area.height);
    let y = area.y + area.height.saturating_sub(h) / 2;
    let p = Paragraph::new(lines)
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true });
    f.render_widget(
        p,
        ratatui::layout::Rect::new(
            area.x,
            y,
            area.width,
            area.height.saturating_sub(y - area.y),
        ),
    );
}
