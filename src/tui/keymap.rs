//! The one keymap table: key, action, description, context. Dispatch looks keys up
//! here, the footer shows the entries marked for it, and `?` help lists every entry of
//! the current contexts, so what the screen says and what the keys do cannot drift
//! apart. The config file can rebind any action (see `assets/config.toml`).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
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

    fn parse(s: &str) -> Option<Ctx> {
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

#[derive(Clone, Debug)]
pub struct Binding {
    pub keys: Vec<Key>,
    pub action: Action,
    /// Words for the help screen; the footer uses the first word group before ':'.
    pub desc: &'static str,
    /// Short label for the footer (`None`: not in the footer).
    pub footer: Option<&'static str>,
    pub ctx: Ctx,
}

/// (keys, action, footer label, description, context), in the order help shows them.
type Row = (
    &'static str,
    Action,
    Option<&'static str>,
    &'static str,
    Ctx,
);

const DEFAULTS: &[Row] = {
    use Action::*;
    use Ctx::*;
    &[
        // Users
        (
            "i",
            Invite,
            Some("invite"),
            "invite someone (email, names, roles, message)",
            Users,
        ),
        (
            "n",
            New,
            None,
            "add an account directly, without an invitation",
            Users,
        ),
        (
            "e",
            Edit,
            Some("edit"),
            "edit names, email, enabled and approved",
            Users,
        ),
        (
            "a",
            Approve,
            Some("approve"),
            "approve the account(s)",
            Users,
        ),
        (
            "r",
            Reject,
            None,
            "reject the account(s), with a reason",
            Users,
        ),
        ("+", Enable, Some("enable"), "enable the account(s)", Users),
        (
            "-",
            Disable,
            Some("disable"),
            "disable the account(s): no new logins",
            Users,
        ),
        ("v", Verify, None, "mark the account(s) verified", Users),
        (
            ">",
            Promote,
            None,
            "make admin (verified accounts only)",
            Users,
        ),
        ("<", Demote, None, "make member again", Users),
        (
            "o",
            Transfer,
            None,
            "transfer organisation ownership to this account",
            Users,
        ),
        ("R", Reset, None, "send a password-reset link", Users),
        (
            "X|Delete",
            Delete,
            Some("delete"),
            "delete a disabled account, permanently",
            Users,
        ),
        (
            "f",
            StatusFilter,
            Some("status"),
            "cycle the status filter: active, disabled, any",
            Users,
        ),
        (
            "p",
            PendingFilter,
            Some("pending"),
            "show only accounts waiting for approval",
            Users,
        ),
        // Roles
        (
            "n",
            New,
            Some("new"),
            "create a custom role with a permission checklist",
            Roles,
        ),
        (
            "e",
            Edit,
            Some("edit"),
            "edit the role's name, description and permissions",
            Roles,
        ),
        (
            "+",
            Grant,
            Some("grant"),
            "grant the role to an account or a group",
            Roles,
        ),
        (
            "-",
            Revoke,
            Some("revoke"),
            "revoke the role from one of its holders",
            Roles,
        ),
        ("X|Delete", Delete, None, "delete the custom role", Roles),
        (
            "i",
            Invite,
            None,
            "invite someone to the selected (or marked) roles",
            Roles,
        ),
        // Contracts
        (
            "n",
            New,
            Some("new"),
            "create a contract (platform operators)",
            Contracts,
        ),
        (
            "-",
            Suspend,
            Some("suspend"),
            "suspend the contract",
            Contracts,
        ),
        (
            "+",
            Resume,
            Some("resume"),
            "resume a suspended contract",
            Contracts,
        ),
        (
            "X",
            End,
            Some("end"),
            "end the contract for good",
            Contracts,
        ),
        (
            "=",
            Seats,
            Some("seats"),
            "change the number of seats",
            Contracts,
        ),
        // Approvals
        (
            "a",
            Approve,
            Some("approve"),
            "approve the request(s); the cursor moves on",
            Approvals,
        ),
        (
            "r",
            Reject,
            Some("reject"),
            "reject the request(s), with a reason",
            Approvals,
        ),
        (
            "h",
            History,
            Some("history"),
            "show or hide decided requests",
            Approvals,
        ),
        // Groups
        ("n", New, Some("new"), "create a group", Groups),
        ("e", Edit, Some("rename"), "rename the group", Groups),
        (
            "+",
            AddMember,
            Some("add member"),
            "add an account to the group",
            Groups,
        ),
        (
            "-",
            RemoveMember,
            Some("remove"),
            "remove a member from the group",
            Groups,
        ),
        (
            ">",
            Grant,
            Some("grant role"),
            "grant a role to the group",
            Groups,
        ),
        ("<", Revoke, None, "revoke a role from the group", Groups),
        ("X|Delete", Delete, None, "delete the group", Groups),
        // Programs
        ("n", New, Some("new"), "create a program", Programs),
        ("e", Edit, Some("rename"), "rename the program", Programs),
        (
            "+",
            Grant,
            Some("add contact"),
            "give an account a program role",
            Programs,
        ),
        (
            "c",
            Change,
            None,
            "change a contact's program role",
            Programs,
        ),
        (
            "-",
            Revoke,
            Some("remove"),
            "take a program role from a contact",
            Programs,
        ),
        ("o", Transfer, None, "name a new program owner", Programs),
        ("X|Delete", Delete, None, "delete the program", Programs),
        // Invitations
        ("i", Invite, Some("invite"), "invite someone", Invitations),
        (
            "R",
            Resend,
            Some("resend"),
            "send the invitation again with a new link",
            Invitations,
        ),
        (
            "X|Delete",
            Revoke,
            Some("revoke"),
            "revoke the invitation",
            Invitations,
        ),
        (
            "f",
            StatusFilter,
            Some("status"),
            "cycle: all, pending, accepted, expired, revoked",
            Invitations,
        ),
        // Audit
        (
            "f",
            AuditFilter,
            Some("filter by"),
            "filter by actor, target and kind",
            Audit,
        ),
        (
            "F",
            Follow,
            Some("follow"),
            "follow new events live (on/off)",
            Audit,
        ),
        // The organisation page
        (
            "e",
            Edit,
            Some("profile"),
            "edit the name, address, website and description (the owner)",
            Org,
        ),
        (
            "s",
            Settings,
            Some("settings"),
            "settings: approval, registration, link lifetimes, words",
            Org,
        ),
        (
            "n",
            New,
            Some("new organisation"),
            "create another organisation (platform operators)",
            Org,
        ),
        // The outbox
        ("j|Down", Down, None, "next message", Mailbox),
        ("k|Up", Up, None, "previous message", Mailbox),
        (
            "Enter",
            Open,
            Some("show"),
            "show the message, with its link while it is kept here",
            Mailbox,
        ),
        (
            "R",
            Retry,
            Some("retry"),
            "send a failed message again",
            Mailbox,
        ),
        // Detail
        ("j|Down", Down, None, "scroll down", Detail),
        ("k|Up", Up, None, "scroll up", Detail),
        ("PgDn|ctrl-f", PageDown, None, "next page", Detail),
        ("PgUp|ctrl-b", PageUp, None, "previous page", Detail),
        ("g|Home", Top, None, "top", Detail),
        ("G|End", Bottom, None, "bottom", Detail),
        ("Esc|q", Back, Some("back"), "back to the list", Detail),
        // Lists
        ("j|Down", Down, None, "next row", List),
        ("k|Up", Up, None, "previous row", List),
        ("PgDn|ctrl-f", PageDown, None, "next page", List),
        ("PgUp|ctrl-b", PageUp, None, "previous page", List),
        ("g|Home", Top, None, "first row", List),
        ("G|End", Bottom, None, "last row", List),
        (
            "/",
            Filter,
            Some("filter"),
            "fuzzy filter as you type (Esc clears)",
            List,
        ),
        ("s", Sort, None, "sort by the next column", List),
        ("S", Reverse, None, "reverse the sort", List),
        (
            "Space",
            Mark,
            Some("mark"),
            "mark or unmark the row for a bulk action",
            List,
        ),
        ("*", MarkAll, None, "mark or unmark every visible row", List),
        ("Enter", Open, Some("open"), "open the detail view", List),
        ("Esc", Back, None, "clear marks and filter", List),
        // Everywhere
        ("Tab", NextTab, None, "next tab", Global),
        ("S-Tab", PrevTab, None, "previous tab", Global),
        ("1", Tab1, None, "Users", Global),
        ("2", Tab2, None, "Roles", Global),
        ("3", Tab3, None, "Contracts", Global),
        ("4", Tab4, None, "Approvals", Global),
        ("5", Tab5, None, "Groups", Global),
        ("6", Tab6, None, "Programs", Global),
        ("7", Tab7, None, "Invitations", Global),
        ("8", Tab8, None, "Audit", Global),
        (
            ":",
            Command,
            None,
            "command line (:users, :org acme, :settings, :as …, :quit)",
            Global,
        ),
        (
            "O",
            Organisation,
            Some("organisation"),
            "the organisation: profile, settings, terminology",
            Global,
        ),
        (
            "M",
            Outbox,
            None,
            "the outbox: mail sent, queued, failed, and links to pass on",
            Global,
        ),
        ("ctrl-r", Reload, None, "reload now", Global),
        ("?", Help, Some("help"), "keys of this view", Global),
        ("q", Quit, Some("quit"), "quit", Global),
    ]
};

#[derive(Clone, Debug)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: DEFAULTS
                .iter()
                .map(|(keys, action, footer, desc, ctx)| Binding {
                    keys: keys.split('|').filter_map(Key::parse).collect(),
                    action: *action,
                    desc,
                    footer: *footer,
                    ctx: *ctx,
                })
                .collect(),
        }
    }
}

impl Keymap {
    /// The defaults with the config's `[keys]` table applied. Entries are
    /// `action = "key"` or `action = ["key", "key"]` (every context), or
    /// `"context.action" = …` (one context). Unknown names come back as warnings.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> (Keymap, Vec<String>) {
        let mut map = Keymap::default();
        let mut warnings = vec![];
        for (name, keys) in overrides {
            let (ctx, action) = match name.split_once('.') {
                Some((c, a)) => match Ctx::parse(c) {
                    Some(c) => (Some(c), a),
                    None => {
                        warnings.push(format!("keys: unknown context '{c}' in '{name}'"));
                        continue;
                    }
                },
                None => (None, name.as_str()),
            };
            let Some(action) = Action::parse(action) else {
                warnings.push(format!("keys: unknown action '{action}'"));
                continue;
            };
            let mut parsed = vec![];
            for k in keys {
                match Key::parse(k) {
                    Some(k) => parsed.push(k),
                    None => warnings.push(format!("keys: cannot read key '{k}' for '{name}'")),
                }
            }
            if parsed.is_empty() {
                continue;
            }
            for b in map
                .bindings
                .iter_mut()
                .filter(|b| b.action == action && ctx.is_none_or(|c| c == b.ctx))
            {
                b.keys = parsed.clone();
            }
        }
        (map, warnings)
    }

    /// The action `key` means in the given contexts (most specific first).
    pub fn action(&self, contexts: &[Ctx], key: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(key);
        contexts.iter().find_map(|ctx| {
            self.bindings
                .iter()
                .find(|b| b.ctx == *ctx && b.keys.contains(&key))
                .map(|b| b.action)
        })
    }

    /// Bindings of the given contexts, in table order, for help and the footer. A key
    /// shadowed by a more specific context is left out so help never lies.
    pub fn active(&self, contexts: &[Ctx]) -> Vec<(&Binding, Vec<Key>)> {
        let mut out = vec![];
        let mut taken: Vec<Key> = vec![];
        for ctx in contexts {
            for b in self.bindings.iter().filter(|b| b.ctx == *ctx) {
                let keys: Vec<Key> = b
                    .keys
                    .iter()
                    .copied()
                    .filter(|k| !taken.contains(k))
                    .collect();
                if !keys.is_empty() {
                    out.push((b, keys));
                }
            }
            for b in self.bindings.iter().filter(|b| b.ctx == *ctx) {
                taken.extend(b.keys.iter().copied());
            }
        }
        out
    }

    /// The first key bound to `action` in the given contexts, for hints in messages.
    pub fn key_for(&self, contexts: &[Ctx], action: Action) -> String {
        self.active(contexts)
            .into_iter()
            .find(|(b, _)| b.action == action)
            .and_then(|(_, k)| k.first().map(|k| k.to_string()))
            .unwrap_or_else(|| "?".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEvent;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn specific_contexts_win() {
        let km = Keymap::default();
        let users = [Ctx::Users, Ctx::List, Ctx::Global];
        let approvals = [Ctx::Approvals, Ctx::List, Ctx::Global];
        assert_eq!(
            km.action(&users, &key(KeyCode::Char('a'))),
            Some(Action::Approve)
        );
        assert_eq!(
            km.action(&approvals, &key(KeyCode::Char('r'))),
            Some(Action::Reject)
        );
        assert_eq!(
            km.action(&users, &key(KeyCode::Char('j'))),
            Some(Action::Down)
        );
        assert_eq!(
            km.action(&users, &key(KeyCode::Char('4'))),
            Some(Action::Tab4)
        );
        assert_eq!(km.action(&users, &key(KeyCode::Char('Z'))), None);
    }

    #[test]
    fn shifted_letters_and_control_keys_are_read() {
        let km = Keymap::default();
        let ctx = [Ctx::Users, Ctx::List, Ctx::Global];
        let big_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(km.action(&ctx, &big_g), Some(Action::Bottom));
        let ctrl_r = KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL);
        assert_eq!(km.action(&ctx, &ctrl_r), Some(Action::Reload));
    }

    #[test]
    fn config_rebinds_an_action_and_help_follows() {
        let mut o = BTreeMap::new();
        o.insert("approve".to_string(), vec!["y".to_string()]);
        o.insert("users.edit".to_string(), vec!["ctrl-e".to_string()]);
        o.insert("nonsense".to_string(), vec!["x".to_string()]);
        let (km, warnings) = Keymap::with_overrides(&o);
        assert_eq!(warnings.len(), 1);
        let ctx = [Ctx::Approvals, Ctx::List, Ctx::Global];
        assert_eq!(
            km.action(&ctx, &key(KeyCode::Char('y'))),
            Some(Action::Approve)
        );
        assert_eq!(km.action(&ctx, &key(KeyCode::Char('a'))), None);
        assert_eq!(km.key_for(&ctx, Action::Approve), "y");
        let users = [Ctx::Users, Ctx::List, Ctx::Global];
        let ctrl_e = KeyEvent::new(KeyCode::Char('e'), KeyModifiers::CONTROL);
        assert_eq!(km.action(&users, &ctrl_e), Some(Action::Edit));
        // Only the Users binding moved; Roles keeps `e`.
        let roles = [Ctx::Roles, Ctx::List, Ctx::Global];
        assert_eq!(
            km.action(&roles, &key(KeyCode::Char('e'))),
            Some(Action::Edit)
        );
    }

    #[test]
    fn shadowed_keys_are_not_listed_in_help() {
        let km = Keymap::default();
        // In a detail view `q` means back, so help must not also list it as quit.
        let ctx = [Ctx::Detail, Ctx::Users, Ctx::Global];
        let active = km.active(&ctx);
        let quit = active.iter().find(|(b, _)| b.action == Action::Quit);
        assert!(quit.is_none());
    }
}
