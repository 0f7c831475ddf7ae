//! Dialogs drawn over the screen: help, confirmations, forms, the invite wizard,
//! pickers, bulk results, the command line and the start screen. Each is centred and
//! sized to fit an 80×24 terminal.

use super::super::app::{App, Modal};
use super::super::cmdline::verbs;
use super::super::dialogs::{Confirm, Picker, Report};
use super::super::form::{FieldKind, Form};
use super::super::keymap::Action;
use super::super::text::clean;
use super::super::wizard::{STEPS, Wizard};
use super::layout::centered;
use super::widgets::{boxed, fit, paragraph, wrap_words};
use ratatui::Frame;
use ratatui::layout::{Alignment, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Blanks a dialog's area and the column to its left: a wide character (CJK, emoji)
/// just outside would otherwise spill over the dialog's border.
fn clear(f: &mut Frame, r: Rect) {
    let x = r.x.saturating_sub(1);
    f.render_widget(Clear, Rect::new(x, r.y, r.width + (r.x - x), r.height));
}

/// A dialog's width: on narrow terminals nearly the whole width (a half-covered list
/// behind a dialog reads as garbage), on wide ones `want`.
fn width(area: Rect, want: u16) -> u16 {
    if area.width < 100 {
        area.width
    } else {
        want.min(area.width.saturating_sub(2))
    }
}

/// Rows `lines` take when wrapped at `w` columns.
fn wrapped_rows(lines: &[Line], w: u16) -> u16 {
    let w = w.max(1) as usize;
    lines
        .iter()
        .map(|l| l.width().div_ceil(w).max(1))
        .sum::<usize>() as u16
}

pub fn draw(app: &App, f: &mut Frame, area: Rect, note: Rect, m: &Modal) {
    if !matches!(m, Modal::Command(_) | Modal::Start | Modal::SignIn(_)) {
        // Dim what is behind the dialog so the dialog is what the eye lands on.
        f.buffer_mut()
            .set_style(area, Style::default().add_modifier(Modifier::DIM));
    }
    match m {
        Modal::Help { scroll } => help(app, f, area, *scroll),
        Modal::Confirm { dialog, .. } => confirm(app, f, area, dialog),
        Modal::Form { form, .. } => {
            let w = width(area, 76);
            let h = (form.height(usize::MAX) as u16 + 2).min(area.height.saturating_sub(2));
            let r = centered(area, w, h);
            clear(f, r);
            let block = boxed(app, form.title.clone());
            let inner = block.inner(r);
            f.render_widget(block, r);
            draw_form(app, f, inner, form, None);
        }
        Modal::Wizard(w) => wizard(app, f, area, w),
        Modal::Picker { picker, .. } => pick(app, f, area, picker),
        Modal::Results(r) => results(app, f, area, r),
        Modal::Command(c) => {
            let theme = &app.config.theme;
            f.render_widget(Clear, note);
            let value = c.input.value();
            let line = Line::from(vec![
                Span::styled(":", theme.accent()),
                Span::raw(clean(value).into_owned()),
            ]);
            f.render_widget(Paragraph::new(line), note);
            let cx = note.x + 1 + c.input.visual_cursor() as u16;
            f.set_cursor_position(Position::new(
                cx.min(note.right().saturating_sub(1)),
                note.y,
            ));
            // Candidates (or the verbs, before any typing) just above the line.
            let list: Vec<String> = if let Some(e) = &c.error {
                vec![e.clone()]
            } else if !c.candidates.is_empty() {
                c.candidates.clone()
            } else if value.is_empty() {
                verbs(c.remote)
                    .map(|(v, what)| format!("{v:<12} {what}"))
                    .collect()
            } else {
                vec![]
            };
            if !list.is_empty() {
                // As many as fit between the tab bar and the command line.
                let h = (list.len() as u16).min(note.y.saturating_sub(area.y + 3));
                let w = list
                    .iter()
                    .map(|l| l.width() as u16 + 4)
                    .max()
                    .unwrap_or(20)
                    .min(area.width);
                let r = Rect::new(note.x, note.y.saturating_sub(h + 2), w, h + 2);
                clear(f, r);
                let lines: Vec<Line> = list
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let style = if c.error.is_some() {
                            theme.error()
                        } else if !c.candidates.is_empty() && i == c.index {
                            theme.selected()
                        } else {
                            Style::default()
                        };
                        Line::from(Span::styled(clean(l).into_owned(), style))
                    })
                    .collect();
                let title = if c.error.is_some() {
                    "Command"
                } else {
                    "Commands"
                };
                f.render_widget(Paragraph::new(lines).block(boxed(app, title.into())), r);
            }
        }
        Modal::Start => {}
        Modal::SignIn(s) => super::sign_in::draw(app, f, area, s),
    }
}

/// The screen shown when there is no store yet.
pub fn start(app: &App, f: &mut Frame, area: Rect) {
    let theme = &app.config.theme;
    let path = app.store_path.display().to_string();
    let mut lines = vec![
        Line::from(Span::styled("Welcome to roster", theme.accent())),
        Line::from(""),
        Line::from("There is no roster store here yet:"),
        Line::from(Span::styled(clean(&path).into_owned(), theme.muted())),
        Line::from(""),
        Line::from(vec![
            Span::styled("  d  ", theme.accent()),
            Span::raw("create the demo store (one organisation per seed system)"),
        ]),
        Line::from(vec![
            Span::styled("  o  ", theme.accent()),
            Span::raw("create a first organisation and its owner"),
        ]),
        Line::from(vec![
            Span::styled("  q  ", theme.accent()),
            Span::raw("quit"),
        ]),
    ];
    if let Some(b) = &app.busy {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            format!("{}…", b.title),
            theme.warn(),
        )));
    }
    let w = 66.min(area.width);
    let r = centered(area, w, lines.len() as u16 + 2);
    clear(f, r);
    f.render_widget(paragraph(lines).block(boxed(app, "roster".into())), r);
}

fn help(app: &App, f: &mut Frame, area: Rect, scroll: u16) {
    let theme = &app.config.theme;
    let ctx = app.contexts();
    let active = app.config.keymap.active(&ctx);
    let mut lines = vec![];
    let mut last_ctx = None;
    let mut tabs: Vec<String> = vec![];
    for (b, keys) in &active {
        if b.action.tab_index().is_some() {
            tabs.push(
                keys.iter()
                    .map(|k| k.to_string())
                    .collect::<Vec<_>>()
                    .join("/"),
            );
            continue;
        }
        if last_ctx != Some(b.ctx) {
            if last_ctx.is_some() {
                lines.push(Line::from(""));
            }
            lines.push(Line::from(Span::styled(b.ctx.title(), theme.accent())));
            last_ctx = Some(b.ctx);
        }
        let k = keys
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        lines.push(Line::from(vec![
            Span::styled(format!("  {k:<14}"), theme.accent()),
            Span::raw(b.desc),
        ]));
    }
    if !tabs.is_empty() {
        let names: Vec<&str> = app.snap.areas.iter().map(|a| a.title()).collect();
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {:<14}", format!("{}…{}", tabs[0], tabs[tabs.len() - 1])),
                theme.accent(),
            ),
            Span::raw(format!("tabs: {}", names.join(", "))),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        format!(
            "Keys come from one table; rebind them in {}",
            super::super::config::Config::path()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "config.toml".into())
        ),
        theme.muted(),
    )));
    let w = width(area, 80);
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let r = centered(area, w, h);
    let max = (lines.len() as u16).saturating_sub(h.saturating_sub(2));
    clear(f, r);
    let title = format!(
        "Keys · {}",
        if app.org_view() {
            "organisation"
        } else if app.detail.is_some() {
            "detail view"
        } else {
            app.tab.title()
        }
    );
    let key = app
        .config
        .keymap
        .key_for(&[super::super::keymap::Ctx::Global], Action::Help);
    let block = boxed(app, title).title_bottom(Line::from(Span::styled(
        format!(" Esc or {key} closes "),
        theme.muted(),
    )));
    f.render_widget(
        paragraph(lines).block(block).scroll((scroll.min(max), 0)),
        r,
    );
}

fn confirm(app: &App, f: &mut Frame, area: Rect, d: &Confirm) {
    let theme = &app.config.theme;
    let w = width(area, 64);
    // Wrapped text needs more rows than lines on a narrow screen; the buttons stay on
    // screen whatever the length: lines that do not fit give way to "…".
    let text_w = w.saturating_sub(2).max(1) as usize;
    let room = (area.height as usize).saturating_sub(5);
    let mut used = 0;
    let mut lines: Vec<Line> = vec![];
    for l in &d.lines {
        let rows = l.width().div_ceil(text_w).max(1);
        if used + rows > room {
            lines.push(Line::from("…"));
            used += 1;
            break;
        }
        used += rows;
        lines.push(Line::from(clean(l).into_owned()));
    }
    lines.push(Line::from(""));
    let yes_style = if d.danger {
        theme.error().add_modifier(Modifier::REVERSED)
    } else {
        theme.selected()
    };
    lines.push(Line::from(vec![
        Span::styled(format!(" y  {} ", d.yes), yes_style),
        Span::raw("   "),
        Span::styled(" n  Cancel ", theme.muted()),
    ]));
    let rows = used + 2;
    let r = centered(area, w, rows as u16 + 2);
    clear(f, r);
    f.render_widget(paragraph(lines).block(boxed(app, d.title.clone())), r);
}

/// Columns `start..start+width` of `s`, respecting wide characters.
fn slice_cols(s: &str, start: usize, width: usize) -> String {
    let mut col = 0;
    let mut out = String::new();
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if col >= start && col + w <= start + width {
            out.push(c);
        }
        col += w;
        if col >= start + width {
            break;
        }
    }
    out
}

/// Draws a form's fields into `area`; the focused text field gets the terminal cursor.
pub fn draw_form(app: &App, f: &mut Frame, area: Rect, form: &Form, extra_note: Option<&str>) {
    let theme = &app.config.theme;
    let label_w = form
        .fields
        .iter()
        .filter(|x| !matches!(x.kind, FieldKind::Check { .. }))
        .map(|x| x.label.width())
        .max()
        .unwrap_or(0)
        .min(area.width as usize / 2);
    let value_w = (area.width as usize).saturating_sub(label_w + 4).max(4);
    let note = extra_note.map(String::from).or_else(|| form.note.clone());
    let fixed: usize = form.fields.len() + 2 + note.as_ref().map_or(0, |_| 4);
    let sizes: Vec<usize> = form
        .fields
        .iter()
        .filter_map(|x| match &x.kind {
            FieldKind::Check { items, .. } => Some(items.len()),
            _ => None,
        })
        .collect();
    let rows = share_rows((area.height as usize).saturating_sub(fixed), &sizes);
    let mut rows = rows.into_iter();
    let mut lines: Vec<Line> = vec![];
    let mut cursor = None;
    for (i, field) in form.fields.iter().enumerate() {
        let focused = form.focus == i;
        let label_style = if focused {
            theme.accent()
        } else {
            theme.muted()
        };
        match &field.kind {
            FieldKind::Text(input) => {
                let scroll = input.visual_scroll(value_w.saturating_sub(1));
                let shown = slice_cols(input.value(), scroll, value_w);
                let pad = label_w.saturating_sub(field.label.width());
                let value_style = if focused {
                    Style::default().add_modifier(Modifier::UNDERLINED)
                } else {
                    Style::default()
                };
                let shown_w = shown.width();
                lines.push(Line::from(vec![
                    Span::styled(format!("{}{} ", " ".repeat(pad), field.label), label_style),
                    Span::styled(
                        format!(
                            " {}{}",
                            clean(&shown),
                            " ".repeat(value_w.saturating_sub(shown_w + 1))
                        ),
                        value_style,
                    ),
                ]));
                if focused {
                    let x = area.x
                        + (label_w + 2 + input.visual_cursor().saturating_sub(scroll)) as u16;
                    cursor = Some(Position::new(
                        x.min(area.right().saturating_sub(1)),
                        area.y + lines.len() as u16 - 1,
                    ));
                }
            }
            FieldKind::Toggle(on) => {
                let pad = label_w.saturating_sub(field.label.width());
                let mark = if *on { "[x] on " } else { "[ ] off" };
                let style = if focused {
                    theme.selected()
                } else {
                    Style::default()
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("{}{} ", " ".repeat(pad), field.label), label_style),
                    Span::raw(" "),
                    Span::styled(mark, style),
                ]));
            }
            FieldKind::Check { items, cursor: at } => {
                let max_items = rows.next().unwrap_or(1).max(1);
                let on = items.iter().filter(|x| x.on).count();
                let head = if items.is_empty() {
                    format!("{}: none to offer", field.label)
                } else {
                    format!("{} ({on} of {} checked)", field.label, items.len())
                };
                lines.push(Line::from(Span::styled(head, label_style)));
                let start = if *at >= max_items {
                    at + 1 - max_items
                } else {
                    0
                };
                for (j, it) in items.iter().enumerate().skip(start).take(max_items) {
                    let mark = if it.on { "[x]" } else { "[ ]" };
                    let style = if focused && j == *at {
                        theme.selected()
                    } else {
                        Style::default()
                    };
                    let text = format!("  {mark} {}", clean(&it.label));
                    let room = (area.width as usize).saturating_sub(text.width() + 2);
                    let hint = if it.hint.is_empty() || room < 8 {
                        String::new()
                    } else {
                        format!("  {}", fit(&clean(&it.hint), room))
                    };
                    lines.push(Line::from(vec![
                        Span::styled(text, style),
                        Span::styled(hint, theme.muted()),
                    ]));
                }
            }
        }
    }
    if let Some(n) = note {
        lines.push(Line::from(""));
        for l in wrap_words(&clean(&n), area.width as usize)
            .into_iter()
            .take(3)
        {
            lines.push(Line::from(Span::styled(l, theme.warn())));
        }
    }
    lines.push(Line::from(""));
    let save = if form.on_save() {
        theme.selected()
    } else {
        theme.accent()
    };
    let cancel = if form.on_cancel() {
        theme.selected()
    } else {
        theme.muted()
    };
    lines.push(Line::from(vec![
        Span::raw(" ".repeat(label_w + 1)),
        Span::styled(format!("[ {} ]", form.submit_label), save),
        Span::raw("  "),
        Span::styled("[ Cancel ]", cancel),
    ]));
    f.render_widget(Paragraph::new(lines), area);
    if let Some(c) = cursor {
        f.set_cursor_position(c);
    }
}

/// Shares `avail` rows between checklists of the given sizes: a short list takes what
/// it needs and leaves the rest to the longer ones.
fn share_rows(avail: usize, sizes: &[usize]) -> Vec<usize> {
    let mut out = vec![0; sizes.len()];
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by_key(|&i| sizes[i]);
    let mut left = avail;
    for (k, &i) in order.iter().enumerate() {
        let fair = left / (sizes.len() - k);
        out[i] = sizes[i].min(fair);
        left -= out[i];
    }
    out
}

fn wizard(app: &App, f: &mut Frame, area: Rect, w: &Wizard) {
    let theme = &app.config.theme;
    let width = width(area, 78);
    let height = match w.form() {
        Some(form) => (form.height(12) as u16 + 6).min(area.height.saturating_sub(2)),
        None => 14.min(area.height.saturating_sub(2)),
    };
    let r = centered(area, width, height);
    clear(f, r);
    let block = boxed(app, "Invite someone".into());
    let inner = block.inner(r);
    f.render_widget(block, r);
    let mut steps = vec![];
    for (i, s) in STEPS.iter().enumerate() {
        if i > 0 {
            steps.push(Span::styled(" › ", theme.muted()));
        }
        let style = if i == w.step {
            theme.tab_active()
        } else if i < w.step {
            theme.ok()
        } else {
            theme.muted()
        };
        steps.push(Span::styled(format!("{}. {s}", i + 1), style));
    }
    f.render_widget(
        Paragraph::new(Line::from(steps)).alignment(Alignment::Center),
        Rect::new(inner.x, inner.y, inner.width, 1),
    );
    let body = Rect::new(
        inner.x,
        inner.y + 2,
        inner.width,
        inner.height.saturating_sub(2),
    );
    match w.form() {
        Some(form) => draw_form(app, f, body, form, w.note.as_deref()),
        None => {
            let mut lines: Vec<Line> = w
                .summary()
                .into_iter()
                .map(|(k, v)| {
                    Line::from(vec![
                        Span::styled(format!("{k:>9}  "), theme.muted()),
                        Span::raw(clean(&v).into_owned()),
                    ])
                })
                .collect();
            lines.push(Line::from(""));
            lines.push(Line::from(vec![
                Span::styled(" Enter  Send the invitation ", theme.selected()),
                Span::raw("   "),
                Span::styled(" Esc  Back ", theme.muted()),
            ]));
            f.render_widget(paragraph(lines), body);
        }
    }
}

fn pick<V: Clone>(app: &App, f: &mut Frame, area: Rect, p: &Picker<V>) {
    let theme = &app.config.theme;
    let w = width(area, 70);
    let h = 16.min(area.height.saturating_sub(2));
    let r = centered(area, w, h);
    clear(f, r);
    let block = boxed(app, p.title.clone()).title_bottom(Line::from(Span::styled(
        format!(" {} of {} ", p.len(), p.choices.len()),
        theme.muted(),
    )));
    let inner = block.inner(r);
    f.render_widget(block, r);
    let value = p.input.value();
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("› ", theme.accent()),
            Span::raw(clean(value).into_owned()),
        ])),
        Rect::new(inner.x, inner.y, inner.width, 1),
    );
    f.set_cursor_position(Position::new(
        (inner.x + 2 + p.input.visual_cursor() as u16).min(inner.right().saturating_sub(1)),
        inner.y,
    ));
    let rows = inner.height.saturating_sub(2) as usize;
    let start = if p.cursor >= rows {
        p.cursor + 1 - rows
    } else {
        0
    };
    let lines: Vec<Line> = p
        .visible()
        .enumerate()
        .skip(start)
        .take(rows)
        .map(|(i, c)| {
            let style = if i == p.cursor {
                theme.selected()
            } else {
                Style::default()
            };
            Line::from(vec![
                Span::styled(clean(&c.label).into_owned(), style),
                Span::styled(
                    if c.hint.is_empty() {
                        String::new()
                    } else {
                        format!("  {}", clean(&c.hint))
                    },
                    theme.muted(),
                ),
            ])
        })
        .collect();
    let lines = if lines.is_empty() {
        vec![Line::from(Span::styled("Nothing matches", theme.muted()))]
    } else {
        lines
    };
    f.render_widget(
        Paragraph::new(lines),
        Rect::new(
            inner.x,
            inner.y + 2,
            inner.width,
            inner.height.saturating_sub(2),
        ),
    );
}

fn results(app: &App, f: &mut Frame, area: Rect, r: &Report) {
    let theme = &app.config.theme;
    let mut lines = vec![
        Line::from(Span::styled(
            clean(&r.headline()).into_owned(),
            if r.refused.is_empty() && r.failed.is_none() {
                theme.ok()
            } else {
                theme.error()
            },
        )),
        Line::from(""),
    ];
    for (who, why) in &r.refused {
        lines.push(Line::from(vec![
            Span::styled("✗ ", theme.error()),
            Span::raw(format!("{}: ", clean(who))),
            Span::styled(clean(why).into_owned(), theme.error()),
        ]));
    }
    for who in &r.ok {
        lines.push(Line::from(vec![
            Span::styled("✓ ", theme.ok()),
            Span::raw(clean(who).into_owned()),
        ]));
    }
    if r.tried() < r.total {
        lines.push(Line::from(Span::styled(
            format!("… {} not tried", r.total - r.tried()),
            theme.muted(),
        )));
    }
    if !r.secrets.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            "Invitation link secrets (shown once; only their hash is stored):",
            theme.warn(),
        )));
        for (who, s) in &r.secrets {
            lines.push(Line::from(format!("  {}", clean(who))));
            lines.push(Line::from(Span::styled(format!("  {s}"), theme.accent())));
        }
    }
    let w = width(area, 84);
    let h = (wrapped_rows(&lines, w.saturating_sub(2)) + 2).min(area.height.saturating_sub(2));
    let c = centered(area, w, h);
    clear(f, c);
    let block = boxed(app, r.title.clone())
        .title_bottom(Line::from(Span::styled(" any key closes ", theme.muted())));
    f.render_widget(paragraph(lines).block(block).scroll((r.scroll, 0)), c);
}

#[cfg(test)]
mod tests {
    use super::share_rows;

    #[test]
    fn a_short_checklist_leaves_its_rows_to_a_long_one() {
        // Three roles and no programs in ten rows: all three roles show.
        assert_eq!(share_rows(10, &[3, 0]), vec![3, 0]);
        assert_eq!(share_rows(6, &[26, 2]), vec![4, 2]);
        assert_eq!(share_rows(4, &[10, 10]), vec![2, 2]);
    }
}
