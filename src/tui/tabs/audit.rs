//! The Audit tab's action keys: the filter form, following new events.
//! Nothing here decides whether something is allowed: the core does.

use super::super::form::{Field, Form};
use super::super::keymap::Action;
use super::super::modal::*;
use super::super::msg::*;
use super::super::state::*;

pub fn audit(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    match action {
        Action::AuditFilter => {
            let f = &app.audit_filter;
            app.modal = Some(Modal::Form {
                form: Form::new(
                    "Filter the audit trail",
                    vec![
                        Field::text("Actor", &f.actor),
                        Field::text("Target or text", &f.target),
                        Field::text("Kind", &f.kind),
                    ],
                )
                .submit_label("Apply")
                .with_note("Each filled field must appear (any case). Kind is an event type such as account_disabled."),
                purpose: FormFor::AuditFilter,
            });
            Some(vec![])
        }
        Action::Follow => {
            app.follow = !app.follow;
            if app.follow {
                app.audit.top();
            }
            app.info(if app.follow {
                "Following new events"
            } else {
                "Not following: the cursor stays put"
            });
            Some(vec![])
        }
        _ => None,
    }
}
