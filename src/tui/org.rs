//! The organisation itself from the console: its page (`O`), the profile form (seed
//! 004's Main Corporate Contact "changes organisation level information"), the settings
//! form (seed 002's "User Approval Required", link lifetimes, the organisation's words),
//! choosing another organisation, and creating one (platform operators).
//!
//! Whether someone may change the profile or the settings is the core's decision; the
//! snapshot carries its verdict so a refusal is said before a form is filled in, and the
//! core decides again when the form is saved.

use super::data::Target;
use super::detail_view::DetailView;
use super::dialogs::{Choice, Picker};
use super::form::{Field, Form};
use super::modal::*;
use super::msg::{Effect, Job};
use super::state::App;
use super::state::detail_effect;
use crate::core::*;

/// Opens the organisation page over the current tab.
pub fn open_view(app: &mut App) -> Vec<Effect> {
    let Some(org) = app.snap.org.id else {
        app.error(no_org(app));
        return vec![];
    };
    let target = Target::Org(org);
    app.detail = Some(DetailView {
        target,
        data: None,
        scroll: 0,
    });
    vec![detail_effect(app, target)]
}

fn no_org(app: &App) -> String {
    if app.snap.operator {
        "There is no organisation yet: :org create makes one".into()
    } else {
        "This account reaches no organisation".into()
    }
}

/// Addresses and descriptions may hold several lines; a form field holds one, so they
/// are shown joined and sent back unchanged unless the person edited them.
fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

fn kept(typed: String, before: &str) -> String {
    if typed == one_line(before) {
        before.to_string()
    } else {
        typed
    }
}

/// The profile form, or the core's refusal in words.
pub fn profile_form(app: &mut App) -> Vec<Effect> {
    let Some(org) = app.snap.org.id else {
        app.error(no_org(app));
        return vec![];
    };
    if let Some(why) = app.snap.org.profile_refusal.clone() {
        app.error(format!("✗ Profile: {why}"));
        return vec![];
    }
    let o = &app.snap.org;
    let p = &o.profile;
    let form = Form::new(
        format!("Profile of {}", o.name),
        vec![
            Field::text("Name", &o.name),
            Field::text("Address", &one_line(&p.address)),
            Field::text("Website", &p.website),
            Field::text("Description", &one_line(&p.description)),
        ],
    )
    .with_note(&format!(
        "Only the {} (or a platform operator) changes organisation information.",
        o.terminology.owner
    ));
    app.modal = Some(Modal::Form {
        form,
        purpose: FormFor::OrgProfile {
            org,
            name: o.name.clone(),
            profile: p.clone(),
        },
    });
    vec![]
}

/// Field positions of the settings form.
const APPROVAL: usize = 0;
const REGISTRATION: usize = 1;
const INVITE_TTL: usize = 2;
const RESET_TTL: usize = 3;
const WORDS: usize = 4;
/// Last, after the seven words, so the fields before it keep their places.
const SESSION_TTL: usize = WORDS + 7;

/// The settings form, or the core's refusal in words.
pub fn settings_form(app: &mut App) -> Vec<Effect> {
    let Some(org) = app.snap.org.id else {
        app.error(no_org(app));
        return vec![];
    };
    if let Some(why) = app.snap.org.settings_refusal.clone() {
        app.error(format!("✗ Settings: {why}"));
        return vec![];
    }
    let o = &app.snap.org;
    let st = &o.settings;
    let t = &st.terminology;
    let form = Form::new(
        format!("Settings of {}", o.name),
        vec![
            Field::toggle("User approval required", st.approval_required),
            Field::toggle("Open registration", st.open_registration),
            Field::text(
                "Invitation links last (hours)",
                &st.invitation_ttl_hours.to_string(),
            ),
            Field::text("Reset links last (hours)", &st.reset_ttl_hours.to_string()),
            Field::text("Word for owner", &t.owner),
            Field::text("Word for admin", &t.admin),
            Field::text("Word for member", &t.member),
            Field::text("Word for program", &t.program),
            Field::text("Word for program owner", &t.program_owner),
            Field::text("Word for contributor", &t.program_contributor),
            Field::text("Word for viewer", &t.program_viewer),
            Field::text(
                "Sign-in sessions last (hours)",
                &st.session_ttl_hours.to_string(),
            ),
        ],
    )
    .with_note("Approval required: new accounts wait in the approval queue. The words are how this organisation names roster's built-in roles.");
    app.modal = Some(Modal::Form {
        form,
        purpose: FormFor::OrgSettings {
            org,
            before: Box::new(st.clone()),
        },
    });
    vec![]
}

/// The form for a new organisation and its owner (platform operators; the core says
/// no to anyone else when it is saved).
pub fn create_form(app: &mut App) -> Vec<Effect> {
    if !app.snap.operator {
        app.error(
            "Only a platform operator creates organisations (:operator acts as one, where allowed)",
        );
        return vec![];
    }
    let form = Form::new(
        "New organisation",
        vec![
            Field::text("Short name", ""),
            Field::text("Name", ""),
            Field::text("Owner's email", ""),
            Field::text("First name", ""),
            Field::text("Last name", ""),
        ],
    )
    .submit_label("Create")
    .with_note("Short name: a slug such as acme, used with :org and --org. The owner can do everything in it.");
    app.modal = Some(Modal::Form {
        form,
        purpose: FormFor::CreateOrg,
    });
    vec![]
}

/// `:org` with no slug: the organisations this principal reaches, and for a platform
/// operator a way to create one.
pub fn picker(app: &mut App) -> Vec<Effect> {
    let mut choices: Vec<Choice<Pick>> = app
        .snap
        .orgs
        .iter()
        .map(|(id, slug, name)| Choice {
            label: slug.clone(),
            hint: if Some(*id) == app.snap.org.id {
                format!("{name} (open now)")
            } else {
                name.clone()
            },
            value: Pick::Org(*id),
        })
        .collect();
    if app.snap.operator {
        choices.push(Choice {
            label: "+ new organisation".into(),
            hint: "create one and its owner".into(),
            value: Pick::NewOrg,
        });
    }
    if choices.is_empty() {
        app.error(no_org(app));
        return vec![];
    }
    app.modal = Some(Modal::Picker {
        picker: Picker::new("Organisation", choices),
        purpose: PickFor::Org,
    });
    vec![]
}

/// Builds the command a saved organisation form stands for; `Err` reopens the form
/// with the sentence to show.
pub fn command(form: &Form, purpose: &FormFor) -> Result<Option<(String, Command)>, String> {
    match purpose {
        FormFor::OrgProfile { org, name, profile } => {
            let new_name = form.text(0);
            let new = Profile {
                address: kept(form.text(1), &profile.address),
                website: form.text(2),
                description: kept(form.text(3), &profile.description),
            };
            if new_name == *name && new == *profile {
                return Ok(None);
            }
            Ok(Some((
                format!("Save the profile of {new_name}"),
                Command::UpdateOrgProfile {
                    org: *org,
                    name: new_name,
                    profile: new,
                },
            )))
        }
        FormFor::OrgSettings { org, before } => {
            let hours = |i: usize, what: &str| -> Result<u32, String> {
                let t = form.text(i);
                t.parse::<u32>().map_err(|_| {
                    format!("{what}: '{t}' is not a whole number of hours (168 is a week)")
                })
            };
            let word = |i: usize| form.text(WORDS + i);
            let settings = Settings {
                approval_required: form.on(APPROVAL),
                open_registration: form.on(REGISTRATION),
                invitation_ttl_hours: hours(INVITE_TTL, "Invitation links last")?,
                reset_ttl_hours: hours(RESET_TTL, "Reset links last")?,
                terminology: Terminology {
                    owner: word(0),
                    admin: word(1),
                    member: word(2),
                    program: word(3),
                    program_owner: word(4),
                    program_contributor: word(5),
                    program_viewer: word(6),
                },
                session_ttl_hours: hours(SESSION_TTL, "Sign-in sessions last")?,
            };
            if settings == **before {
                return Ok(None);
            }
            Ok(Some((
                "Save the organisation's settings".to_string(),
                Command::UpdateOrgSettings {
                    org: *org,
                    settings,
                },
            )))
        }
        FormFor::CreateOrg => {
            let slug = form.text(0);
            Ok(Some((
                format!("Create organisation {slug}"),
                Command::CreateOrg {
                    slug,
                    name: form.text(1),
                    owner_email: form.text(2),
                    owner_first_name: form.text(3),
                    owner_last_name: form.text(4),
                    settings: None,
                },
            )))
        }
        _ => Ok(None),
    }
}

/// Saves an organisation form. The form is kept aside: if the core refuses, it opens
/// again with what was typed and the reason.
pub fn submit(app: &mut App, mut form: Form, purpose: FormFor) -> Vec<Effect> {
    match command(&form, &purpose) {
        Err(why) => {
            form.note = Some(why);
            app.modal = Some(Modal::Form { form, purpose });
            vec![]
        }
        Ok(None) => {
            app.info("Nothing changed");
            vec![]
        }
        Ok(Some((title, cmd))) => {
            if let Command::CreateOrg { slug, .. } = &cmd {
                app.open_after_create(slug.clone());
            }
            let label = title.clone();
            let fx = app.run(title, vec![Job { label, cmd }], true);
            if !fx.is_empty() {
                app.keep_form(form, purpose);
            }
            fx
        }
    }
}

pub fn new_org_form() -> Form {
    Form::new(
        "First organisation",
        vec![
            Field::text("Short name", ""),
            Field::text("Name", ""),
            Field::text("Owner's email", ""),
            Field::text("First name", ""),
            Field::text("Last name", ""),
        ],
    )
    .submit_label("Create")
    .with_note(
        "Short name: a slug such as acme, used with --org. The owner can do everything in it.",
    )
}
