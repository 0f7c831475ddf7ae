//! The `operationId` of every route, made from its method and path by one rule, so that
//! ids are stable (they change only when the route does) and read like what the route
//! does: `list_accounts`, `get_account`, `create_group`, `disable_account`,
//! `delete_program_contact_role`. Generated clients name their methods after them.

use utoipa::openapi::path::HttpMethod;

/// Routes whose id the rule would make awkward, by method and path.
const NAMED: &[(&str, &str, &str)] = &[
    ("post", "/v1/commands", "run_command"),
    ("delete", "/v1/sessions/current", "sign_out"),
    ("post", "/v1/sessions", "sign_in"),
    ("post", "/v1/password-resets", "request_password_reset"),
    ("post", "/v1/invitations/accept", "accept_invitation_link"),
    (
        "post",
        "/v1/orgs/{slug}/accounts/{id}/reset-password",
        "send_password_reset",
    ),
    (
        "post",
        "/v1/orgs/{slug}/accounts/{id}/roles",
        "grant_account_role",
    ),
    (
        "delete",
        "/v1/orgs/{slug}/accounts/{id}/roles/{role}",
        "revoke_account_role",
    ),
    (
        "post",
        "/v1/orgs/{slug}/groups/{id}/roles",
        "grant_group_role",
    ),
    (
        "delete",
        "/v1/orgs/{slug}/groups/{id}/roles/{role}",
        "revoke_group_role",
    ),
    (
        "post",
        "/v1/orgs/{slug}/groups/{id}/members",
        "add_group_member",
    ),
    (
        "delete",
        "/v1/orgs/{slug}/groups/{id}/members/{account}",
        "remove_group_member",
    ),
    (
        "post",
        "/v1/orgs/{slug}/programs/{id}/contacts",
        "add_program_contact",
    ),
    (
        "delete",
        "/v1/orgs/{slug}/programs/{id}/contacts/{account}",
        "remove_program_contact",
    ),
    ("post", "/v1/orgs/{slug}/approvals", "request_approval"),
    (
        "post",
        "/v1/orgs/{slug}/approvals/{id}/approve",
        "approve_request",
    ),
    (
        "post",
        "/v1/orgs/{slug}/approvals/{id}/reject",
        "reject_request",
    ),
    ("put", "/v1/orgs/{slug}/settings", "update_org_settings"),
    ("get", "/v1/orgs/{slug}/state", "get_org_state"),
    ("get", "/v1/openapi.json", "get_openapi_document"),
    (
        "post",
        "/v1/orgs/{slug}/accounts/{id}/sessions/revoke",
        "revoke_account_sessions",
    ),
    (
        "post",
        "/v1/orgs/{slug}/invitations/expire",
        "expire_invitations",
    ),
    (
        "delete",
        "/v1/orgs/{slug}/programs/{id}/contacts/{account}/roles/{role}",
        "revoke_program_contact_role",
    ),
];

/// The id of the route `method path`.
pub fn operation_id(method: HttpMethod, path: &str) -> String {
    let verb = match method {
        HttpMethod::Get => "get",
        HttpMethod::Post => "post",
        HttpMethod::Put => "put",
        HttpMethod::Patch => "patch",
        HttpMethod::Delete => "delete",
        _ => "other",
    };
    if let Some((_, _, id)) = NAMED.iter().find(|(m, p, _)| *m == verb && *p == path) {
        return (*id).to_string();
    }
    // The words of the path, each with whether an id follows it; `orgs/{slug}` is the
    // organisation the rest lives in, so it only names routes on the organisation itself.
    let segments: Vec<&str> = path.trim_start_matches("/v1/").split('/').collect();
    let mut words: Vec<(String, bool)> = Vec::new();
    for (i, s) in segments.iter().enumerate() {
        if s.starts_with('{') {
            continue;
        }
        let followed = segments.get(i + 1).is_some_and(|n| n.starts_with('{'));
        words.push((s.replace('-', "_"), followed));
    }
    if words.len() > 1 && words[0] == ("orgs".to_string(), true) {
        words.remove(0);
        if !words.iter().any(|(_, f)| *f) && !is_collection(&words[0].0) {
            words.insert(0, ("orgs".to_string(), true));
        }
    }
    let (last, last_followed) = words.pop().unwrap_or_default();
    let mut nouns: Vec<String> = words.iter().map(|(w, _)| singular(w)).collect();
    let ends_on_id = path.ends_with('}');
    let (action, noun) = if ends_on_id {
        let action = match verb {
            "get" => "get",
            "patch" => "update",
            "put" => "set",
            "delete" => "delete",
            other => other,
        };
        (action.to_string(), singular(&last))
    } else if is_collection(&last) {
        match verb {
            "get" => ("list".to_string(), last.clone()),
            "post" => ("create".to_string(), singular(&last)),
            other => (other.to_string(), last.clone()),
        }
    } else if verb == "get" || nouns.is_empty() && !last_followed {
        (verb.to_string(), last.clone())
    } else {
        // An action on the record before it: `accounts/{id}/disable`.
        (last.clone(), String::new())
    };
    if !noun.is_empty() {
        nouns.push(noun);
    }
    let mut id = action;
    for n in nouns {
        id.push('_');
        id.push_str(&n);
    }
    id
}

fn is_collection(word: &str) -> bool {
    word.ends_with('s') && word != "status"
}

fn singular(word: &str) -> String {
    word.strip_suffix('s').unwrap_or(word).to_string()
}
