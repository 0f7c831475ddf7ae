//! Small dialogs: a yes/no confirmation, the per-row results of a bulk action, and a
//! fuzzy picker for choosing an account, a role or a group.

use super::fault::LoadError;
use super::filter::Fuzzy;
use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

/// What one run of jobs came to, row by row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub title: String,
    pub total: usize,
    /// Rows that went through, in words.
    pub ok: Vec<String>,
    /// Rows the core refused: (row, reason).
    pub refused: Vec<(String, String)>,
    /// Stopped by Esc before every row was tried.
    pub cancelled: bool,
    /// A refusal was a stale-edit conflict.
    pub stale: bool,
    /// One-time link secrets to hand over: (whom, secret).
    pub secrets: Vec<(String, String)>,
    /// The store itself failed (not a refusal): the run stopped here.
    pub failed: Option<String>,
    /// What stopped the run, as the backend said it (`failed` is what is shown).
    pub cause: Option<LoadError>,
    /// Rows scrolled past in the popup.
    pub scroll: u16,
}

impl Report {
    pub fn tried(&self) -> usize {
        self.ok.len() + self.refused.len()
    }

    /// One line for the status bar.
    pub fn headline(&self) -> String {
        let mut s = format!("{}: {} of {} done", self.title, self.ok.len(), self.total);
        if !self.refused.is_empty() {
            s.push_str(&format!(", {} refused", self.refused.len()));
        }
        if self.cancelled {
            s.push_str(&format!(", cancelled after {}", self.tried()));
        }
        if let Some(f) = &self.failed {
            s.push_str(&format!(" — {f}"));
        }
        s
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Confirm {
    pub title: String,
    pub lines: Vec<String>,
    /// The verb on the yes button ("Delete", "Approve").
    pub yes: String,
    /// Deletions and other permanent steps are drawn in the error colour.
    pub danger: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Undecided,
    Yes,
    No,
}

impl Confirm {
    pub fn handle(&self, key: &KeyEvent) -> Answer {
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => Answer::Yes,
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Char('q') => {
                Answer::No
            }
            _ => Answer::Undecided,
        }
    }
}

/// One thing a picker offers.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice<V> {
    pub label: String,
    pub hint: String,
    pub value: V,
}

#[derive(Clone, Debug)]
pub struct Picker<V> {
    pub title: String,
    pub choices: Vec<Choice<V>>,
    pub input: Input,
    view: Vec<usize>,
    pub cursor: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Picked<V> {
    Nothing,
    Chosen(V),
    Cancel,
}

impl<V: Clone> Picker<V> {
    pub fn new(title: impl Into<String>, choices: Vec<Choice<V>>) -> Self {
        let view = (0..choices.len()).collect();
        Picker {
            title: title.into(),
            choices,
            input: Input::default(),
            view,
            cursor: 0,
        }
    }

    /// Keeps the choices whose label or hint matches, best first (ties keep the
    /// offered order), and puts the cursor on the best.
    fn refilter(&mut self) {
        let mut f = Fuzzy::new(self.input.value());
        let mut scored: Vec<(usize, u32)> = self
            .choices
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                f.score(|field| {
                    field(&c.label);
                    field(&c.hint);
                })
                .map(|s| (i, s))
            })
            .collect();
        scored.sort_by_key(|&(_, s)| std::cmp::Reverse(s));
        self.view = scored.into_iter().map(|(i, _)| i).collect();
        self.cursor = 0;
    }

    pub fn visible(&self) -> impl Iterator<Item = &Choice<V>> {
        self.view.iter().map(|&i| &self.choices[i])
    }

    pub fn len(&self) -> usize {
        self.view.len()
    }

    pub fn is_empty(&self) -> bool {
        self.view.is_empty()
    }

    pub fn handle(&mut self, key: &KeyEvent) -> Picked<V> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => Picked::Cancel,
            KeyCode::Enter => match self.view.get(self.cursor) {
                Some(&i) => Picked::Chosen(self.choices[i].value.clone()),
                None => Picked::Nothing,
            },
            KeyCode::Down | KeyCode::Tab => {
                if self.cursor + 1 < self.view.len() {
                    self.cursor += 1;
                }
                Picked::Nothing
            }
            KeyCode::Char('n') if ctrl => {
                if self.cursor + 1 < self.view.len() {
                    self.cursor += 1;
                }
                Picked::Nothing
            }
            KeyCode::Up | KeyCode::BackTab => {
                self.cursor = self.cursor.saturating_sub(1);
                Picked::Nothing
            }
            KeyCode::Char('p') if ctrl => {
                self.cursor = self.cursor.saturating_sub(1);
                Picked::Nothing
            }
            KeyCode::PageDown => {
                self.cursor = (self.cursor + 10).min(self.view.len().saturating_sub(1));
                Picked::Nothing
            }
            KeyCode::PageUp => {
                self.cursor = self.cursor.saturating_sub(10);
                Picked::Nothing
            }
            _ => {
                if self.input.handle_event(&TermEvent::Key(*key)).is_some() {
                    self.refilter();
                }
                Picked::Nothing
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn picker_narrows_as_you_type_and_returns_the_choice() {
        let choices = [
            "alice@acme.example",
            "bob@acme.example",
            "carol@acme.example",
        ]
        .iter()
        .enumerate()
        .map(|(i, l)| Choice {
            label: l.to_string(),
            hint: String::new(),
            value: i,
        })
        .collect();
        let mut p = Picker::new("Pick", choices);
        for c in "bob".chars() {
            p.handle(&k(KeyCode::Char(c)));
        }
        assert_eq!(p.len(), 1);
        assert_eq!(p.handle(&k(KeyCode::Enter)), Picked::Chosen(1));
        assert_eq!(p.handle(&k(KeyCode::Esc)), Picked::Cancel);
    }

    #[test]
    fn headline_counts_refusals_and_cancellation() {
        let r = Report {
            title: "Approve".into(),
            total: 5,
            ok: vec!["a".into(), "b".into()],
            refused: vec![("c".into(), "no".into())],
            cancelled: true,
            ..Default::default()
        };
        assert_eq!(
            r.headline(),
            "Approve: 2 of 5 done, 1 refused, cancelled after 3"
        );
    }
}
