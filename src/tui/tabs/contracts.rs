//! The Contracts tab's action keys: new contract, seats, end.
//! Nothing here decides whether something is allowed: the core does.

use super::super::dialogs::Confirm;
use super::super::form::{Field, Form};
use super::super::jobs::*;
use super::super::keymap::Action;
use super::super::modal::*;
use super::super::msg::*;
use super::super::state::*;
use crate::core::*;

pub fn contracts(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    if action == Action::New {
        let today = app
            .snap
            .now
            .map(super::super::text::day)
            .unwrap_or_default();
        app.modal = Some(Modal::Form {
            form: Form::new(
                format!("New contract for {}", app.snap.org.name),
                vec![
                    Field::text("Product", ""),
                    Field::text("Starts", &today),
                    Field::text("Ends", ""),
                    Field::text("Seats", "10"),
                ],
            )
            .submit_label("Create")
            .with_note("Dates as YYYY-MM-DD; leave Ends empty for an open-ended contract."),
            purpose: FormFor::NewContract,
        });
        return Some(vec![]);
    }
    let Some(row) = app.contracts.selected().cloned() else {
        return nothing(app);
    };
    let c = &row.contract;
    let name = format!("{} contract", c.product);
    let fx = match action {
        Action::Suspend => app.run(
            format!("Suspend the {name}"),
            vec![job(
                name.clone(),
                Command::SuspendContract { contract: c.id },
            )],
            false,
        ),
        Action::Resume => app.run(
            format!("Resume the {name}"),
            vec![job(
                name.clone(),
                Command::ResumeContract { contract: c.id },
            )],
            false,
        ),
        Action::End => app.confirm_first(ConfirmFirst {
            then: vec![],
            dialog: Confirm {
                title: "End contract".into(),
                lines: vec![
                    format!("End the {name} for good?"),
                    "Roles it unlocks stop conferring anything.".into(),
                ],
                yes: "End".into(),
                danger: true,
            },
            title: format!("End the {name}"),
            jobs: vec![job(name.clone(), Command::EndContract { contract: c.id })],
        }),
        Action::Seats => {
            app.modal = Some(Modal::Form {
                form: Form::new(
                    format!("Seats of the {name} ({} used)", row.seats_used),
                    vec![Field::text("Seats", &c.seats.to_string())],
                ),
                purpose: FormFor::Seats(c.id),
            });
            vec![]
        }
        _ => return None,
    };
    Some(fx)
}
