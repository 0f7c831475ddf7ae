//! The `/` filter of a large list, matched off the UI thread (see `matching`): a filter
//! change returns `Effect::Match` and the answer comes back as `Msg::Matched`. Small
//! lists are refiltered at once, as before.

use super::app::{App, Effect, user_visible};
use super::matching::{MatchAnswer, MatchJob};
use crate::core::query::Area;
use crate::core::{InvitationStatus, RequestStatus};

impl App {
    /// The current tab's filter text changed: refilter now (a small list) or start a
    /// match (a large one). `to_top`: the cursor goes to the best match (typing).
    pub(super) fn filter_changed(&mut self, to_top: bool) -> Vec<Effect> {
        let tab = self.tab;
        if let Some(job) = self.start_match(tab, to_top) {
            return vec![Effect::Match {
                tab,
                generation: job.generation,
                job,
            }];
        }
        self.refilter();
        if to_top {
            self.current().top();
        }
        let h = self.list_height();
        self.current().scroll(h);
        vec![]
    }

    /// A match job of the list of `tab` for its current text, with the tab's own
    /// predicate (as `refilter_current` applies it); `None` for a small list.
    fn start_match(&mut self, tab: Area, to_top: bool) -> Option<MatchJob> {
        match tab {
            Area::Users => {
                let (s, p) = (self.user_status, self.pending_only);
                let sticky = self.sticky.clone();
                self.users.start_match(
                    move |r| user_visible(r, s, p) || sticky.contains(&r.account.id),
                    to_top,
                )
            }
            Area::Approvals => {
                let d = self.show_decided;
                self.requests.start_match(
                    move |r| d || r.request.status == RequestStatus::Pending,
                    to_top,
                )
            }
            Area::Invitations => {
                let s: Option<InvitationStatus> = self.invitation_status;
                self.invitations
                    .start_match(move |r| s.is_none_or(|x| r.status == x), to_top)
            }
            Area::Roles => self.roles.start_match(|_| true, to_top),
            Area::Contracts => self.contracts.start_match(|_| true, to_top),
            Area::Groups => self.groups.start_match(|_| true, to_top),
            Area::Programs => self.programs.start_match(|_| true, to_top),
            Area::Audit => self.audit.start_match(|_| true, to_top),
        }
    }

    /// A match job answered: shown if it is still the awaited one, else dropped.
    pub(super) fn matched(&mut self, tab: Area, generation: u64, answer: MatchAnswer) {
        let taken = match tab {
            Area::Users => self.users.accept_match(generation, answer),
            Area::Roles => self.roles.accept_match(generation, answer),
            Area::Contracts => self.contracts.accept_match(generation, answer),
            Area::Approvals => self.requests.accept_match(generation, answer),
            Area::Groups => self.groups.accept_match(generation, answer),
            Area::Programs => self.programs.accept_match(generation, answer),
            Area::Invitations => self.invitations.accept_match(generation, answer),
            Area::Audit => self.audit.accept_match(generation, answer),
        };
        if taken && tab == self.tab {
            let h = self.list_height();
            self.current().scroll(h);
        }
    }
}
