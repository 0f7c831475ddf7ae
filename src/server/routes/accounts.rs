//! Accounts of an organisation: the filtered, paged list, one account, its edits, the
//! state changes (enable, approve, promote, …) and its organisation roles.

use super::common::{self, AnyId, Empty, MaybeBody, Reason, created, find};
use super::links::{self, new_secret};
use crate::core::precondition::Resource;
use crate::core::query::{self, AccountQuery, AccountSort, StatusFilter};
use crate::core::{
    Account, Approval, Command, Directory, Event, GroupId, Level, Principal, ProgramId, RoleId,
};
use crate::server::account_reads;
use crate::server::act::{self, Events, View, act, act_if, list, org_of, record, view};
use crate::server::api::{Api, Cond, doc};
use crate::server::api_schema::field;
use crate::server::api_schema::{Kind, Query, words};
use crate::server::auth::{Caller, Presented};
use crate::server::cursor::Cursor;
use crate::server::extract::{self, Body, Params};
use crate::server::problem::{Problem, Reply};
use crate::server::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use std::sync::Arc;
use utoipa::ToSchema;

const LIST_PARAMS: &[Query] = &[
    (
        "q",
        "words that must all appear in the name or email",
        Kind::Text,
    ),
    (
        "status",
        "active (default), disabled or any",
        Kind::Words(words::STATUS_FILTER),
    ),
    (
        "approval",
        "approved, pending or rejected",
        Kind::Words(words::APPROVAL),
    ),
    ("level", "owner, admin or member", Kind::Words(words::LEVEL)),
    ("verified", "true or false", Kind::Bool),
    ("role", "holds this role (id)", Kind::Id("r")),
    ("group", "is in this group (id)", Kind::Id("g")),
    (
        "program",
        "is a contact of this program (id)",
        Kind::Id("p"),
    ),
    (
        "sort",
        "name (default), email, level, status or created",
        Kind::Words(words::ACCOUNT_SORT),
    ),
    ("desc", "true to reverse the order", Kind::Bool),
    (
        "limit",
        "page size (default 50; taken as 1 to 500)",
        Kind::Count { max: u64::MAX },
    ),
    ("cursor", "`next` of the previous page", Kind::Text),
];

/// Registers a POST action on one account that builds a command from the account id
/// and an optional body; `If-Match` is checked when sent.
macro_rules! action {
    ($api:expr, $path:literal, $summary:literal, $body:ty, $schema:literal,
     |$id:ident, $b:ident| $cmd:expr) => {
        $api.post(
            concat!("/v1/orgs/{slug}/accounts/{id}/", $path),
            {
                async fn handler(
                    State(s): State<AppState>,
                    Caller(who): Caller,
                    Path((slug, id)): Path<(String, String)>,
                    headers: HeaderMap,
                    MaybeBody($b): MaybeBody<$body>,
                ) -> Reply<Json<Events>> {
                    let cond = extract::IfMatch::from_headers(&headers)?;
                    act_if(&s, who, slug, move |dir, org| {
                        let $id = common::account(dir, org.id, &id)?;
                        let pre =
                            cond.and_then(|c| extract::optional_of(&c, Resource::Account($id)));
                        Ok(($cmd, pre))
                    })
                    .await
                    .map(act::events)
                }
                handler
            },
            doc("accounts", $summary, "Events")
                .optional_body($schema)
                .cond(Cond::IfMatchOptional),
        )
    };
}

pub fn add(api: Api) -> Api {
    let api = api
        .get(
            "/v1/orgs/{slug}/accounts",
            list_accounts,
            doc(
                "accounts",
                "Accounts, filtered, sorted and paged",
                "AccountPage",
            )
            .query(LIST_PARAMS),
        )
        .post(
            "/v1/orgs/{slug}/accounts",
            create,
            doc(
                "accounts",
                "Create an account directly (needs members.invite)",
                "Account",
            )
            .body("NewAccount")
            .created(),
        )
        .get(
            "/v1/orgs/{slug}/accounts/{id}",
            show,
            doc("accounts", "One account (ETag: its version)", "Account"),
        )
        .patch(
            "/v1/orgs/{slug}/accounts/{id}",
            edit,
            doc("accounts", "Change names or email", "Account")
                .body("AccountPatch")
                .cond(Cond::IfMatch),
        )
        .delete(
            "/v1/orgs/{slug}/accounts/{id}",
            remove,
            doc(
                "accounts",
                "Delete a disabled account permanently",
                "Events",
            )
            .cond(Cond::IfMatchOptional),
        )
        .post(
            "/v1/orgs/{slug}/accounts/{id}/reset-password",
            reset_password,
            doc(
                "accounts",
                "Send a password-reset link: mailed to the account; its secret is in the reply only when the account asks for itself",
                "ResetSent",
            )
            .optional_body("Empty")
            .cond(Cond::IfMatchOptional),
        )
        .post(
            "/v1/orgs/{slug}/accounts/{id}/roles",
            grant,
            doc("accounts", "Grant an organisation role", "Events").body("GrantBody"),
        )
        .delete(
            "/v1/orgs/{slug}/accounts/{id}/roles/{role}",
            revoke,
            doc("accounts", "Revoke an organisation role", "Events"),
        );
    let api = action!(
        api,
        "enable",
        "Let a disabled account sign in again",
        Empty,
        "Empty",
        |id, _b| Command::Enable { account: id }
    );
    let api = action!(
        api,
        "disable",
        "Stop an account from signing in",
        Empty,
        "Empty",
        |id, _b| Command::Disable { account: id }
    );
    let api = action!(
        api,
        "verify",
        "Mark an account verified",
        Empty,
        "Empty",
        |id, _b| Command::Verify { account: id }
    );
    let api = action!(
        api,
        "approve",
        "Approve a pending account",
        Empty,
        "Empty",
        |id, _b| Command::Approve { account: id }
    );
    let api = action!(
        api,
        "reject",
        "Reject a pending account",
        Reason,
        "Reason",
        |id, b| Command::Reject {
            account: id,
            reason: b.reason
        }
    );
    let api = action!(
        api,
        "promote",
        "Make a verified member an admin",
        Empty,
        "Empty",
        |id, _b| Command::Promote { account: id }
    );
    action!(
        api,
        "demote",
        "Make an admin a member again",
        Empty,
        "Empty",
        |id, _b| Command::Demote { account: id }
    )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    q: Option<String>,
    status: Option<StatusFilter>,
    approval: Option<Approval>,
    level: Option<Level>,
    verified: Option<bool>,
    role: Option<String>,
    group: Option<String>,
    program: Option<String>,
    sort: Option<AccountSort>,
    desc: Option<bool>,
    limit: Option<usize>,
    cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountPage {
    /// `core::Account` records.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Account>,
    /// How many match in all.
    pub total: usize,
    /// The cursor of the next page, absent on the last.
    pub next: Option<String>,
    /// The store's position this page was read at.
    pub seq: u64,
}

fn filter_id<T: FromStr<Err = String>>(text: Option<String>, what: &str) -> Reply<Option<T>> {
    text.map(|t| {
        t.parse()
            .map_err(|e| Problem::unprocessable(format!("the {what} filter: {e}")))
    })
    .transpose()
}

async fn list_accounts(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(slug): Path<String>,
    Params(p): Params<ListParams>,
) -> Reply<Response> {
    let start = match &p.cursor {
        Some(c) => Some(Cursor::decode(c)?),
        None => None,
    };
    let limit = p.limit.unwrap_or(50).clamp(1, 500);
    let q = AccountQuery {
        text: p.q.unwrap_or_default(),
        status: p.status.unwrap_or_default(),
        approval: p.approval,
        level: p.level,
        verified: p.verified,
        role: filter_id::<RoleId>(p.role, "role")?,
        group: filter_id::<GroupId>(p.group, "group")?,
        program: filter_id::<ProgramId>(p.program, "program")?,
        sort: p.sort.unwrap_or_default(),
        descending: p.desc.unwrap_or(false),
        offset: start.map_or(0, |c| c.offset),
        limit,
    };
    if account_reads::answers(&q) {
        return list_directly(&s, who, slug, q, start).await;
    }
    view(&s, who, slug, move |v: View| {
        let page = query::accounts(v.dir, v.org, &q);
        let seq = v.dir.seq;
        let next = next_page(&q, page.items.len(), page.total, start, seq);
        let body = AccountPage {
            items: page.items.into_iter().cloned().collect(),
            total: page.total,
            next,
            seq,
        };
        Ok(list(seq, &body))
    })
    .await
}

/// The cursor of the page after one of `shown` accounts from `q.offset`, if any is
/// left; it keeps the position (`seq`) the first page was read at.
fn next_page(
    q: &AccountQuery,
    shown: usize,
    total: usize,
    start: Option<Cursor>,
    seq: u64,
) -> Option<String> {
    let after = q.offset + shown;
    (after < total).then(|| {
        Cursor {
            offset: after,
            seq: start.map_or(seq, |c| c.seq),
        }
        .encode()
    })
}

/// `AccountPage` as written out, with the accounts shared rather than copied.
#[derive(Serialize)]
struct PageOut<'a> {
    items: &'a [Arc<Account>],
    total: usize,
    next: Option<String>,
    seq: u64,
}

/// A page of accounts filtered by their own fields (`account_reads::page`): the answer
/// kept for the same caller and query while nothing changed, else one scan of the
/// organisation on the blocking pool (at a million accounts it takes tens of ms).
async fn list_directly(
    s: &AppState,
    who: Principal,
    slug: String,
    q: AccountQuery,
    start: Option<Cursor>,
) -> Reply<Response> {
    let key = format!("{q:?} {:?}", start.map(|c| c.seq));
    let (cache, caller, org_slug, wanted) = (s.clone(), who.clone(), slug.clone(), key.clone());
    let kept = s
        .read_now(move |dir, now| {
            let org = org_of(dir, &caller, &org_slug)?.id;
            Ok(cache
                .pages()
                .get(dir.seq, &caller, org, &wanted, now)
                .map(|b| (dir.seq, b)))
        })
        .await?;
    if let Some((seq, body)) = kept {
        return Ok(json_list(seq, body));
    }
    let cache = s.clone();
    s.blocking(move |b| {
        let pages = cache.pages();
        pages.one_at_a_time(&who, &slug, &key, || {
            let now = b.now();
            crate::backend::query(b, |dir| {
                let org = org_of(dir, &who, &slug)?.id;
                // Another request may have answered it while this one waited its turn.
                if let Some(body) = pages.get(dir.seq, &who, org, &key, now) {
                    return Ok(json_list(dir.seq, body));
                }
                let page =
                    account_reads::page(dir, &who, org, &q, now).ok_or_else(Problem::internal)?;
                let seq = dir.seq;
                let next = next_page(&q, page.items.len(), page.total, start, seq);
                let out = PageOut {
                    items: &page.items,
                    total: page.total,
                    next,
                    seq,
                };
                let body = Bytes::from(serde_json::to_vec(&out).map_err(|e| {
                    tracing::error!("cannot write a page of accounts: {e}");
                    Problem::internal()
                })?);
                pages.put(seq, &who, org, key.clone(), now, body.clone());
                Ok(json_list(seq, body))
            })?
        })
    })
    .await
}

/// A JSON list already written out, tagged like `act::list`.
fn json_list(seq: u64, body: Bytes) -> Response {
    let mut res = ([(header::CONTENT_TYPE, "application/json")], body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"seq-{seq}\"")) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    #[schema(schema_with = field::email)]
    pub email: String,
    #[schema(schema_with = field::first_name)]
    pub first_name: String,
    #[serde(default)]
    #[schema(schema_with = field::last_name)]
    pub last_name: String,
    /// Mark it verified (needs members.manage).
    #[serde(default)]
    pub verified: bool,
}

async fn create(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(slug): Path<String>,
    Body(n): Body<NewAccount>,
) -> Reply<Response> {
    let events = act(&s, who, slug.clone(), move |_, org| {
        Ok(Command::AddAccount {
            org: org.id,
            email: n.email,
            first_name: n.first_name,
            last_name: n.last_name,
            verified: n.verified,
        })
    })
    .await?;
    Ok(
        match find(&events, |e| match e {
            Event::AccountCreated { account, .. } => Some(account.clone()),
            _ => None,
        }) {
            Some(a) => created(
                format!("/v1/orgs/{slug}/accounts/{}", a.id),
                Some(a.version),
                &a,
            ),
            None => (StatusCode::OK, act::events(events)).into_response(),
        },
    )
}

/// Reads one account as the caller sees it.
async fn current(s: &AppState, who: Principal, slug: String, id: String) -> Reply<Response> {
    s.read_now(move |dir, now| one_account(dir, &who, &slug, &id, now))
        .await
}

/// Only that record is redacted (`account_reads::one`), not the caller's whole view.
fn one_account(
    dir: &Directory,
    who: &Principal,
    slug: &str,
    id: &str,
    now: Timestamp,
) -> Reply<Response> {
    let org = org_of(dir, who, slug)?.id;
    let id = common::account(dir, org, id)?;
    match account_reads::one(dir, who, org, id, now) {
        Some(a) => Ok(record(a.version, &*a)),
        // Hidden from the caller: as if it did not exist (`common::account`'s words).
        None => Err(Problem::not_found(format!(
            "no account {id} in this organisation"
        ))),
    }
}

/// The token is looked up in the same read as the account (see `auth::Presented`);
/// a path axum cannot read is answered after the token, as with `Caller`.
async fn show(
    State(s): State<AppState>,
    token: Presented,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Reply<Response> {
    let state = s.clone();
    s.read_now(move |dir, now| {
        let who = token.caller(&state, dir, now)?;
        match path {
            Ok(Path((slug, id))) => one_account(dir, &who, &slug, &id, now),
            Err(rejected) => Ok(rejected.into_response()),
        }
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    #[schema(schema_with = field::first_name_or_null)]
    pub first_name: Option<String>,
    #[schema(schema_with = field::last_name_or_null)]
    pub last_name: Option<String>,
    #[schema(schema_with = field::email_or_null)]
    pub email: Option<String>,
}

async fn edit(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    Body(patch): Body<AccountPatch>,
) -> Reply<Response> {
    let cond = extract::required(&headers, "the account")?;
    let target = id.clone();
    act_if(&s, who.clone(), slug.clone(), move |dir, org| {
        let id = common::account(dir, org.id, &target)?;
        let a = &dir.accounts[&id];
        // The backend checks `If-Match`, in the same step as the write; the core then
        // also holds the edit to the version the unchanged fields were copied from.
        let pre = extract::precondition(&cond, Resource::Account(id), a.version);
        let cmd = Command::EditAccount {
            account: id,
            expected_version: a.version,
            first_name: patch.first_name.unwrap_or_else(|| a.first_name.clone()),
            last_name: patch.last_name.unwrap_or_else(|| a.last_name.clone()),
            email: patch.email.unwrap_or_else(|| a.email.clone()),
        };
        Ok((cmd, Some(pre)))
    })
    .await?;
    current(&s, who, slug, id).await
}

async fn remove(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Reply<Json<Events>> {
    let cond = extract::IfMatch::from_headers(&headers)?;
    act_if(&s, who, slug, move |dir, org| {
        let id = common::account(dir, org.id, &id)?;
        let pre = cond.and_then(|c| extract::optional_of(&c, Resource::Account(id)));
        Ok((Command::DeleteAccount { account: id }, pre))
    })
    .await
    .map(act::events)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WithSecret {
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<crate::core::Recorded>,
    /// The link's secret. Shown this once; only its hash is kept.
    pub secret: String,
}

async fn reset_password(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    MaybeBody(Empty {}): MaybeBody<Empty>,
) -> Reply<Response> {
    let (secret, hash) = new_secret()?;
    let cond = extract::IfMatch::from_headers(&headers)?;
    let caller = who.clone();
    let events = act_if(&s, who, slug, move |dir, org| {
        let id = common::account(dir, org.id, &id)?;
        let pre = cond.and_then(|c| extract::optional_of(&c, Resource::Account(id)));
        let cmd = Command::RequestPasswordReset {
            account: id,
            secret_hash: Some(hash),
        };
        Ok((cmd, pre))
    })
    .await?;
    Ok(links::hand_over_reset(&s, &caller, events, secret)
        .await
        .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    /// The role's id (`12` or `"r12"`).
    #[schema(schema_with = field::role_id)]
    pub role: AnyId<RoleId>,
    /// Until when (RFC 3339); for good when left out.
    #[serde(default)]
    #[schema(schema_with = field::time_or_null)]
    pub until: Option<Timestamp>,
}

async fn grant(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((slug, id)): Path<(String, String)>,
    Body(g): Body<GrantBody>,
) -> Reply<Json<Events>> {
    act(&s, who, slug, move |dir, org| {
        Ok(Command::GrantRole {
            account: common::account(dir, org.id, &id)?,
            role: g.role.0,
            until: g.until,
        })
    })
    .await
    .map(act::events)
}

async fn revoke(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((slug, id, role)): Path<(String, String, String)>,
) -> Reply<Json<Events>> {
    act(&s, who, slug, move |dir, org| {
        Ok(Command::RevokeRole {
            account: common::account(dir, org.id, &id)?,
            role: common::role(dir, org.id, &role)?,
        })
    })
    .await
    .map(act::events)
}
