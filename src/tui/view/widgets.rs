//! Pieces every tab uses: the list table (drawn for the visible rows only), a
//! key/value section view, and text helpers that keep user text clean.

use super::super::app::App;
use super::super::list::{Item, List};
use super::super::text::clean;
/// Text fitting lives with the other text helpers; re-exported for the views.
pub use super::super::text::{fit, wrap_words};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Cell, Paragraph, Row, Table, Wrap};
use unicode_width::UnicodeWidthStr;

/// One cell's text (user-supplied, cleaned when drawn) and style.
pub type Text = (String, Style);

pub fn cell(s: &str) -> Text {
    (s.to_string(), Style::default())
}

pub fn styled(s: &str, style: Style) -> Text {
    (s.to_string(), style)
}

/// A column: header, width, and whether it is worth its space at this width.
pub struct Col {
    pub header: String,
    pub width: Constraint,
}

pub fn col(header: impl Into<String>, width: Constraint) -> Col {
    Col {
        header: header.into(),
        width,
    }
}

pub struct TableSpec<'a, R> {
    pub title: Vec<Span<'static>>,
    pub cols: Vec<Col>,
    pub cells: &'a dyn Fn(&R) -> Vec<Text>,
    pub style: &'a dyn Fn(&R) -> Style,
    /// Shown when no row passes the filters.
    pub empty: String,
}

/// Draws a list: a bordered table of the rows in the viewport only, the cursor row
/// reversed, marks in the first column, position and filter in the bottom border.
pub fn list_table<R: Item>(
    f: &mut Frame,
    area: Rect,
    app: &App,
    list: &List<R>,
    spec: TableSpec<'_, R>,
) {
    let theme = &app.config.theme;
    let height = area.height.saturating_sub(3) as usize;
    // The App keeps `offset` in step with the same height; clamp in case a resize
    // arrived between the two.
    let offset = if list.cursor >= list.offset + height.max(1) {
        list.cursor + 1 - height.max(1)
    } else {
        list.offset.min(list.cursor)
    };
    let mut bottom = vec![];
    if let Some(input) = &app.filtering {
        bottom.push(Span::styled(
            format!(" /{}▏ ", clean(input.value())),
            theme.accent(),
        ));
    } else if !list.filter.is_empty() {
        bottom.push(Span::styled(
            format!(" /{} ", clean(&list.filter)),
            theme.accent(),
        ));
    }
    if list.matching() {
        // A large list is matched off the UI thread: these are still the rows of the
        // text before.
        bottom.push(Span::styled("matching… ", theme.accent()));
    } else if list.ranked() {
        bottom.push(Span::styled("best match first ", theme.muted()));
    }
    if !list.marks.is_empty() {
        bottom.push(Span::styled(
            format!(" {} marked ", list.marks.len()),
            theme.marked(),
        ));
    }
    let pos = if list.is_empty() {
        "0 of 0".to_string()
    } else {
        format!("{} of {}", list.cursor + 1, list.len())
    };
    let mut title = vec![Span::raw(" ")];
    title.extend(spec.title);
    title.push(Span::raw(" "));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.muted())
        .title(Line::from(title))
        .title_bottom(Line::from(bottom).alignment(Alignment::Left))
        .title_bottom(
            Line::from(Span::styled(format!(" {pos} "), theme.muted())).alignment(Alignment::Right),
        );
    let mut widths = vec![Constraint::Length(1)];
    widths.extend(spec.cols.iter().map(|c| c.width));
    let mut header = vec![Cell::from("")];
    header.extend(
        spec.cols
            .iter()
            .map(|c| Cell::from(clean(&c.header).into_owned())),
    );
    let inner = block.inner(area);
    let col_widths: Vec<u16> = Layout::horizontal(widths.clone())
        .flex(Flex::Start)
        .spacing(1)
        .split(inner)
        .iter()
        .map(|r| r.width)
        .collect();
    let rows: Vec<Row> = list
        .window(offset, height)
        .enumerate()
        .map(|(i, r)| {
            let mark = if list.is_marked(r) {
                Cell::from(Span::styled("●", theme.marked()))
            } else {
                Cell::from(" ")
            };
            let mut cells = vec![mark];
            cells.extend(
                (spec.cells)(r)
                    .into_iter()
                    .enumerate()
                    .map(|(i, (text, style))| {
                        let w = col_widths.get(i + 1).copied().unwrap_or(0) as usize;
                        Cell::from(Span::styled(fit(&clean(&text), w), style))
                    }),
            );
            let mut style = (spec.style)(r);
            if list.is_marked(r) {
                style = style.patch(theme.marked());
            }
            if offset + i == list.cursor {
                style = style.patch(theme.selected());
            }
            Row::new(cells).style(style)
        })
        .collect();
    let empty = rows.is_empty();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.header()))
        .column_spacing(1)
        .block(block);
    f.render_widget(table, area);
    if empty {
        let inner = Rect::new(
            area.x + 1,
            area.y + 3.min(area.height.saturating_sub(1)),
            area.width.saturating_sub(2),
            1,
        );
        f.render_widget(
            Paragraph::new(Span::styled(spec.empty, theme.muted())).alignment(Alignment::Center),
            inner,
        );
    }
}

/// Label/value lines under bold section titles, for detail views and panes.
pub fn sections(
    app: &App,
    sections: &[super::super::data::Section],
    width: u16,
) -> Vec<Line<'static>> {
    let theme = &app.config.theme;
    let mut out = vec![];
    for (i, s) in sections.iter().enumerate() {
        // Each section aligns its own values: a long email in one must not push
        // every other section's values to the right.
        let label_w = s
            .lines
            .iter()
            .map(|(k, _)| clean(k).width())
            .max()
            .unwrap_or(0)
            .min((width / 3).max(8) as usize);
        if i > 0 {
            out.push(Line::from(""));
        }
        if !s.title.is_empty() {
            out.push(Line::from(Span::styled(
                clean(&s.title).into_owned(),
                theme.accent(),
            )));
        }
        for (k, v) in &s.lines {
            if k.is_empty() {
                out.push(Line::from(format!("  {}", clean(v))));
            } else {
                let k = fit(&clean(k), label_w);
                let pad = label_w.saturating_sub(k.width());
                out.push(Line::from(vec![
                    Span::styled(format!("  {k}{}", " ".repeat(pad)), theme.muted()),
                    Span::raw("  "),
                    Span::raw(clean(v).into_owned()),
                ]));
            }
        }
    }
    out
}

/// A bordered box with a title, for panes and dialogs.
pub fn boxed(app: &App, title: String) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(app.config.theme.muted())
        .title(Span::styled(
            format!(" {} ", clean(&title)),
            app.config.theme.accent(),
        ))
}

pub fn paragraph(lines: Vec<Line<'static>>) -> Paragraph<'static> {
    Paragraph::new(lines).wrap(Wrap { trim: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_marks_what_it_cuts_and_counts_wide_characters() {
        assert_eq!(fit("alice@acme.example", 30), "alice@acme.example");
        assert_eq!(fit("alice@acme.example", 8), "alice@a…");
        assert_eq!(fit("山田由紀", 5), "山田…");
        assert_eq!(fit("山田由紀", 5).width(), 5);
    }
}
