//! The one keymap table: key, action, description, context. Dispatch looks keys up
//! here, the footer shows the entries marked for it, and `?` help lists every entry of
//! the current contexts, so what the screen says and what the keys do cannot drift
//! apart. The config file can rebind any action (see `assets/config.toml`).

pub use super::key_table::Binding;
pub use super::keys::{Action, Ctx, Key, tab_ctx};

use super::key_table::DEFAULTS;
use crossterm::event::KeyEvent;
use std::collections::BTreeMap;

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
    use crossterm::event::{KeyCode, KeyModifiers};

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
