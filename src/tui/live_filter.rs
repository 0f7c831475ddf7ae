//! The `/` filter of a large list, matched off the UI thread (see `matching`): a filter
//! change returns `Effect::Match` and the answer comes back as `Msg::Matched`. Small
//! lists are refiltered at once, as before.

use super::list::{Item, List};
use super::matching::{MatchAnswer, MatchJob};
use super::msg::Effect;
use super::state::App;
use super::tab_lists::user_visible;
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

    /// `/` was pressed: on a large list, start preparing what the first letter's match
    /// needs (see `List::prepare_match`).
    pub(super) fn filter_opened(&mut self) -> Vec<Effect> {
        let tab = self.tab;
        match self.job(tab, How::Prepare) {
            Some(job) => vec![Effect::Match {
                tab,
                generation: job.generation,
                job,
            }],
            None => vec![],
        }
    }

    /// After a reload that kept a large list's view (`List::reload_matching_later`):
    /// the match of its current text against the new rows.
    pub(super) fn rematch(&mut self, tab: Area) -> Vec<Effect> {
        match self.start_match(tab, false) {
            Some(job) => vec![Effect::Match {
                tab,
                generation: job.generation,
                job,
            }],
            None => vec![],
        }
    }

    fn start_match(&mut self, tab: Area, to_top: bool) -> Option<MatchJob> {
        self.job(tab, How::Match { to_top })
    }

    /// A match job of the list of `tab` for its current text, with the tab's own
    /// predicate (as `refilter_current` applies it); `None` for a small list.
    fn job(&mut self, tab: Area, how: How) -> Option<MatchJob> {
        match tab {
            Area::Users => {
                let (s, p) = (self.user_status, self.pending_only);
                let sticky = self.sticky.clone();
                self.users.start_match_how(
                    move |r| user_visible(r, s, p) || sticky.contains(&r.account.id),
                    how,
                )
            }
            Area::Approvals => {
                let d = self.show_decided;
                self.requests.start_match_how(
                    move |r| d || r.request.status == RequestStatus::Pending,
                    how,
                )
            }
            Area::Invitations => {
                let s: Option<InvitationStatus> = self.invitation_status;
                self.invitations
                    .start_match_how(move |r| s.is_none_or(|x| r.status == x), how)
            }
            Area::Roles => self.roles.start_match_how(|_| true, how),
            Area::Contracts => self.contracts.start_match_how(|_| true, how),
            Area::Groups => self.groups.start_match_how(|_| true, how),
            Area::Programs => self.programs.start_match_how(|_| true, how),
            Area::Audit => self.audit.start_match_how(|_| true, how),
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

/// Why a job is started.
#[derive(Clone, Copy)]
enum How {
    /// The filter text changed.
    Match { to_top: bool },
    /// The filter was opened.
    Prepare,
}

/// `List::start_match` or `List::prepare_match`, as `how` says.
trait StartHow<R: Item> {
    fn start_match_how(
        &mut self,
        keep: impl Fn(&R) -> bool + Send + Sync + 'static,
        how: How,
    ) -> Option<MatchJob>;
}

impl<R: Item + Send + Sync + 'static> StartHow<R> for List<R> {
    fn start_match_how(
        &mut self,
        keep: impl Fn(&R) -> bool + Send + Sync + 'static,
        how: How,
    ) -> Option<MatchJob> {
        match how {
            How::Match { to_top } => self.start_match(keep, to_top),
            How::Prepare => self.prepare_match(keep),
        }
    }
}
