//! A snapshot comes in: its rows move into the tabs' lists (keeping cursors, marks and
//! filters), the audit trail joins what was paged in before, and the cursor lands
//! where the last action wants it. Also the audit trail's paging back.

use super::data::*;
use super::loading::LoadKey;
use super::msg::Effect;
use super::state::{App, Reselect};
use super::tab_lists::user_visible;
use crate::core::query::Area;
use crate::core::*;

impl App {
    pub(super) fn apply_snapshot(&mut self, mut snap: Snapshot, before: &LoadKey) -> Vec<Effect> {
        let mut fx = vec![];
        let (status, pending) = (self.user_status, self.pending_only);
        let sticky = &self.sticky;
        let decided = self.show_decided;
        let inv = self.invitation_status;
        // The rows move into the lists; the snapshot keeps the rest (counts, words).
        match self
            .users
            .reload_matching_later(std::mem::take(&mut snap.users))
        {
            Ok(()) => fx.extend(self.rematch(Area::Users)),
            Err(users) => self.users.set_rows(users, |r| {
                user_visible(r, status, pending) || sticky.contains(&r.account.id)
            }),
        }
        self.roles
            .set_rows(std::mem::take(&mut snap.roles), |_| true);
        self.contracts
            .set_rows(std::mem::take(&mut snap.contracts), |_| true);
        self.requests
            .set_rows(std::mem::take(&mut snap.requests), |r| {
                decided || r.request.status == RequestStatus::Pending
            });
        self.groups
            .set_rows(std::mem::take(&mut snap.groups), |_| true);
        self.programs
            .set_rows(std::mem::take(&mut snap.programs), |_| true);
        self.invitations
            .set_rows(std::mem::take(&mut snap.invitations), |r| {
                inv.is_none_or(|s| r.status == s)
            });
        let newest_before = self.audit.all().iter().map(|r| r.seq).max();
        let same_trail = before.who == self.loads.shown.who
            && before.audit == self.loads.shown.audit
            && self.snap.org.id == snap.org.id;
        let fresh = std::mem::take(&mut snap.audit);
        let (rows, more) = merge_audit(self.audit.all(), fresh, same_trail, self.loads.audit_more);
        self.loads.audit_more = more;
        self.audit.set_rows(rows, |_| true);
        if self.follow
            && self.audit.sort == 0
            && !self.audit.descending
            && newest_before != self.audit.all().iter().map(|r| r.seq).max()
        {
            self.audit.top();
        }
        self.org = snap.org.id;
        // A load that started before the creation finished may not show it yet: the
        // slug waits for one that does (a refused creation forgets it).
        if let Some(slug) = self.open_slug.clone()
            && let Some((id, _, name)) = snap
                .orgs
                .iter()
                .find(|(_, s, _)| s.eq_ignore_ascii_case(&slug))
        {
            self.open_slug = None;
            if Some(*id) != snap.org.id {
                self.org = Some(*id);
                self.detail = None;
                self.info(format!("Opening {name}…"));
                fx.push(self.load());
            }
        }
        let first_load = !self.loaded;
        self.snap = snap;
        self.loaded = true;
        if !self.snap.areas.contains(&self.tab)
            && let Some(first) = self.snap.areas.first().copied()
        {
            if !first_load {
                self.info(format!(
                    "{} is not available to {}",
                    self.tab.title(),
                    self.who_label()
                ));
            }
            self.tab = first;
            self.detail = None;
        }
        if self.snap.org.id.is_none() {
            self.info(match &self.who {
                Principal::Operator => format!(
                    "This {} has no organisation yet: :org create makes one",
                    self.link.noun()
                ),
                _ => "This account reaches no organisation".to_string(),
            });
        }
        match self.reselect.take() {
            Some(Reselect::Request(id)) => {
                self.requests.select(id);
            }
            Some(Reselect::Account(id)) => {
                self.users.select(id);
            }
            None => {}
        }
        if let Some(id) = self.reopen_edit.take() {
            self.open_edit_account(id, true);
        }
        if let Some(d) = &self.detail {
            let t = d.target;
            fx.push(self.load_detail(t));
        }
        self.scroll_all();
        fx
    }

    pub(super) fn scroll_all(&mut self) {
        let h = self.list_height();
        self.users.scroll_into_view(h);
        self.roles.scroll_into_view(h);
        self.contracts.scroll_into_view(h);
        self.requests.scroll_into_view(h);
        self.groups.scroll_into_view(h);
        self.programs.scroll_into_view(h);
        self.invitations.scroll_into_view(h);
        self.audit.scroll_into_view(h);
    }
}

/// The audit rows after a reload. A load brings the newest `AUDIT_LIMIT` events; rows
/// paged in earlier stay when they join up with them (the reload overlaps what was
/// there), so paging back is not lost on every change. Returns the rows and whether
/// older events may exist.
fn merge_audit(
    old: &[AuditRow],
    fresh: Vec<AuditRow>,
    same_trail: bool,
    old_more: bool,
) -> (Vec<AuditRow>, bool) {
    let full = fresh.len() >= AUDIT_LIMIT;
    if !full {
        // Everything there is, from the first event on.
        return (fresh, false);
    }
    let fresh_oldest = fresh.iter().map(|r| r.seq).min().unwrap_or(0);
    let old_newest = old.iter().map(|r| r.seq).max();
    match old_newest {
        Some(newest) if same_trail && newest >= fresh_oldest => {
            let mut rows = fresh;
            rows.extend(old.iter().filter(|r| r.seq < fresh_oldest).cloned());
            let paged = rows.len() > AUDIT_LIMIT;
            (rows, if paged { old_more } else { true })
        }
        // Another trail, or more happened since than one load holds: start again.
        _ => (fresh, true),
    }
}

impl App {
    /// On the Audit tab, at the last loaded event: asks for the ones before it.
    pub(super) fn maybe_older_audit(&mut self) -> Vec<Effect> {
        if self.tab != Area::Audit
            || self.detail.is_some()
            || !self.loads.audit_more
            || self.loads.audit_in_flight
            || self.audit.is_empty()
            || self.audit.cursor + 1 < self.audit.len()
        {
            return vec![];
        }
        let (Some(org), Some(oldest)) = (
            self.snap.org.id,
            self.audit.all().iter().map(|r| r.seq).min(),
        ) else {
            return vec![];
        };
        let generation = self.loads.start_audit_page();
        vec![Effect::LoadAudit {
            generation,
            who: self.who.clone(),
            org,
            audit: self.audit_filter.clone(),
            before: oldest,
        }]
    }

    pub(super) fn add_older_audit(&mut self, page: Vec<AuditRow>) {
        let n = page.len();
        self.loads.audit_more = n >= AUDIT_LIMIT;
        if n == 0 {
            self.info("That is the whole audit trail: nothing older");
            return;
        }
        let mut rows = self.audit.all().to_vec();
        let have: std::collections::BTreeSet<u64> = rows.iter().map(|r| r.seq).collect();
        rows.extend(page.into_iter().filter(|r| !have.contains(&r.seq)));
        self.audit.set_rows(rows, |_| true);
        self.info(if self.loads.audit_more {
            format!("Loaded {n} older events (more at the end)")
        } else {
            format!("Loaded {n} older events: the trail starts here")
        });
    }
}
