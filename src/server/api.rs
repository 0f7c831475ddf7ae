//! Routes and their documentation, registered together: each route is added once, with
//! a `Doc`, and that one call both mounts the handler and writes its OpenAPI operation.
//! So the document lists every route the server has, with every status it can answer.

use super::api_schema::{Kind, Query};
use super::operation_ids::operation_id;
use super::state::AppState;
use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use utoipa::openapi::Required;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, Paths};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::{ResponseBuilder, ResponsesBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{Content, Ref};

/// Whether a route needs a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// Open to anyone (health, the OpenAPI document).
    Public,
    /// `Authorization: Bearer` required.
    Token,
    /// Works without a token; a token that is sent must be good.
    Optional,
}

/// Which conditional header a route honours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cond {
    None,
    /// `If-Match` is required (428 without it, 412 when stale).
    IfMatch,
    /// `If-Match` is checked when sent (412 when stale).
    IfMatchOptional,
    /// `If-None-Match` answers 304 when nothing changed.
    IfNoneMatch,
}

/// What the OpenAPI document says about one route.
#[derive(Clone, Copy, Debug)]
pub struct Doc {
    summary: &'static str,
    tag: &'static str,
    auth: Auth,
    body: Option<&'static str>,
    /// The body may be left out (a `MaybeBody` route).
    body_optional: bool,
    ok: u16,
    reply: &'static str,
    query: &'static [Query],
    cond: Cond,
    /// Statuses this route answers beyond those its kind implies (a public route's
    /// refusals, say), with what each means there.
    also: &'static [(u16, &'static str)],
}

/// A route that needs a token and answers 200 with `reply` (a schema name).
pub const fn doc(tag: &'static str, summary: &'static str, reply: &'static str) -> Doc {
    Doc {
        summary,
        tag,
        auth: Auth::Token,
        body: None,
        body_optional: false,
        ok: 200,
        reply,
        query: &[],
        cond: Cond::None,
        also: &[],
    }
}

impl Doc {
    pub const fn auth(mut self, auth: Auth) -> Doc {
        self.auth = auth;
        self
    }
    /// The request body's schema name.
    pub const fn body(mut self, schema: &'static str) -> Doc {
        self.body = Some(schema);
        self
    }
    /// A request body that may be left out (the route reads a `MaybeBody`).
    pub const fn optional_body(mut self, schema: &'static str) -> Doc {
        self.body = Some(schema);
        self.body_optional = true;
        self
    }
    pub const fn created(mut self) -> Doc {
        self.ok = 201;
        self
    }
    /// Answers 202 Accepted: taken on, with the outcome not told.
    pub const fn accepted(mut self) -> Doc {
        self.ok = 202;
        self
    }
    pub const fn also(mut self, statuses: &'static [(u16, &'static str)]) -> Doc {
        self.also = statuses;
        self
    }
    pub const fn query(mut self, params: &'static [Query]) -> Doc {
        self.query = params;
        self
    }
    pub const fn cond(mut self, cond: Cond) -> Doc {
        self.cond = cond;
        self
    }
}

/// The router being built and the paths of its document.
pub struct Api {
    router: Router<AppState>,
    paths: Paths,
}

impl Default for Api {
    fn default() -> Self {
        Api {
            router: Router::new(),
            paths: Paths::new(),
        }
    }
}

macro_rules! verb {
    ($name:ident, $route:ident, $method:ident) => {
        pub fn $name<H, T>(self, path: &'static str, handler: H, doc: Doc) -> Api
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            self.add(HttpMethod::$method, path, $route(handler), doc)
        }
    };
}

impl Api {
    verb!(get, get, Get);
    verb!(post, post, Post);
    verb!(put, put, Put);
    verb!(patch, patch, Patch);
    verb!(delete, delete, Delete);

    fn add(
        mut self,
        method: HttpMethod,
        path: &'static str,
        route: MethodRouter<AppState>,
        doc: Doc,
    ) -> Api {
        self.router = self.router.route(path, route);
        let write = !matches!(method, HttpMethod::Get);
        self.paths.add_path_operation(
            path,
            vec![method.clone()],
            operation(method, path, write, &doc),
        );
        self
    }

    /// Adds another group of routes.
    pub fn with(self, add: impl FnOnce(Api) -> Api) -> Api {
        add(self)
    }

    pub fn into_parts(self) -> (Router<AppState>, Paths) {
        (self.router, self.paths)
    }
}

fn operation(
    method: HttpMethod,
    path: &str,
    write: bool,
    doc: &Doc,
) -> utoipa::openapi::path::Operation {
    let mut op = OperationBuilder::new()
        .operation_id(Some(operation_id(method, path)))
        .summary(Some(doc.summary))
        .tag(doc.tag);
    let mut before = "";
    for segment in path.split('/') {
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            op = op.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(path_kind(name, before).schema())),
            );
        }
        before = segment;
    }
    for (name, what, kind) in doc.query {
        op = op.parameter(
            ParameterBuilder::new()
                .name(*name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(*what))
                .schema(Some(kind.schema())),
        );
    }
    let header = |name: &str, what: &str, required: bool, pattern: Option<&str>| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(if required {
                Required::True
            } else {
                Required::False
            })
            .description(Some(what))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(pattern),
            ))
    };
    match doc.cond {
        Cond::IfMatch => {
            op = op.parameter(header(
                "If-Match",
                "the ETag you read",
                true,
                Some(IF_MATCH),
            ));
        }
        Cond::IfMatchOptional => {
            op = op.parameter(header(
                "If-Match",
                "the ETag you read (optional)",
                false,
                Some(IF_MATCH),
            ));
        }
        Cond::IfNoneMatch => {
            op = op.parameter(header("If-None-Match", "an ETag you hold", false, None));
        }
        Cond::None => {}
    }
    if let Some(schema) = doc.body {
        op = op.request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(if doc.body_optional {
                    Required::False
                } else {
                    Required::True
                }))
                .content("application/json", json(schema))
                .build(),
        ));
    }
    if doc.auth != Auth::Public {
        let req = SecurityRequirement::new("bearer", Vec::<String>::new());
        if doc.auth == Auth::Optional {
            op = op.securities(Some([req, SecurityRequirement::default()]));
        } else {
            op = op.security(req);
        }
    }
    let mut responses = ResponsesBuilder::new().response(
        doc.ok.to_string(),
        ResponseBuilder::new()
            .description(match doc.ok {
                201 => "Created",
                202 => "Accepted",
                _ => "OK",
            })
            .content("application/json", json(doc.reply)),
    );
    if doc.cond == Cond::IfNoneMatch {
        responses = responses.response("304", ResponseBuilder::new().description("Not modified"));
    }
    for (status, what) in problems(path, write, doc) {
        responses = responses.response(
            status.to_string(),
            ResponseBuilder::new()
                .description(what)
                .content(super::problem::PROBLEM_JSON, json("Problem")),
        );
    }
    op.responses(responses.build()).build()
}

/// `*` or a list of entity tags (RFC 9110 §8.8.3), as `extract::IfMatch` reads it.
const IF_MATCH: &str = r#"^(\*|(W/)?"[!#-+\--~]*"([ \t]*,[ \t]*(W/)?"[!#-+\--~]*")*)$"#;

fn json(schema: &str) -> Content {
    Content::new(Some(Ref::from_schema_name(schema)))
}

/// What the path segment `{name}` takes, `before` being the segment ahead of it: the
/// id of the collection it is in (`accounts/{id}`), or of the record it names.
fn path_kind(name: &str, before: &str) -> Kind {
    let of = if name == "id" { before } else { name };
    match of {
        "slug" => Kind::Slug,
        "accounts" | "account" => Kind::Id("u"),
        "roles" | "role" => Kind::Id("r"),
        "groups" => Kind::Id("g"),
        "programs" => Kind::Id("p"),
        "contracts" => Kind::Id("c"),
        "invitations" => Kind::Id("i"),
        "approvals" => Kind::Id("a"),
        _ => Kind::Text,
    }
}

/// Every error status a route can answer, with what it means there.
fn problems(path: &str, write: bool, doc: &Doc) -> Vec<(u16, &'static str)> {
    let mut out = vec![(400, "malformed request")];
    if doc.auth != Auth::Public {
        out.push((
            401,
            "missing, unknown, revoked or expired token, or an inactive account",
        ));
    }
    if doc.auth == Auth::Token {
        out.push((403, "the rules do not allow it (the detail says why)"));
    }
    if path.contains('{') || doc.auth != Auth::Public {
        out.push((404, "no such resource, or one the caller may not know of"));
    }
    if write {
        out.push((409, "contradicts the current state (the detail says how)"));
    }
    if matches!(doc.cond, Cond::IfMatch | Cond::IfMatchOptional) || doc.reply == "Events" {
        out.push((412, "changed since it was read"));
    }
    if doc.body.is_some() {
        out.push((413, "request body too large"));
        out.push((415, "body is not JSON"));
    }
    out.push((422, "invalid values"));
    if doc.cond == Cond::IfMatch {
        out.push((428, "If-Match missing"));
    }
    if doc.auth != Auth::Public {
        out.push((429, "too many bad tokens from this address"));
    }
    for (status, what) in doc.also {
        if !out.iter().any(|(s, _)| s == status) {
            out.push((*status, what));
        }
    }
    out.sort_by_key(|(s, _)| *s);
    out.push((431, "request headers too large"));
    out.push((500, "the server's store failed"));
    out.push((503, "busy or timed out: retry after Retry-After seconds"));
    out
}
