//! Forms: text fields (tui-input), on/off toggles and checklists, with a Save and a
//! Cancel stop at the end. Keys: Tab/↓ next, Shift-Tab/↑ previous, Space toggles,
//! Enter moves on (and saves on Save), Ctrl-S saves from anywhere, Esc cancels.

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

#[derive(Clone, Debug)]
pub struct CheckItem {
    pub label: String,
    pub hint: String,
    pub on: bool,
    /// What the item stands for (a permission, a role id, …), read back on save.
    pub value: String,
}

#[derive(Clone, Debug)]
pub enum FieldKind {
    Text(Input),
    Toggle(bool),
    Check {
        items: Vec<CheckItem>,
        cursor: usize,
    },
}

#[derive(Clone, Debug)]
pub struct Field {
    pub label: String,
    pub kind: FieldKind,
}

impl Field {
    pub fn text(label: &str, value: &str) -> Field {
        Field {
            label: label.into(),
            kind: FieldKind::Text(Input::new(value.to_string())),
        }
    }
    pub fn toggle(label: &str, on: bool) -> Field {
        Field {
            label: label.into(),
            kind: FieldKind::Toggle(on),
        }
    }
    pub fn check(label: &str, items: Vec<CheckItem>) -> Field {
        Field {
            label: label.into(),
            kind: FieldKind::Check { items, cursor: 0 },
        }
    }
}

/// What a key did to the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormEvent {
    None,
    Submit,
    Cancel,
}

#[derive(Clone, Debug)]
pub struct Form {
    pub title: String,
    pub fields: Vec<Field>,
    /// `fields.len()` is the Save button, `fields.len() + 1` Cancel.
    pub focus: usize,
    pub submit_label: String,
    /// Shown under the fields (a refusal or a hint).
    pub note: Option<String>,
}

impl Form {
    pub fn new(title: impl Into<String>, fields: Vec<Field>) -> Form {
        Form {
            title: title.into(),
            fields,
            focus: 0,
            submit_label: "Save".into(),
            note: None,
        }
    }

    pub fn with_note(mut self, s: &str) -> Form {
        self.note = Some(s.into());
        self
    }

    pub fn submit_label(mut self, s: &str) -> Form {
        self.submit_label = s.into();
        self
    }

    fn stops(&self) -> usize {
        self.fields.len() + 2
    }

    pub fn on_save(&self) -> bool {
        self.focus == self.fields.len()
    }

    pub fn on_cancel(&self) -> bool {
        self.focus == self.fields.len() + 1
    }

    pub fn text(&self, i: usize) -> String {
        match self.fields.get(i).map(|f| &f.kind) {
            Some(FieldKind::Text(inp)) => inp.value().trim().to_string(),
            _ => String::new(),
        }
    }

    pub fn on(&self, i: usize) -> bool {
        matches!(
            self.fields.get(i).map(|f| &f.kind),
            Some(FieldKind::Toggle(true))
        )
    }

    /// The values of the checked items of a checklist field.
    pub fn checked(&self, i: usize) -> Vec<String> {
        match self.fields.get(i).map(|f| &f.kind) {
            Some(FieldKind::Check { items, .. }) => items
                .iter()
                .filter(|x| x.on)
                .map(|x| x.value.clone())
                .collect(),
            _ => vec![],
        }
    }

    fn next(&mut self) {
        self.focus = (self.focus + 1) % self.stops();
    }

    fn prev(&mut self) {
        self.focus = (self.focus + self.stops() - 1) % self.stops();
    }

    pub fn focused_text(&self) -> bool {
        matches!(
            self.fields.get(self.focus).map(|f| &f.kind),
            Some(FieldKind::Text(_))
        )
    }

    pub fn handle(&mut self, key: &KeyEvent) -> FormEvent {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('s') {
            return FormEvent::Submit;
        }
        match key.code {
            KeyCode::Esc => return FormEvent::Cancel,
            KeyCode::Tab => {
                self.next();
                return FormEvent::None;
            }
            KeyCode::BackTab => {
                self.prev();
                return FormEvent::None;
            }
            _ => {}
        }
        if self.on_save() || self.on_cancel() {
            return match key.code {
                KeyCode::Enter | KeyCode::Char(' ') if self.on_save() => FormEvent::Submit,
                KeyCode::Enter | KeyCode::Char(' ') => FormEvent::Cancel,
                KeyCode::Down | KeyCode::Right => {
                    self.next();
                    FormEvent::None
                }
                KeyCode::Up | KeyCode::Left => {
                    self.prev();
                    FormEvent::None
                }
                _ => FormEvent::None,
            };
        }
        let focus = self.focus;
        let last = self.fields.len() == focus + 1;
        let Some(field) = self.fields.get_mut(focus) else {
            return FormEvent::None;
        };
        match &mut field.kind {
            FieldKind::Text(input) => match key.code {
                KeyCode::Enter => {
                    // Enter on the last field saves: a one-field prompt needs no Tab.
                    if last {
                        return FormEvent::Submit;
                    }
                    self.next();
                }
                KeyCode::Down => self.next(),
                KeyCode::Up => self.prev(),
                _ => {
                    input.handle_event(&TermEvent::Key(*key));
                }
            },
            FieldKind::Toggle(on) => match key.code {
                KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right => *on = !*on,
                KeyCode::Enter | KeyCode::Down => self.next(),
                KeyCode::Up => self.prev(),
                _ => {}
            },
            FieldKind::Check { items, cursor } => match key.code {
                KeyCode::Char(' ') => {
                    if let Some(it) = items.get_mut(*cursor) {
                        it.on = !it.on;
                    }
                }
                KeyCode::Down | KeyCode::Char('j') => {
                    if *cursor + 1 < items.len() {
                        *cursor += 1;
                    } else {
                        self.next();
                    }
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    if *cursor > 0 {
                        *cursor -= 1;
                    } else {
                        self.prev();
                    }
                }
                KeyCode::Char('*') => {
                    let all = items.iter().all(|i| i.on);
                    for i in items.iter_mut() {
                        i.on = !all;
                    }
                }
                KeyCode::Enter => self.next(),
                _ => {}
            },
        }
        FormEvent::None
    }

    /// Lines the form needs to show every field (checklists count their items, capped).
    pub fn height(&self, max_check: usize) -> usize {
        let fields: usize = self
            .fields
            .iter()
            .map(|f| match &f.kind {
                FieldKind::Check { items, .. } => 1 + items.len().min(max_check),
                _ => 1,
            })
            .sum();
        fields + 2 + usize::from(self.note.is_some()) * 3
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn typed(f: &mut Form, s: &str) {
        for c in s.chars() {
            f.handle(&k(KeyCode::Char(c)));
        }
    }

    #[test]
    fn typing_tabbing_toggling_and_saving() {
        let mut f = Form::new(
            "t",
            vec![Field::text("Name", ""), Field::toggle("Enabled", true)],
        );
        typed(&mut f, "Ann");
        assert_eq!(f.text(0), "Ann");
        f.handle(&k(KeyCode::Tab));
        f.handle(&k(KeyCode::Char(' ')));
        assert!(!f.on(1));
        f.handle(&k(KeyCode::Tab));
        assert!(f.on_save());
        assert_eq!(f.handle(&k(KeyCode::Enter)), FormEvent::Submit);
        assert_eq!(f.handle(&k(KeyCode::Esc)), FormEvent::Cancel);
    }

    #[test]
    fn space_is_text_in_a_text_field() {
        let mut f = Form::new("t", vec![Field::text("Name", "")]);
        typed(&mut f, "Ann Lee");
        assert_eq!(f.text(0), "Ann Lee");
        assert_eq!(f.handle(&k(KeyCode::Enter)), FormEvent::Submit);
    }

    #[test]
    fn checklists_move_and_check() {
        let items = ["a", "b"]
            .iter()
            .map(|v| CheckItem {
                label: v.to_string(),
                hint: String::new(),
                on: false,
                value: v.to_string(),
            })
            .collect();
        let mut f = Form::new("t", vec![Field::check("Perms", items)]);
        f.handle(&k(KeyCode::Down));
        f.handle(&k(KeyCode::Char(' ')));
        assert_eq!(f.checked(0), vec!["b".to_string()]);
        f.handle(&k(KeyCode::Char('*')));
        assert_eq!(f.checked(0).len(), 2);
        f.handle(&k(KeyCode::Down));
        assert!(f.on_save());
    }
}
