//! The sign-in screen: the server, three fields (the password as dots), the reason the
//! last attempt failed, and a line while it is being tried.

use super::super::app::App;
use super::super::sign_in::{FIELDS, SignIn};
use super::super::text::clean;
use super::layout::centered;
use super::widgets::{boxed, fit, paragraph};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Clear;

pub fn draw(app: &App, f: &mut Frame, area: Rect, s: &SignIn) {
    let theme = &app.config.theme;
    let w = 64.min(area.width);
    let field_w = (w as usize).saturating_sub(20).max(8);
    let mut lines = vec![
        Line::from(vec![
            Span::raw("Sign in to "),
            Span::styled(clean(&s.server).into_owned(), theme.accent()),
        ]),
        Line::from(""),
    ];
    for (i, label) in FIELDS.iter().enumerate() {
        let value = fit(&s.shown(i), field_w);
        let style = if i == s.focus {
            theme.accent()
        } else {
            theme.muted()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:>13}  ", label), style),
            Span::raw(clean(&value).into_owned()),
        ]));
    }
    lines.push(Line::from(vec![
        Span::styled(format!("{:>13}  ", "Keep session"), theme.muted()),
        Span::raw(if s.keep {
            "[x] on this machine (Ctrl-K)"
        } else {
            "[ ] on this machine (Ctrl-K)"
        }),
    ]));
    lines.push(Line::from(""));
    if let Some(b) = &app.busy {
        lines.push(Line::from(Span::styled(
            format!("{}…", b.title),
            theme.warn(),
        )));
    } else if let Some(e) = &s.error {
        lines.push(Line::from(Span::styled(
            clean(e).into_owned(),
            theme.error(),
        )));
    } else {
        lines.push(Line::from(Span::styled(
            "No token is configured for this server: sign in with your password.",
            theme.muted(),
        )));
    }
    let body_w = w.saturating_sub(2).max(1) as usize;
    let h: u16 = lines
        .iter()
        .map(|l| l.width().div_ceil(body_w).max(1) as u16)
        .sum::<u16>()
        + 2;
    let r = centered(area, w, h.min(area.height));
    f.render_widget(Clear, r);
    f.render_widget(paragraph(lines).block(boxed(app, "Sign in".into())), r);
    // The cursor sits at the end of the focused field.
    let x = r.x + 1 + 15 + s.shown(s.focus).chars().count().min(field_w) as u16;
    let y = r.y + 3 + s.focus as u16;
    if x < r.right() && y < r.bottom() && app.busy.is_none() {
        f.set_cursor_position(Position::new(x, y));
    }
}
