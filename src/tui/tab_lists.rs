//! The tabs' lists seen alike: the list of the tab shown (`current`), its filters
//! re-applied, switching tabs. The Users, Approvals and Invitations tabs add their own
//! predicates (status, decided, invitation status) on top of the `/` filter.

use super::data::*;
use super::list::List;
use super::state::App;
use crate::core::query::{Area, StatusFilter};
use crate::core::*;

/// The Users tab's own filters: seed 003's active / disabled / any, and seed 002's
/// "N User Approval Pending" button.
pub fn user_visible(r: &UserRow, status: StatusFilter, pending_only: bool) -> bool {
    if pending_only {
        r.account.approval == Approval::Pending
    } else {
        status.matches(&r.account)
    }
}

/// The list operations every tab shares, without knowing the row type.
pub(super) trait AnyList {
    fn move_by(&mut self, d: isize);
    fn top(&mut self);
    fn bottom(&mut self);
    fn toggle_mark(&mut self);
    fn toggle_mark_all(&mut self);
    fn clear_marks(&mut self);
    fn marks(&self) -> usize;
    fn filter_text(&mut self) -> &mut String;
    fn cycle_sort(&mut self);
    fn reverse(&mut self);
    fn scroll(&mut self, h: usize);
    fn refilter_plain(&mut self);
    fn keep_cursor(&mut self);
}

impl<R: super::list::Item> AnyList for List<R> {
    fn move_by(&mut self, d: isize) {
        List::move_by(self, d)
    }
    fn top(&mut self) {
        List::top(self)
    }
    fn bottom(&mut self) {
        List::bottom(self)
    }
    fn toggle_mark(&mut self) {
        List::toggle_mark(self)
    }
    fn toggle_mark_all(&mut self) {
        List::toggle_mark_all(self)
    }
    fn clear_marks(&mut self) {
        self.marks.clear()
    }
    fn marks(&self) -> usize {
        self.marks.len()
    }
    fn filter_text(&mut self) -> &mut String {
        &mut self.filter
    }
    fn cycle_sort(&mut self) {
        // The tab predicate is re-applied by `refilter_current` right after.
        List::cycle_sort(self, |_| true)
    }
    fn reverse(&mut self) {
        List::reverse(self, |_| true)
    }
    fn scroll(&mut self, h: usize) {
        self.scroll_into_view(h)
    }
    fn refilter_plain(&mut self) {
        self.refilter(|_| true)
    }
    fn keep_cursor(&mut self) {
        List::keep_cursor(self)
    }
}

impl App {
    pub(super) fn current(&mut self) -> &mut dyn AnyList {
        match self.tab {
            Area::Users => &mut self.users,
            Area::Roles => &mut self.roles,
            Area::Contracts => &mut self.contracts,
            Area::Approvals => &mut self.requests,
            Area::Groups => &mut self.groups,
            Area::Programs => &mut self.programs,
            Area::Invitations => &mut self.invitations,
            Area::Audit => &mut self.audit,
        }
    }

    /// Re-applies the current tab's filters (after the fuzzy text or a sort changed).
    pub(super) fn refilter_current(&mut self) {
        match self.tab {
            Area::Users => {
                let (s, p) = (self.user_status, self.pending_only);
                let sticky = &self.sticky;
                self.users
                    .refilter(|r| user_visible(r, s, p) || sticky.contains(&r.account.id));
            }
            Area::Approvals => {
                let d = self.show_decided;
                self.requests
                    .refilter(|r| d || r.request.status == RequestStatus::Pending);
            }
            Area::Invitations => {
                let s = self.invitation_status;
                self.invitations
                    .refilter(|r| s.is_none_or(|x| r.status == x));
            }
            _ => self.current().refilter_plain(),
        }
        let h = self.list_height();
        self.current().scroll(h);
    }

    pub(super) fn refilter(&mut self) {
        self.refilter_current();
    }

    pub(super) fn switch_tab(&mut self, area: Area) {
        if !self.snap.areas.contains(&area) {
            self.error(format!(
                "{} is not available to {}",
                area.title(),
                self.who_label()
            ));
            return;
        }
        self.tab = area;
        self.detail = None;
        self.filtering = None;
        self.sticky.clear();
        let h = self.list_height();
        self.current().scroll(h);
    }
}
