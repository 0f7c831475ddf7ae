//! What the action keys do: the organisation and outbox views take theirs first, Enter
//! opens the selected row, and every other key goes to the tab shown (`tabs`). Nothing
//! here decides whether something is allowed: the core does, and its refusals come back
//! in words.

use super::data::Target;
use super::detail_view::DetailView;
use super::keymap::Action;
use super::msg::Effect;
use super::state::App;
use super::tabs;
use crate::core::query::Area;

/// Handles an action key that is not navigation.
pub fn act(app: &mut App, action: Action) -> Vec<Effect> {
    if action == Action::Organisation {
        return super::org::open_view(app);
    }
    if action == Action::Outbox {
        return super::outbox::open_view(app);
    }
    if app.org_view() {
        return match action {
            Action::Edit => super::org::profile_form(app),
            Action::Settings => super::org::settings_form(app),
            Action::New => super::org::create_form(app),
            _ => vec![],
        };
    }
    if action == Action::Open {
        return open_detail(app);
    }
    let fx = match app.tab {
        Area::Users => tabs::users::users(app, action),
        Area::Roles => tabs::roles::roles(app, action),
        Area::Contracts => tabs::contracts::contracts(app, action),
        Area::Approvals => tabs::approvals::approvals(app, action),
        Area::Groups => tabs::groups::groups(app, action),
        Area::Programs => tabs::programs::programs(app, action),
        Area::Invitations => tabs::invitations::invitations(app, action),
        Area::Audit => tabs::audit::audit(app, action),
    };
    fx.unwrap_or_default()
}

fn open_detail(app: &mut App) -> Vec<Effect> {
    let target = match app.tab {
        Area::Users => app.users.selected().map(|r| Target::User(r.account.id)),
        Area::Roles => app.roles.selected().map(|r| Target::Role(r.role.id)),
        Area::Contracts => app
            .contracts
            .selected()
            .map(|r| Target::Contract(r.contract.id)),
        Area::Approvals => app
            .requests
            .selected()
            .map(|r| Target::Request(r.request.id)),
        Area::Groups => app.groups.selected().map(|r| Target::Group(r.group.id)),
        Area::Programs => app
            .programs
            .selected()
            .map(|r| Target::Program(r.program.id)),
        Area::Invitations => app
            .invitations
            .selected()
            .map(|r| Target::Invitation(r.invitation.id)),
        Area::Audit => app.audit.selected().map(|r| Target::Event(r.seq)),
    };
    let Some(target) = target else {
        app.info("Nothing selected");
        return vec![];
    };
    app.detail = Some(DetailView {
        target,
        data: None,
        scroll: 0,
    });
    vec![app.load_detail(target)]
}
