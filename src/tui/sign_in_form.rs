//! The sign-in screen's state: where to sign in, the three fields (the password
//! masked, never printed in a debug dump) and which one has the focus. Plain data: the
//! state machine's `Modal` and `Effect` carry it; the keys are handled in `sign_in`.

use std::fmt;
use tui_input::Input;

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
