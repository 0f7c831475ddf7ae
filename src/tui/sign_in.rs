//! The sign-in screen: the console started against a server with no token configured
//! asks for organisation, email and password (masked), signs in (`POST /v1/sessions`,
//! an effect), and continues with the session it got. Pure state and keys; the runtime
//! performs the sign-in and hands the connection over.

pub use super::sign_in_form::{FIELDS, Password, SignIn, SignInTarget};

use super::feedback::Busy;
use super::link::Link;
use super::modal::Modal;
use super::msg::Effect;
use super::state::App;
use crate::core::Principal;
use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

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
