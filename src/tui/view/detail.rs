//! A detail view: the record's sections, scrollable with j/k.

use super::super::app::{App, DetailView};
use super::widgets::{boxed, paragraph, sections};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn draw(app: &App, f: &mut Frame, area: Rect, d: &DetailView) {
    let (title, lines) = match &d.data {
        Some(data) => (
            data.title.clone(),
            sections(app, &data.sections, area.width.saturating_sub(2)),
        ),
        None => (
            "Loading…".to_string(),
            vec![Line::from(Span::styled(
                "Loading…",
                app.config.theme.muted(),
            ))],
        ),
    };
    let total = lines.len() as u16;
    let visible = area.height.saturating_sub(2);
    let scroll = d.scroll.min(total.saturating_sub(visible));
    let mut block = boxed(app, title);
    if total > visible {
        block = block.title_bottom(Line::from(Span::styled(
            format!(
                " {}–{} of {} lines · j/k scroll ",
                scroll + 1,
                (scroll + visible).min(total),
                total
            ),
            app.config.theme.muted(),
        )));
    }
    f.render_widget(paragraph(lines).block(block).scroll((scroll, 0)), area);
}
