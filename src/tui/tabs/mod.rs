//! Each tab's own action keys, one file a tab: what the keys do to the tab's selected
//! or marked rows (a dialog, or commands for the core). Dispatched from `actions`.

pub mod approvals;
pub mod audit;
pub mod contracts;
pub mod groups;
pub mod invitations;
pub mod programs;
pub mod roles;
pub mod users;
