//! The sign-in screen: the console started against a server with no token configured
//! asks for organisation, email and password (masked), signs in (`POST /v1/sessions`,
//! an effect), and continues with the session it got. Pure state and keys; the runtime
//! performs the sign-in and hands the connection over.

use super::app::{App, Busy, Effect, Modal};
use super::link::Link;
use crate::core::Principal;
use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use std::fmt;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

/// Where to sign in, from the command line or the context.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignInTarget {
    pub server: String,
    pub org: Option<String>,
    /// The context of the config file this server came from: a kept session goes back
    /// into it.
    pub context: Option<String>,
    /// Why the console asks (a saved session that expired or was revoked), in words.
    pub reason: Option<String>,
}

/// A typed password: never shown, never in a log line or a `Debug` print.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(pub String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(hidden)")
    }
}

pub const FIELDS: [&str; 3] = ["Organisation", "Email", "Password"];

#[derive(Clone)]
pub struct SignIn {
    pub server: String,
    pub inputs: [Input; 3],
    pub focus: usize,
    /// Why the last attempt failed, in words.
    pub error: Option<String>,
    /// Keep the session (saved as a context of the config file, 0600, like `roster
    /// login`) so the next start does not ask again. Ctrl-K toggles it.
    pub keep: bool,
    /// The context to keep it in (else one named after the organisation).
    pub context: Option<String>,
}

impl fmt::Debug for SignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignIn")
            .field("server", &self.server)
            .field("org", &self.inputs[0].value())
            .field("email", &self.inputs[1].value())
            .field("focus", &self.focus)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl SignIn {
    pub fn new(target: SignInTarget) -> SignIn {
        let org = target.org.unwrap_or_default();
        let focus = if org.is_empty() { 0 } else { 1 };
        SignIn {
            server: target.server,
            inputs: [Input::new(org), Input::default(), Input::default()],
            focus,
            // Someone who kept a session before wants it kept again.
            keep: target.context.is_some() && target.reason.is_some(),
            error: target.reason,
            context: target.context,
        }
    }

    /// What field `i` shows: the password as one `•` per character.
    pub fn shown(&self, i: usize) -> String {
        let v = self.inputs[i].value();
        if i == 2 {
            "•".repeat(v.chars().count())
        } else {
            v.to_string()
        }
    }
}

impl App {
    /// Opens the console on the sign-in screen (no token for the server).
    pub fn begin_sign_in(&mut self, target: SignInTarget) {
        self.link = Link::new(target.server.clone());
        self.modal = Some(Modal::SignIn(Box::new(SignIn::new(target))));
    }
}

/// A key on the sign-in screen.
pub fn on_key(app: &mut App, mut s: Box<SignIn>, key: KeyEvent) -> Vec<Effect> {
    let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        _ if ctrl_c => {
            app.quit = true;
            return vec![Effect::Quit];
        }
        KeyCode::Esc => {
            if app.busy.is_some() {
                app.modal = Some(Modal::SignIn(s));
                return vec![];
            }
            app.quit = true;
            return vec![Effect::Quit];
        }
        KeyCode::Char('k') if key.modifiers.contains(KeyModifiers::CONTROL) => s.keep = !s.keep,
        KeyCode::Tab | KeyCode::Down => s.focus = (s.focus + 1) % FIELDS.len(),
        KeyCode::BackTab | KeyCode::Up => s.focus = (s.focus + FIELDS.len() - 1) % FIELDS.len(),
        KeyCode::Enter => {
            if app.busy.is_some() {
                app.modal = Some(Modal::SignIn(s));
                return vec![];
            }
            let missing = (0..FIELDS.len()).find(|&i| s.inputs[i].value().trim().is_empty());
            if let Some(i) = missing {
                if i < s.focus || s.focus == FIELDS.len() - 1 {
                    s.error = Some(format!("{} is empty", FIELDS[i]));
                }
                s.focus = i;
                app.modal = Some(Modal::SignIn(s));
                return vec![];
            }
            let effect = Effect::SignIn {
                server: s.server.clone(),
                org: s.inputs[0].value().trim().to_string(),
                email: s.inputs[1].value().trim().to_string(),
                password: Password(s.inputs[2].value().to_string()),
                keep: s.keep.then(|| {
                    s.context
                        .clone()
                        .unwrap_or_else(|| s.inputs[0].value().trim().to_string())
                }),
            };
            s.error = None;
            app.busy = Some(Busy {
                op: 0,
                title: "Signing in".into(),
                done: 0,
                total: 1,
                cancelling: false,
            });
            app.modal = Some(Modal::SignIn(s));
            return vec![effect];
        }
        _ => {
            let i = s.focus;
            s.inputs[i].handle_event(&TermEvent::Key(key));
        }
    }
    app.modal = Some(Modal::SignIn(s));
    vec![]
}

/// The sign-in answered: continue as the session's principal, or say why not.
pub fn signed_in(app: &mut App, result: Result<Principal, String>, fx: &mut Vec<Effect>) {
    app.busy = None;
    match result {
        Ok(who) => {
            let (server, kept) = match app.modal.take() {
                Some(Modal::SignIn(s)) => {
                    let kept = s.keep.then(|| {
                        s.context
                            .clone()
                            .unwrap_or_else(|| s.inputs[0].value().trim().to_string())
                    });
                    (s.server, kept)
                }
                other => {
                    app.modal = other;
                    (app.link.label.clone(), None)
                }
            };
            app.has_store = true;
            app.link = Link::new(server);
            app.who = who;
            match kept {
                Some(name) => app.ok(format!(
                    "Signed in: the session is kept as context '{name}' in the config file (roster logout ends it)"
                )),
                None => app.ok("Signed in: the session lasts until it expires or is revoked"),
            }
            app.maybe_load(fx);
        }
        Err(e) => {
            if let Some(Modal::SignIn(s)) = app.modal.as_mut() {
                s.inputs[2] = Input::default();
                s.focus = 2;
                s.error = Some(e);
            }
        }
    }
}
