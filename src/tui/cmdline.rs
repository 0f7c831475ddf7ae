//! The `:` command line (k9s style): a verb and an argument, Tab completes.

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

/// The verbs, with what they do, for completion and `:help`.
pub const VERBS: &[(&str, &str)] = &[
    ("users", "Users tab"),
    ("roles", "Roles tab"),
    ("contracts", "Contracts tab"),
    ("approvals", "Approvals tab"),
    ("groups", "Groups tab"),
    ("programs", "Programs tab"),
    ("invitations", "Invitations tab"),
    ("audit", "Audit tab"),
    ("org", "open an organisation: :org SLUG, or :org to choose"),
    (
        "settings",
        "the organisation's settings: approval, registration, words",
    ),
    (
        "profile",
        "the organisation's profile: name, address, website",
    ),
    ("as", "act as an account of this organisation: :as EMAIL"),
    ("operator", "act as the platform operator"),
    ("invite", "open the invitation wizard"),
    ("pending", "users waiting for approval"),
    ("reload", "reload now"),
    ("help", "keys of this view"),
    ("quit", "leave roster"),
];

/// Verbs that choose who acts. On a server the token decides that, so they are not
/// offered there (and refused with a sentence when typed anyway).
pub const LOCAL_ONLY: &[&str] = &["as", "operator"];

/// The verbs offered on this backend.
pub fn verbs(remote: bool) -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    VERBS
        .iter()
        .filter(move |(v, _)| !remote || !LOCAL_ONLY.contains(v))
}

/// A parsed command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cmd {
    Tab(usize),
    Org(String),
    /// `:org` alone: choose from a list.
    OrgPicker,
    /// `:org create` (or `new`): a new organisation (platform operators).
    OrgCreate,
    /// `:org info`: the organisation page.
    OrgView,
    /// `:settings`, `:org settings`.
    Settings,
    /// `:profile`, `:org profile`.
    Profile,
    As(String),
    Operator,
    Invite,
    Pending,
    Reload,
    Help,
    Quit,
}

pub fn parse(line: &str) -> Result<Cmd, String> {
    let line = line.trim().trim_start_matches(':');
    let (verb, arg) = match line.split_once(char::is_whitespace) {
        Some((v, a)) => (v, a.trim()),
        None => (line, ""),
    };
    let verb = verb.to_lowercase();
    if verb.is_empty() {
        return Err("type a command, e.g. :users or :org acme (Tab completes)".into());
    }
    // Unique prefixes work, like in vim: `:appr` is `:approvals`.
    let matches: Vec<&str> = VERBS
        .iter()
        .map(|(v, _)| *v)
        .filter(|v| v.starts_with(&verb))
        .collect();
    let full = match (VERBS.iter().find(|(v, _)| *v == verb), matches.as_slice()) {
        (Some((v, _)), _) => *v,
        (None, [one]) => one,
        (None, []) => {
            if verb == "q" {
                "quit"
            } else {
                return Err(format!("no command ':{verb}' (Tab lists them)"));
            }
        }
        (None, many) => return Err(format!("':{verb}' could be {}", many.join(", "))),
    };
    let need = |what: &str| -> Result<String, String> {
        if arg.is_empty() {
            Err(format!(":{full} needs {what}"))
        } else {
            Ok(arg.to_string())
        }
    };
    Ok(match full {
        "users" => Cmd::Tab(0),
        "roles" => Cmd::Tab(1),
        "contracts" => Cmd::Tab(2),
        "approvals" => Cmd::Tab(3),
        "groups" => Cmd::Tab(4),
        "programs" => Cmd::Tab(5),
        "invitations" => Cmd::Tab(6),
        "audit" => Cmd::Tab(7),
        "org" => match arg.to_lowercase().as_str() {
            "" => Cmd::OrgPicker,
            "create" | "new" => Cmd::OrgCreate,
            "settings" => Cmd::Settings,
            "profile" => Cmd::Profile,
            "info" | "show" => Cmd::OrgView,
            _ => Cmd::Org(arg.to_string()),
        },
        "settings" => Cmd::Settings,
        "profile" => Cmd::Profile,
        "as" => Cmd::As(need("an email")?),
        "operator" => Cmd::Operator,
        "invite" => Cmd::Invite,
        "pending" => Cmd::Pending,
        "reload" => Cmd::Reload,
        "help" => Cmd::Help,
        _ => Cmd::Quit,
    })
}

#[derive(Clone, Debug, Default)]
pub struct CmdLine {
    pub input: Input,
    /// Candidates of the last Tab, and which one is shown.
    pub candidates: Vec<String>,
    pub index: usize,
    pub error: Option<String>,
    /// The console talks to a server: verbs that choose who acts are not offered.
    pub remote: bool,
    /// Earlier command lines, oldest first, and which one ↑ shows (None: the new line).
    pub history: Vec<String>,
    pub back: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CmdEvent {
    None,
    Cancel,
    Run(String),
}

impl CmdLine {
    /// `args(verb)` gives the completions for a verb's argument (org slugs, emails).
    pub fn handle(&mut self, key: &KeyEvent, args: &dyn Fn(&str) -> Vec<String>) -> CmdEvent {
        match key.code {
            KeyCode::Esc => CmdEvent::Cancel,
            KeyCode::Enter => CmdEvent::Run(self.input.value().to_string()),
            KeyCode::Up | KeyCode::Down => {
                let n = self.history.len();
                self.back = match (key.code, self.back) {
                    (KeyCode::Up, None) if n > 0 => Some(n - 1),
                    (KeyCode::Up, Some(i)) => Some(i.saturating_sub(1)),
                    (KeyCode::Down, Some(i)) if i + 1 < n => Some(i + 1),
                    (KeyCode::Down, _) => None,
                    (_, b) => b,
                };
                let text = self
                    .back
                    .and_then(|i| self.history.get(i))
                    .cloned()
                    .unwrap_or_default();
                self.input = Input::new(text);
                self.candidates.clear();
                self.error = None;
                CmdEvent::None
            }
            KeyCode::Tab | KeyCode::BackTab => {
                self.complete(key.code == KeyCode::BackTab, args);
                CmdEvent::None
            }
            _ => {
                if self.input.handle_event(&TermEvent::Key(*key)).is_some() {
                    self.candidates.clear();
                    self.error = None;
                }
                CmdEvent::None
            }
        }
    }

    fn complete(&mut self, back: bool, args: &dyn Fn(&str) -> Vec<String>) {
        if !self.candidates.is_empty() {
            let n = self.candidates.len();
            self.index = if back {
                (self.index + n - 1) % n
            } else {
                (self.index + 1) % n
            };
        } else {
            let value = self.input.value().to_string();
            self.candidates = match value.split_once(' ') {
                None => verbs(self.remote)
                    .filter(|(v, _)| v.starts_with(&value.to_lowercase()))
                    .map(|(v, _)| {
                        let takes_arg = matches!(*v, "org" | "as");
                        format!("{v}{}", if takes_arg { " " } else { "" })
                    })
                    .collect(),
                Some((verb, arg)) => {
                    let arg = arg.trim().to_lowercase();
                    args(verb)
                        .into_iter()
                        .filter(|a| a.to_lowercase().starts_with(&arg))
                        .map(|a| format!("{verb} {a}"))
                        .collect()
                }
            };
            self.index = 0;
        }
        if let Some(c) = self.candidates.get(self.index) {
            self.input = Input::new(c.clone());
            // Keep the cycle: the new value is a candidate, not a fresh prefix.
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    #[test]
    fn parses_verbs_prefixes_and_arguments() {
        assert_eq!(parse(":approvals"), Ok(Cmd::Tab(3)));
        assert_eq!(parse("appr"), Ok(Cmd::Tab(3)));
        assert_eq!(parse("org acme"), Ok(Cmd::Org("acme".into())));
        assert_eq!(
            parse("as bob@acme.example"),
            Ok(Cmd::As("bob@acme.example".into()))
        );
        assert_eq!(parse("q"), Ok(Cmd::Quit));
        assert_eq!(parse("org"), Ok(Cmd::OrgPicker));
        assert_eq!(parse("org create"), Ok(Cmd::OrgCreate));
        assert_eq!(parse("org settings"), Ok(Cmd::Settings));
        assert_eq!(parse("settings"), Ok(Cmd::Settings));
        assert_eq!(parse("prof"), Ok(Cmd::Profile));
        assert!(parse("as").is_err());
        assert!(parse("frobnicate").is_err());
        assert!(parse("in").unwrap_err().contains("could be"));
    }

    #[test]
    fn tab_completes_verbs_then_arguments() {
        let mut c = CmdLine::default();
        let args = |verb: &str| {
            if verb == "org" {
                vec!["acme".to_string(), "globex".to_string()]
            } else {
                vec![]
            }
        };
        let k = |code| KeyEvent::new(code, KeyModifiers::NONE);
        c.handle(&k(KeyCode::Char('o')), &args);
        c.handle(&k(KeyCode::Char('r')), &args);
        c.handle(&k(KeyCode::Tab), &args);
        assert_eq!(c.input.value(), "org ");
        c.candidates.clear();
        c.handle(&k(KeyCode::Char('g')), &args);
        c.handle(&k(KeyCode::Tab), &args);
        assert_eq!(c.input.value(), "org globex");
        c.candidates.clear();
        c.input = Input::new("org ".into());
        c.handle(&k(KeyCode::Tab), &args);
        assert_eq!(c.input.value(), "org acme");
        c.handle(&k(KeyCode::Tab), &args);
        assert_eq!(c.input.value(), "org globex");
    }

    #[test]
    fn a_server_console_is_not_offered_acting_as_someone_else() {
        let k = |code| KeyEvent::new(code, KeyModifiers::NONE);
        let none = |_: &str| vec![];
        for (remote, offered) in [(false, true), (true, false)] {
            let mut c = CmdLine {
                remote,
                ..CmdLine::default()
            };
            c.handle(&k(KeyCode::Char('o')), &none);
            c.handle(&k(KeyCode::Char('p')), &none);
            c.handle(&k(KeyCode::Tab), &none);
            assert_eq!(c.input.value() == "operator", offered, "remote: {remote}");
            assert_eq!(verbs(remote).any(|(v, _)| *v == "as"), offered);
        }
    }
}
