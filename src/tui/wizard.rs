//! The invitation wizard, in seed 001's steps: email → first and last name → roles and
//! programs → message → confirm. Each step is a small form; Enter goes on, Esc goes
//! back a step (and out from the first).

use super::form::{CheckItem, Field, Form, FormEvent};
use crate::core::{Command, Level, OrgId, ProgramId, ProgramOffer, RoleId, validate};
use crossterm::event::{KeyCode, KeyEvent};

pub const STEPS: [&str; 5] = ["Email", "Name", "Access", "Message", "Confirm"];

#[derive(Clone, Debug)]
pub struct Wizard {
    pub org: OrgId,
    pub step: usize,
    pub email: Form,
    pub names: Form,
    pub access: Form,
    pub message: Form,
    /// Shown on the current step (a bad email, a refusal from the core).
    pub note: Option<String>,
    /// Words for "admin" and "member" in this organisation.
    pub admin_word: String,
    pub member_word: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum WizardEvent {
    None,
    Cancel,
    Send(Box<Command>),
}

impl Wizard {
    /// `roles`: organisation roles as (id, name); `offers`: (program, role, label).
    pub fn new(
        org: OrgId,
        (admin_word, member_word): (&str, &str),
        roles: Vec<(RoleId, String)>,
        offers: Vec<(ProgramId, RoleId, String)>,
    ) -> Wizard {
        let role_items = roles
            .into_iter()
            .map(|(id, name)| CheckItem {
                label: name,
                hint: String::new(),
                on: false,
                value: id.to_string(),
            })
            .collect();
        let offer_items = offers
            .into_iter()
            .map(|(p, r, label)| CheckItem {
                label,
                hint: String::new(),
                on: false,
                value: format!("{p}:{r}"),
            })
            .collect();
        Wizard {
            org,
            step: 0,
            email: Form::new("Email", vec![Field::text("Email address", "")])
                .submit_label("Next >"),
            names: Form::new(
                "Name",
                vec![Field::text("First name", ""), Field::text("Last name", "")],
            )
            .submit_label("Next >"),
            access: Form::new(
                "Access",
                vec![
                    Field::toggle(&format!("Make {admin_word}"), false),
                    Field::check("Organisation roles", role_items),
                    Field::check("Programs", offer_items),
                ],
            )
            .submit_label("Next >"),
            message: Form::new("Message", vec![Field::text("Message (optional)", "")])
                .submit_label("Next >"),
            note: None,
            admin_word: admin_word.to_string(),
            member_word: member_word.to_string(),
        }
    }

    /// Checks these organisation roles on the Access step (the wizard opened from the
    /// Roles tab with them selected).
    pub fn check_roles(&mut self, roles: &[RoleId]) {
        if let Some(super::form::FieldKind::Check { items, .. }) =
            self.access.fields.get_mut(1).map(|f| &mut f.kind)
        {
            for it in items.iter_mut() {
                if roles.iter().any(|r| r.to_string() == it.value) {
                    it.on = true;
                }
            }
        }
    }

    pub fn form(&self) -> Option<&Form> {
        match self.step {
            0 => Some(&self.email),
            1 => Some(&self.names),
            2 => Some(&self.access),
            3 => Some(&self.message),
            _ => None,
        }
    }

    fn form_mut(&mut self) -> Option<&mut Form> {
        match self.step {
            0 => Some(&mut self.email),
            1 => Some(&mut self.names),
            2 => Some(&mut self.access),
            3 => Some(&mut self.message),
            _ => None,
        }
    }

    /// The command the wizard will send (without the link secret, added when it runs).
    pub fn command(&self) -> Command {
        let roles = self
            .access
            .checked(1)
            .iter()
            .filter_map(|r| r.parse().ok())
            .collect();
        let programs = self
            .access
            .checked(2)
            .iter()
            .filter_map(|v| {
                let (p, r) = v.split_once(':')?;
                Some(ProgramOffer {
                    program: p.parse().ok()?,
                    role: r.parse().ok()?,
                })
            })
            .collect();
        Command::Invite {
            org: self.org,
            email: self.email.text(0),
            first_name: self.names.text(0),
            last_name: self.names.text(1),
            message: self.message.text(0),
            level: if self.access.on(0) {
                Level::Admin
            } else {
                Level::Member
            },
            roles,
            programs,
            expires: None,
            secret_hash: None,
        }
    }

    /// The confirm step's summary.
    pub fn summary(&self) -> Vec<(String, String)> {
        let labels = |i: usize| -> Vec<String> {
            match self.access.fields.get(i).map(|f| &f.kind) {
                Some(super::form::FieldKind::Check { items, .. }) => items
                    .iter()
                    .filter(|x| x.on)
                    .map(|x| x.label.clone())
                    .collect(),
                _ => vec![],
            }
        };
        let or_none = |v: Vec<String>| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(", ")
            }
        };
        let name = format!("{} {}", self.names.text(0), self.names.text(1))
            .trim()
            .to_string();
        let msg = self.message.text(0);
        vec![
            ("Email".into(), self.email.text(0)),
            (
                "Name".into(),
                if name.is_empty() {
                    "(none given)".into()
                } else {
                    name
                },
            ),
            (
                "Level".into(),
                if self.access.on(0) {
                    self.admin_word.clone()
                } else {
                    self.member_word.clone()
                },
            ),
            ("Roles".into(), or_none(labels(1))),
            ("Programs".into(), or_none(labels(2))),
            (
                "Message".into(),
                if msg.is_empty() { "(none)".into() } else { msg },
            ),
        ]
    }

    fn advance(&mut self) {
        if self.step == 0
            && let Err(e) = validate::email(&self.email.text(0))
        {
            self.note = Some(e.message().to_string());
            return;
        }
        self.note = None;
        self.step += 1;
        if let Some(f) = self.form_mut() {
            f.focus = 0;
        }
    }

    pub fn handle(&mut self, key: &KeyEvent) -> WizardEvent {
        if self.step >= 4 {
            return match key.code {
                KeyCode::Enter | KeyCode::Char('y') => WizardEvent::Send(Box::new(self.command())),
                KeyCode::Esc | KeyCode::Backspace => {
                    self.step = 3;
                    WizardEvent::None
                }
                _ => WizardEvent::None,
            };
        }
        let Some(form) = self.form_mut() else {
            return WizardEvent::None;
        };
        match form.handle(key) {
            FormEvent::Submit => self.advance(),
            FormEvent::Cancel if form.on_cancel() || self.step == 0 => return WizardEvent::Cancel,
            FormEvent::Cancel => {
                self.note = None;
                self.step -= 1;
            }
            FormEvent::None => {}
        }
        WizardEvent::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }
    fn typed(w: &mut Wizard, s: &str) {
        for c in s.chars() {
            w.handle(&k(KeyCode::Char(c)));
        }
    }

    #[test]
    fn walks_the_seed_steps_and_builds_the_invitation() {
        let mut w = Wizard::new(
            OrgId(1),
            ("Main User", "User"),
            vec![(RoleId(5), "Integrator".into())],
            vec![(ProgramId(9), RoleId(2), "Viewer in KB".into())],
        );
        typed(&mut w, "not an email");
        w.handle(&k(KeyCode::Enter));
        assert_eq!(w.step, 0, "a bad email stops at step 1");
        assert!(w.note.is_some());
        for _ in 0..20 {
            w.handle(&k(KeyCode::Backspace));
        }
        typed(&mut w, "dana@acme.example");
        w.handle(&k(KeyCode::Enter));
        assert_eq!(w.step, 1);
        typed(&mut w, "Dana");
        w.handle(&k(KeyCode::Enter));
        typed(&mut w, "Scully");
        w.handle(&k(KeyCode::Enter));
        assert_eq!(w.step, 2);
        w.handle(&k(KeyCode::Down)); // into the roles checklist
        w.handle(&k(KeyCode::Char(' ')));
        w.handle(&k(KeyCode::Down)); // into programs
        w.handle(&k(KeyCode::Char(' ')));
        w.handle(&KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        assert_eq!(w.step, 3);
        typed(&mut w, "Welcome aboard");
        w.handle(&k(KeyCode::Enter));
        assert_eq!(w.step, 4);
        let WizardEvent::Send(cmd) = w.handle(&k(KeyCode::Enter)) else {
            panic!("expected send")
        };
        match *cmd {
            Command::Invite {
                email,
                first_name,
                last_name,
                message,
                level,
                roles,
                programs,
                ..
            } => {
                assert_eq!(email, "dana@acme.example");
                assert_eq!(
                    (first_name.as_str(), last_name.as_str()),
                    ("Dana", "Scully")
                );
                assert_eq!(message, "Welcome aboard");
                assert_eq!(level, Level::Member);
                assert_eq!(roles, vec![RoleId(5)]);
                assert_eq!(
                    programs,
                    vec![ProgramOffer {
                        program: ProgramId(9),
                        role: RoleId(2)
                    }]
                );
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn escape_goes_back_a_step_then_out() {
        let mut w = Wizard::new(OrgId(1), ("Admin", "Member"), vec![], vec![]);
        typed(&mut w, "x@y.example");
        w.handle(&k(KeyCode::Enter));
        assert_eq!(w.handle(&k(KeyCode::Esc)), WizardEvent::None);
        assert_eq!(w.step, 0);
        assert_eq!(w.handle(&k(KeyCode::Esc)), WizardEvent::Cancel);
    }
}
