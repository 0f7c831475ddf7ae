//! Book-keeping for loads: which reply is the one we wait for, what the person is
//! waiting for, and what Esc goes back to.
//!
//! Every load carries a generation number; a reply with another number is late (a
//! newer load was asked for, or Esc abandoned it) and is dropped. The backend call
//! itself cannot be interrupted, but nothing it returns is shown any more.

use super::data::AuditFilter;
use crate::core::{OrgId, Principal};

/// Spinner frames; one per tick while a load runs.
const FRAMES: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

/// A background reload that takes this many ticks shows itself too (at the default
/// tick, a second): a quick one never flickers over the last result.
const SLOW_TICKS: u32 = 2;

/// What a snapshot was (or is being) loaded for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadKey {
    pub who: Option<Principal>,
    pub org: Option<OrgId>,
    pub audit: AuditFilter,
}

#[derive(Debug, Default)]
pub struct Loading {
    /// The generation of the newest snapshot load.
    pub generation: u64,
    pub in_flight: bool,
    /// A reload was asked for while one was running.
    pub again: bool,
    /// What the person is waiting for ("Opening Acme Support"); `None` for a reload
    /// nobody asked for.
    pub label: Option<String>,
    /// Ticks since the load started.
    pub ticks: u32,
    /// Live reloads stay off after Esc abandoned one, until Ctrl-R or a change.
    pub paused: bool,
    /// What the rows on screen were loaded for, and what the load in flight is for.
    pub shown: LoadKey,
    pub wanted: LoadKey,
    /// Paging back through the audit trail.
    pub audit_generation: u64,
    pub audit_in_flight: bool,
    /// The last audit load or page was full: older events may exist.
    pub audit_more: bool,
    /// What the audit page in flight was asked for: a page for another organisation,
    /// identity or filter than the rows on screen is dropped.
    pub audit_key: LoadKey,
}

impl Loading {
    /// Starts a snapshot load; returns its generation.
    pub fn start(&mut self, wanted: LoadKey) -> u64 {
        self.generation += 1;
        self.in_flight = true;
        self.again = false;
        self.ticks = 0;
        self.wanted = wanted;
        self.generation
    }

    /// A reply arrived: whether it is the one we wait for.
    pub fn finish(&mut self, generation: u64) -> bool {
        if generation != self.generation || !self.in_flight {
            return false;
        }
        self.in_flight = false;
        self.label = None;
        self.shown = self.wanted.clone();
        true
    }

    pub fn start_audit_page(&mut self) -> u64 {
        self.audit_generation += 1;
        self.audit_in_flight = true;
        self.ticks = 0;
        self.audit_key = self.shown.clone();
        self.audit_generation
    }

    /// An audit page arrived: whether it belongs to the rows on screen.
    pub fn finish_audit_page(&mut self, generation: u64) -> bool {
        if generation != self.audit_generation || !self.audit_in_flight {
            return false;
        }
        self.audit_in_flight = false;
        self.audit_key == self.shown
    }

    pub fn tick(&mut self) {
        if self.in_flight || self.audit_in_flight {
            self.ticks = self.ticks.saturating_add(1);
        }
    }

    /// The line to show while something loads, with a spinner frame; `None` while
    /// nothing worth mentioning runs.
    pub fn visible(&self) -> Option<String> {
        let frame = FRAMES[self.ticks as usize % FRAMES.len()];
        if self.audit_in_flight {
            return Some(format!("{frame} Loading older events…"));
        }
        if !self.in_flight {
            return None;
        }
        match &self.label {
            Some(l) => Some(format!("{frame} {l}…")),
            None if self.ticks >= SLOW_TICKS => Some(format!("{frame} Loading…")),
            None => None,
        }
    }

    /// Esc: drops the loads in flight, so their replies are ignored when they come.
    /// Returns false when nothing visible was running.
    pub fn abandon(&mut self) -> bool {
        if self.visible().is_none() {
            return false;
        }
        if self.in_flight {
            self.generation += 1;
            self.in_flight = false;
            self.again = false;
            self.paused = true;
        }
        if self.audit_in_flight {
            self.audit_generation += 1;
            self.audit_in_flight = false;
        }
        self.label = None;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_reply_is_ignored_after_esc() {
        let mut l = Loading::default();
        let g = l.start(LoadKey::default());
        l.label = Some("Opening Acme".into());
        assert!(l.visible().is_some_and(|v| v.contains("Opening Acme")));
        assert!(l.abandon());
        assert!(!l.finish(g), "the abandoned reply is dropped");
        assert!(l.paused);
        assert!(l.visible().is_none());
    }

    #[test]
    fn an_audit_page_for_another_trail_is_dropped() {
        let mut l = Loading::default();
        let g = l.start(LoadKey::default());
        assert!(l.finish(g));
        let page = l.start_audit_page();
        // Meanwhile another organisation was opened.
        let other = LoadKey {
            org: Some(crate::core::OrgId(9)),
            ..LoadKey::default()
        };
        let g = l.start(other);
        assert!(l.finish(g));
        assert!(!l.finish_audit_page(page));
        assert!(!l.audit_in_flight);
    }

    #[test]
    fn a_quick_background_reload_stays_quiet() {
        let mut l = Loading::default();
        let g = l.start(LoadKey::default());
        assert!(l.visible().is_none());
        assert!(!l.abandon(), "nothing visible to stop");
        l.tick();
        l.tick();
        assert!(l.visible().is_some(), "a slow one shows itself");
        assert!(l.finish(g));
        assert!(l.visible().is_none());
    }
}
