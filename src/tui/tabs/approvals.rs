//! The Approvals tab's action keys: approve and reject requests, the decided ones
//! shown or hidden.
//! Nothing here decides whether something is allowed: the core does.

use super::super::data::*;
use super::super::form::{Field, Form};
use super::super::jobs::*;
use super::super::keymap::Action;
use super::super::modal::*;
use super::super::msg::*;
use super::super::state::*;
use crate::core::*;

pub fn next_request_after(app: &App, done: &[RequestId]) -> Option<RequestId> {
    (app.requests.cursor..app.requests.len())
        .chain((0..app.requests.cursor).rev())
        .filter_map(|i| app.requests.get(i))
        .filter(|r| r.request.status == RequestStatus::Pending)
        .map(|r| r.request.id)
        .find(|id| !done.contains(id))
}

pub fn approvals(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let in_detail = app.detail.is_some();
    if action == Action::History {
        app.show_decided = !app.show_decided;
        app.refilter();
        let mut fx = vec![];
        if app.show_decided {
            // Loads leave decided requests out until they are asked for.
            app.load_for("Loading decided requests".into(), &mut fx);
        }
        app.info(if app.show_decided {
            "Showing decided requests too"
        } else {
            "Showing pending requests only"
        });
        return Some(fx);
    }
    if !matches!(action, Action::Approve | Action::Reject) {
        return None;
    }
    let rows: Vec<RequestRow> = targets(&app.requests, in_detail)
        .into_iter()
        .filter(|r| r.request.status == RequestStatus::Pending)
        .collect();
    if rows.is_empty() {
        app.info("No pending request selected");
        return Some(vec![]);
    }
    let ids: Vec<RequestId> = rows.iter().map(|r| r.request.id).collect();
    let next = next_request_after(app, &ids);
    let label = match rows.as_slice() {
        [one] => one.what.clone(),
        many => plural(many.len(), "request"),
    };
    if action == Action::Approve {
        app.set_reselect(next.map(Reselect::Request));
        let jobs = rows
            .iter()
            .map(|r| {
                job(
                    r.what.clone(),
                    Command::Decide {
                        request: r.request.id,
                        approve: true,
                        reason: String::new(),
                    },
                )
            })
            .collect();
        return Some(app.run(format!("Approve {label}"), jobs, false));
    }
    let requests = rows
        .iter()
        .map(|r| (r.request.id, r.what.clone()))
        .collect();
    app.modal = Some(Modal::Form {
        form: Form::new(format!("Reject {label}"), vec![Field::text("Reason", "")])
            .submit_label("Reject"),
        purpose: FormFor::RejectRequests { requests, next },
    });
    Some(vec![])
}
