//! The frame around the tabs: the tab bar, the result line, the footer of keys and the
//! status bar (who, which organisation, which backend).

use super::super::app::{App, Modal, Tone};
use super::super::keymap::{Action, Ctx};
use super::super::text::{clean, count};
use crate::core::query::Area;
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

fn tab_count(app: &App, a: Area) -> String {
    let s = &app.snap;
    match a {
        Area::Users => count(app.users.all().len()),
        Area::Roles => count(app.roles.all().len()),
        Area::Contracts => count(app.contracts.all().len()),
        Area::Approvals => count(s.pending.requests),
        Area::Groups => count(app.groups.all().len()),
        Area::Programs => count(app.programs.all().len()),
        Area::Invitations => count(app.invitations.all().len()),
        Area::Audit if app.audit.all().len() >= super::super::data::AUDIT_LIMIT => {
            format!("{}+", count(app.audit.all().len()))
        }
        Area::Audit => count(app.audit.all().len()),
    }
}

/// Shorter names for narrow terminals; the active tab always keeps its full name.
fn short(a: Area) -> &'static str {
    match a {
        Area::Users => "Users",
        Area::Roles => "Roles",
        Area::Contracts => "Contr",
        Area::Approvals => "Apprv",
        Area::Groups => "Groups",
        Area::Programs => "Progs",
        Area::Invitations => "Invit",
        Area::Audit => "Audit",
    }
}

pub fn tabs(app: &App, f: &mut Frame, area: Rect) {
    let theme = &app.config.theme;
    let tabs: Vec<Area> = if app.snap.areas.is_empty() {
        vec![]
    } else {
        app.snap.areas.clone()
    };
    // The widest form that fits: full names padded between bars, then full names
    // ("Invites" for "Invitations") one space apart, then short names except the
    // active tab's. Counts are always there.
    let label = |a: Area, level: u8| -> String {
        let name = match level {
            0 => a.title(),
            _ if a == app.tab => a.title(),
            1 if a == Area::Invitations => "Invites",
            1 => a.title(),
            _ => short(a),
        };
        format!("{name} {}", tab_count(app, a))
    };
    let width = |level: u8| -> usize {
        let pad = if level == 0 { 3 } else { 1 };
        let badge = if app.snap.pending.requests > 0 { 2 } else { 0 };
        tabs.iter()
            .map(|a| label(*a, level).width() + pad)
            .sum::<usize>()
            + badge
    };
    let level = (0..2)
        .find(|l| width(*l) <= area.width as usize)
        .unwrap_or(2);
    let mut spans = vec![];
    for (i, a) in tabs.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(
                if level == 0 { "│" } else { " " },
                theme.muted(),
            ));
        }
        let text = if level == 0 {
            format!(" {} ", label(*a, level))
        } else {
            label(*a, level)
        };
        let pending = *a == Area::Approvals && app.snap.pending.requests > 0;
        let style = if *a == app.tab {
            theme.tab_active()
        } else if pending {
            Style::default()
        } else {
            theme.muted()
        };
        if pending {
            // Seed 002's "1 User Approval Pending": the count stands out whenever
            // something waits.
            let (name, n) = text.trim_end().rsplit_once(' ').unwrap_or((&text, ""));
            spans.push(Span::styled(format!("{name} "), style));
            spans.push(Span::styled(format!(" {n} "), theme.badge()));
        } else {
            spans.push(Span::styled(text, style));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn note(app: &App, f: &mut Frame, area: Rect) {
    let theme = &app.config.theme;
    let line = if let Some(b) = &app.busy {
        let pct = (b.done * 100).checked_div(b.total).unwrap_or(0);
        let tail = if b.cancelling {
            " — cancelling…"
        } else {
            " — Esc cancels"
        };
        Line::from(vec![
            Span::styled(format!("⏳ {} ", clean(&b.title)), theme.accent()),
            Span::raw(format!("{}/{} ({pct}%){tail}", b.done, b.total)),
        ])
    } else if let Some(n) = &app.note {
        let style = match n.tone {
            Tone::Ok => theme.ok(),
            Tone::Error => theme.error(),
            Tone::Info => Style::default(),
        };
        Line::from(Span::styled(clean(&n.text).into_owned(), style))
    } else {
        Line::from("")
    };
    f.render_widget(Paragraph::new(line), area);
}

/// Whether an action is worth showing in the footer for the current selection.
fn offered(app: &App, action: Action) -> bool {
    if app.detail.is_some()
        && matches!(
            action,
            Action::StatusFilter
                | Action::PendingFilter
                | Action::History
                | Action::Follow
                | Action::AuditFilter
                | Action::New
                | Action::Invite
        )
    {
        return false;
    }
    match (app.tab, action) {
        (
            Area::Contracts,
            Action::New | Action::Suspend | Action::Resume | Action::End | Action::Seats,
        ) => app.snap.operator,
        (Area::Users, Action::Enable) => app.users.selected().is_some_and(|u| !u.account.enabled),
        (Area::Users, Action::Disable) => app.users.selected().is_some_and(|u| u.account.enabled),
        (Area::Users, Action::Delete) => app.users.selected().is_some_and(|u| !u.account.enabled),
        (Area::Users, Action::Approve) => app
            .users
            .selected()
            .is_some_and(|u| u.account.approval != crate::core::Approval::Approved),
        _ => true,
    }
}

pub fn footer(app: &App, f: &mut Frame, area: Rect) {
    let theme = &app.config.theme;
    let width = area.width as usize;
    let mut spans: Vec<Span> = vec![];
    let mut used = 0usize;
    let help_key = app.config.keymap.key_for(&[Ctx::Global], Action::Help);
    let tail = format!("{help_key} help");
    let reserve = tail.width() + 2;
    let push = |key: String, label: &str, spans: &mut Vec<Span>, used: &mut usize| -> bool {
        let w = key.width() + 1 + label.width() + 2;
        if *used + w + reserve > width {
            return false;
        }
        spans.push(Span::styled(key, theme.accent()));
        spans.push(Span::raw(format!(" {label}  ")));
        *used += w;
        true
    };
    match &app.modal {
        Some(m) => {
            for (k, l) in modal_keys(m) {
                if !push(k.to_string(), l, &mut spans, &mut used) {
                    break;
                }
            }
        }
        None if app.filtering.is_some() => {
            for (k, l) in [
                ("type", "to filter"),
                ("↑↓", "move"),
                ("Enter", "keep"),
                ("Esc", "clear"),
            ] {
                push(k.to_string(), l, &mut spans, &mut used);
            }
        }
        None => {
            let ctx = app.contexts();
            for (b, keys) in app.config.keymap.active(&ctx) {
                let Some(label) = b.footer else { continue };
                if b.action == Action::Help || !offered(app, b.action) {
                    continue;
                }
                let key = keys.first().map(|k| k.to_string()).unwrap_or_default();
                if !push(key, label, &mut spans, &mut used) {
                    break;
                }
            }
        }
    }
    if app.modal.is_none() && app.filtering.is_none() {
        spans.push(Span::styled(help_key, theme.accent()));
        spans.push(Span::raw(" help"));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn modal_keys(m: &Modal) -> Vec<(&'static str, &'static str)> {
    match m {
        Modal::Help { .. } => vec![("↑↓", "scroll"), ("Esc", "close")],
        Modal::Results(_) => vec![("↑↓", "scroll"), ("Esc", "close")],
        Modal::Confirm { .. } => vec![("y/Enter", "yes"), ("n/Esc", "no")],
        Modal::Form { .. } => vec![
            ("Tab", "next"),
            ("Space", "toggle"),
            ("Enter", "next/save"),
            ("Ctrl-S", "save"),
            ("Esc", "cancel"),
        ],
        Modal::Wizard(_) => vec![
            ("Tab", "next field"),
            ("Enter", "next step"),
            ("Space", "check"),
            ("Esc", "back"),
        ],
        Modal::Picker { .. } => vec![
            ("type", "to narrow"),
            ("↑↓", "choose"),
            ("Enter", "pick"),
            ("Esc", "cancel"),
        ],
        Modal::Command(_) => vec![("Tab", "complete"), ("Enter", "run"), ("Esc", "cancel")],
        Modal::Start => vec![
            ("d", "demo store"),
            ("o", "first organisation"),
            ("q", "quit"),
        ],
    }
}

pub fn status(app: &App, f: &mut Frame, area: Rect) {
    let theme = &app.config.theme;
    let org = if app.snap.org.slug.is_empty() {
        "no organisation".to_string()
    } else {
        format!(
            "{} ({})",
            clean(&app.snap.org.name),
            clean(&app.snap.org.slug)
        )
    };
    let backend = if app.snap.backend.is_empty() {
        format!("file:{}", app.store_path.display())
    } else {
        app.snap.backend.clone()
    };
    let who = clean(&app.who_label()).into_owned();
    let text = format!(" {who} │ {org} │ {backend} ");
    let line = Line::from(Span::styled(text, theme.bar()));
    f.render_widget(
        Paragraph::new(line)
            .style(theme.bar())
            .alignment(Alignment::Left),
        area,
    );
}
