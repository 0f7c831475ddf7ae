//! Every route, one module per resource. `api()` assembles them; the feed's routes are
//! separate because they wait on purpose and so live outside the request timeout.

pub mod accounts;
pub mod approvals;
pub mod commands;
pub mod common;
pub mod contracts;
pub mod events;
pub mod groups;
pub mod invitations;
pub mod links;
pub mod meta;
pub mod orgs;
pub mod programs;
pub mod roles;
pub mod sessions;

use super::api::Api;

/// The ordinary routes (each bounded by the request timeout).
pub fn api() -> Api {
    Api::default()
        .with(meta::add)
        .with(commands::add)
        .with(orgs::add)
        .with(accounts::add)
        .with(roles::add)
        .with(groups::add)
        .with(programs::add)
        .with(contracts::add)
        .with(invitations::add)
        .with(approvals::add)
        .with(sessions::add)
}

/// The change feed's routes (long polls and streams).
pub fn feed() -> Api {
    Api::default().with(events::add)
}
