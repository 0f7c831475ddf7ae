//! The invite wizard, opened from the Users, Roles and Invitations tabs and `:invite`:
//! the organisation's roles and every program role it may offer.

use super::data::RoleChoice;
use super::modal::Modal;
use super::msg::Effect;
use super::state::App;
use super::wizard::Wizard;
use crate::core::*;

pub fn act_invite(app: &mut App) -> Vec<Effect> {
    let Some(org) = app.snap.org.id else {
        app.error("Open an organisation first");
        return vec![];
    };
    let roles = app
        .snap
        .role_choices
        .iter()
        .filter(|r| r.scope == Scope::Org)
        .map(|r| (r.id, r.name.clone()))
        .collect();
    let program_roles: Vec<&RoleChoice> = app
        .snap
        .role_choices
        .iter()
        .filter(|r| r.scope == Scope::Program && r.builtin != Some(Builtin::ProgramOwner))
        .collect();
    let mut offers = vec![];
    for p in app.programs.all() {
        for r in &program_roles {
            offers.push((
                p.program.id,
                r.id,
                format!("{} in {}", r.name, p.program.name),
            ));
        }
    }
    let words = &app.snap.org.terminology;
    let (admin, member) = (words.admin.clone(), words.member.clone());
    app.modal = Some(Modal::Wizard(Box::new(Wizard::new(
        org,
        (&admin, &member),
        roles,
        offers,
    ))));
    vec![]
}
