//! The keymap's vocabulary: where a binding applies (`Ctx`), what a key asks for
//! (`Action`), and a key as the config file writes it (`Key`). No table here: the
//! defaults live in `key_table`, the lookups in `keymap`.

use crate::core::query::Area;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;

/// Where a binding applies. Lookups try the most specific context first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ctx {
    Global,
    List,
    Detail,
    Users,
    Roles,
    Contracts,
    Approvals,
    Groups,
    Programs,
    Invitations,
    Audit,
    /// The organisation page (`O`).
    Org,
    /// The outbox (`M`).
    Mailbox,
}

impl Ctx {
    pub fn name(self) -> &'static str {
        match self {
            Ctx::Global => "global",
            Ctx::List => "list",
            Ctx::Detail => "detail",
            Ctx::Users => "users",
            Ctx::Roles => "roles",
            Ctx::Contracts => "contracts",
            Ctx::Approvals => "approvals",
            Ctx::Groups => "groups",
            Ctx::Programs => "programs",
            Ctx::Invitations => "invitations",
            Ctx::Audit => "audit",
            Ctx::Org => "organisation",
            Ctx::Mailbox => "outbox",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Ctx::Global => "Everywhere",
            Ctx::List => "Lists",
            Ctx::Detail => "Detail view",
            Ctx::Users => "Users",
            Ctx::Roles => "Roles",
            Ctx::Contracts => "Contracts",
            Ctx::Approvals => "Approvals",
            Ctx::Groups => "Groups",
            Ctx::Programs => "Programs",
            Ctx::Invitations => "Invitations",
            Ctx::Audit => "Audit",
            Ctx::Org => "Organisation",
            Ctx::Mailbox => "Outbox",
        }
    }

    const ALL: [Ctx; 13] = [
        Ctx::Global,
        Ctx::List,
        Ctx::Detail,
        Ctx::Users,
        Ctx::Roles,
        Ctx::Contracts,
        Ctx::Approvals,
        Ctx::Groups,
        Ctx::Programs,
        Ctx::Invitations,
        Ctx::Audit,
        Ctx::Org,
        Ctx::Mailbox,
    ];

    pub(super) fn parse(s: &str) -> Option<Ctx> {
        Ctx::ALL.into_iter().find(|c| c.name() == s)
    }
}

macro_rules! actions {
    ($($variant:ident = $name:literal),* $(,)?) => {
        /// Everything a key can ask for.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Action { $($variant),* }
        impl Action {
            /// The name used in the config file's `[keys]` table.
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
            }
            pub fn parse(s: &str) -> Option<Action> {
                match s { $($name => Some(Action::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    Quit = "quit", Help = "help", Command = "command", NextTab = "next_tab", PrevTab = "prev_tab",
    Tab1 = "tab_1", Tab2 = "tab_2", Tab3 = "tab_3", Tab4 = "tab_4", Tab5 = "tab_5", Tab6 = "tab_6",
    Tab7 = "tab_7", Tab8 = "tab_8", Back = "back", Reload = "reload",
    Up = "up", Down = "down", PageUp = "page_up", PageDown = "page_down", Top = "top", Bottom = "bottom",
    Filter = "filter", Sort = "sort", Reverse = "reverse", Mark = "mark", MarkAll = "mark_all", Open = "open",
    Invite = "invite", Edit = "edit", Enable = "enable", Disable = "disable", Approve = "approve",
    Reject = "reject", Verify = "verify", Promote = "promote", Demote = "demote", Transfer = "transfer",
    Reset = "password_reset", Delete = "delete", StatusFilter = "status_filter", PendingFilter = "pending_filter",
    New = "new", Grant = "grant", Revoke = "revoke", Change = "change", Suspend = "suspend", Resume = "resume",
    End = "end", Seats = "seats", History = "history", AddMember = "add_member", RemoveMember = "remove_member",
    Resend = "resend", AuditFilter = "audit_filter", Follow = "follow",
    Organisation = "organisation", Settings = "settings",
    Outbox = "outbox",
    Retry = "retry",
}

impl Action {
    /// The tab a `TabN` action goes to (0-based).
    pub fn tab_index(self) -> Option<usize> {
        use Action::*;
        [Tab1, Tab2, Tab3, Tab4, Tab5, Tab6, Tab7, Tab8]
            .iter()
            .position(|a| *a == self)
    }
}

/// A key with its modifiers, as written in the config (`ctrl-r`, `shift-tab`, `a`, `G`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn parse(s: &str) -> Option<Key> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower.strip_prefix("ctrl-").map(|_| &rest[5..]) {
                mods |= KeyModifiers::CONTROL;
                rest = r;
            } else if let Some(r) = lower.strip_prefix("alt-").map(|_| &rest[4..]) {
                mods |= KeyModifiers::ALT;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "shift-tab" | "s-tab" | "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "delete" | "del" => KeyCode::Delete,
            "backspace" => KeyCode::Backspace,
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(c),
                    _ => return None,
                }
            }
        };
        Some(Key { code, mods })
    }

    /// Normalises a terminal key event: shifted letters arrive as the capital with SHIFT,
    /// which the table writes as just the capital.
    pub fn from_event(ev: &KeyEvent) -> Key {
        let mut mods = ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match ev.code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            other => other,
        };
        if code == KeyCode::BackTab {
            mods = KeyModifiers::NONE;
        }
        Key { code, mods }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("S-Tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Backspace => f.write_str("Bksp"),
            _ => f.write_str("?"),
        }
    }
}

/// The context of a tab's own keys.
pub fn tab_ctx(a: Area) -> Ctx {
    match a {
        Area::Users => Ctx::Users,
        Area::Roles => Ctx::Roles,
        Area::Contracts => Ctx::Contracts,
        Area::Approvals => Ctx::Approvals,
        Area::Groups => Ctx::Groups,
        Area::Programs => Ctx::Programs,
        Area::Invitations => Ctx::Invitations,
        Area::Audit => Ctx::Audit,
    }
}
