//! The frame around the tabs: the tab bar, the result line, the footer of keys and the
//! status bar (who, which organisation, which backend).

use super::super::app::{App, Modal, Tone};
use super::super::keymap::{Action, Ctx};
use super::super::text::{clean, count};
use crate::core::perms;
use crate::core::policy::ProgramAuthority;
use crate::core::query::Area;
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
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
        Area::Audit if app.loads.audit_more => format!("{}+", count(app.audit.all().len())),
        Area::Audit => count(app.audit.all().len()),
    }
}

/// How much a tab bar shows, widest first; the first that fits is used.
#[derive(Clone, Copy)]
struct Fit {
    /// Counts on every tab (else only on the selected one; the pending badge always).
    all_counts: bool,
    /// " Users 12 │ Roles 7 " rather than names set apart by spaces.
    bars: bool,
    /// Spaces between tabs when there are no bars.
    gap: usize,
    /// "Invites" for "Invitations": still a whole word.
    invites: bool,
    /// Abbreviated names for every tab but the selected one (below 72 columns).
    abbreviate: bool,
}

const FITS: [Fit; 5] = [
    Fit {
        all_counts: true,
        bars: true,
        gap: 0,
        invites: false,
        abbreviate: false,
    },
    Fit {
        all_counts: false,
        bars: false,
        gap: 2,
        invites: false,
        abbreviate: false,
    },
    Fit {
        all_counts: false,
        bars: false,
        gap: 2,
        invites: true,
        abbreviate: false,
    },
    Fit {
        all_counts: false,
        bars: false,
        gap: 1,
        invites: true,
        abbreviate: false,
    },
    Fit {
        all_counts: false,
        bars: false,
        gap: 1,
        invites: true,
        abbreviate: true,
    },
];

/// Names for very narrow terminals, abbreviated so they still read as words.
fn short(a: Area) -> &'static str {
    match a {
        Area::Users => "Users",
        Area::Roles => "Roles",
        Area::Contracts => "Contr.",
        Area::Approvals => "Appr.",
        Area::Groups => "Groups",
        Area::Programs => "Progr.",
        Area::Invitations => "Invit.",
        Area::Audit => "Audit",
    }
}

/// The tab bar. On a wide terminal every tab shows its count; where that does not fit
/// (80 columns), every tab keeps its full name and only the selected one its count, so
/// the bar reads as words rather than as "Contr 0 Apprv". The approval queue's badge is
/// there at every width whenever something waits (seed 002's "1 User Approval Pending").
pub fn tabs(app: &App, f: &mut Frame, area: Rect) {
    let width = area.width as usize;
    let mut line = Line::from(vec![]);
    for fit in FITS {
        line = tab_line(app, fit);
        if line.width() <= width {
            break;
        }
    }
    f.render_widget(Paragraph::new(line), area);
}

fn tab_line(app: &App, fit: Fit) -> Line<'static> {
    let theme = &app.config.theme;
    let pending = app.snap.pending.requests;
    let mut spans: Vec<Span<'static>> = vec![];
    for (i, a) in app.snap.areas.iter().copied().enumerate() {
        let selected = a == app.tab;
        if i > 0 {
            if fit.bars {
                spans.push(Span::styled("│", theme.muted()));
            } else {
                spans.push(Span::raw(" ".repeat(fit.gap)));
            }
        }
        let name = if selected {
            a.title()
        } else if fit.abbreviate {
            short(a)
        } else if fit.invites && a == Area::Invitations {
            "Invites"
        } else {
            a.title()
        };
        let style = if selected {
            theme.tab_active()
        } else if a == Area::Approvals && pending > 0 {
            Style::default()
        } else {
            theme.muted()
        };
        let pad = if fit.bars { " " } else { "" };
        if a == Area::Approvals && pending > 0 {
            spans.push(Span::styled(format!("{pad}{name} "), style));
            spans.push(Span::styled(format!(" {} ", count(pending)), theme.badge()));
        } else if fit.all_counts || selected {
            spans.push(Span::styled(
                format!("{pad}{name} {}{pad}", tab_count(app, a)),
                style,
            ));
        } else {
            spans.push(Span::styled(format!("{pad}{name}{pad}"), style));
        }
    }
    Line::from(spans)
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
    } else if let Some(l) = app.loads.visible() {
        Line::from(vec![
            Span::styled(l, theme.accent()),
            Span::styled(" — Esc stops", theme.muted()),
        ])
    } else if let Some(n) = app.shown_note() {
        let style = match n.tone {
            Tone::Ok => theme.ok(),
            Tone::Error => theme.error(),
            Tone::Info => Style::default(),
        };
        Line::from(Span::styled(clean(&n.text).into_owned(), style))
    } else {
        Line::from("")
    };
    // Two rows when the App gave it two (a long refusal); wrapped at word boundaries.
    f.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), area);
}

/// Whether an action is worth showing in the footer for the current selection.
fn offered(app: &App, action: Action) -> bool {
    if app.org_view() {
        let o = &app.snap.org;
        return match action {
            Action::Organisation => false,
            Action::Edit => o.profile_refusal.is_none(),
            Action::Settings => o.settings_refusal.is_none(),
            Action::New => app.snap.operator,
            _ => true,
        };
    }
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
    // Keys for what the principal holds no permission for stay out of the footer (they
    // are still in `?` help, and the core explains a refusal if one is pressed).
    let has = |p: &str| app.snap.perms.contains(p);
    let program = app.programs.selected();
    let program_may = |at_least: ProgramAuthority| program.is_some_and(|p| p.authority >= at_least);
    match (app.tab, action) {
        (
            Area::Contracts,
            Action::New | Action::Suspend | Action::Resume | Action::End | Action::Seats,
        ) => app.snap.operator,
        (Area::Users | Area::Invitations | Area::Roles, Action::Invite) => {
            has(perms::MEMBERS_INVITE)
        }
        (Area::Invitations, Action::Resend | Action::Revoke) => has(perms::MEMBERS_INVITE),
        (Area::Users, Action::Edit | Action::Reset | Action::Verify) => has(perms::MEMBERS_MANAGE),
        (Area::Users, Action::Enable | Action::Disable | Action::Delete)
            if !has(perms::MEMBERS_MANAGE) =>
        {
            false
        }
        (Area::Users, Action::Approve | Action::Reject) if !has(perms::MEMBERS_APPROVE) => false,
        (Area::Roles, Action::New | Action::Edit | Action::Grant | Action::Revoke) => {
            has(perms::ROLES_MANAGE)
        }
        (
            Area::Groups,
            Action::New
            | Action::Edit
            | Action::AddMember
            | Action::RemoveMember
            | Action::Grant
            | Action::Revoke
            | Action::Delete,
        ) => has(perms::GROUPS_MANAGE),
        (Area::Programs, Action::New) => has(perms::PROGRAMS_CREATE),
        (Area::Programs, Action::Edit | Action::Transfer | Action::Delete) => {
            program_may(ProgramAuthority::Full)
        }
        (Area::Programs, Action::Grant | Action::Revoke | Action::Change) => {
            program_may(ProgramAuthority::Contacts)
        }
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
            ("Space", "check"),
            ("Enter/Ctrl-S", "next step"),
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
        Modal::SignIn(_) => vec![("Tab", "next field"), ("Enter", "sign in"), ("Esc", "quit")],
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
    let backend = if !app.snap.backend.is_empty() {
        app.snap.backend.clone()
    } else if !app.link.label.is_empty() {
        app.link.label.clone()
    } else {
        format!("file:{}", app.store_path.display())
    };
    let who = clean(&app.who_label()).into_owned();
    let text = format!(" {who} │ {org} │ {backend} ");
    let mut spans = vec![];
    // First, so it is there at any width: the connection's trouble, with the countdown.
    if let Some(badge) = app.link_next().and_then(|next| app.link.badge(next)) {
        spans.push(Span::styled(format!(" ⚠ {badge} "), theme.alert()));
    } else if let Some(secs) = app.waiting() {
        spans.push(Span::styled(
            format!(" ⏳ no answer yet · {secs}s "),
            theme.alert(),
        ));
    }
    spans.push(Span::styled(text, theme.bar()));
    let line = Line::from(spans);
    f.render_widget(
        Paragraph::new(line)
            .style(theme.bar())
            .alignment(Alignment::Left),
        area,
    );
}
