//! Routes and their documentation, registered together: each route is added once, with
//! a `Doc`, and that one call both mounts the handler and writes its OpenAPI operation.
//! So the document lists every route the server has, with every status it can answer.

use super::state::AppState;
use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, Paths};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::{ResponseBuilder, ResponsesBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{Content, Ref, Required};

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
    ok: u16,
    reply: &'static str,
    query: &'static [(&'static str, &'static str)],
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
    pub const fn query(mut self, params: &'static [(&'static str, &'static str)]) -> Doc {
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
        self.paths
            .add_path_operation(path, vec![method], operation(path, write, &doc));
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

fn operation(path: &str, write: bool, doc: &Doc) -> utoipa::openapi::path::Operation {
    let mut op = OperationBuilder::new()
        .summary(Some(doc.summary))
        .tag(doc.tag);
    for name in path_params(path) {
        op = op.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
        );
    }
    for (name, what) in doc.query {
        op = op.parameter(
            ParameterBuilder::new()
                .name(*name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(*what))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
        );
    }
    let header = |name: &str, what: &str, required: bool| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(if required {
                Required::True
            } else {
                Required::False
            })
            .description(Some(what))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
    };
    match doc.cond {
        Cond::IfMatch => {
            op = op.parameter(header("If-Match", "the ETag you read", true));
        }
        Cond::IfMatchOptional => {
            op = op.parameter(header("If-Match", "the ETag you read (optional)", false));
        }
        Cond::IfNoneMatch => {
            op = op.parameter(header("If-None-Match", "an ETag you hold", false));
        }
        Cond::None => {}
    }
    if let Some(schema) = doc.body {
        op = op.request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
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

fn json(schema: &str) -> Content {
    Content::new(Some(Ref::from_schema_name(schema)))
}

/// The `{name}` segments of a path.
fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
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
