//! The typed pieces of the OpenAPI document: what an id, an enum, a bounded integer or a
//! line of text accepts, written once so that path, query and body say the same as the
//! server's own parsing (`extract::id`, `common::AnyId`, `core::validate`). A generated
//! client, or Schemathesis, then only sends what the server takes.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, SchemaType, Type,
};

/// What a path or query parameter accepts.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// Any text.
    Text,
    /// `true` or `false`.
    Bool,
    /// An unsigned integer up to `max`.
    Count { max: u64 },
    /// One of these words (the serde names of a core enum).
    Words(&'static [&'static str]),
    /// A record id as the path takes it: `u12` or `12` (`prefix` is the record's letter).
    Id(&'static str),
    /// An organisation slug.
    Slug,
}

/// A query parameter: its name, what it means, what it accepts.
pub type Query = (&'static str, &'static str, Kind);

impl Kind {
    pub fn schema(self) -> Schema {
        match self {
            Kind::Text => ObjectBuilder::new().schema_type(Type::String).into(),
            Kind::Bool => ObjectBuilder::new().schema_type(Type::Boolean).into(),
            Kind::Count { max } => count(max, false),
            Kind::Words(words) => words_of(words, false),
            Kind::Id(prefix) => id_text(prefix),
            Kind::Slug => ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[a-z0-9][a-z0-9-]{1,31}$"))
                .into(),
        }
    }
}

/// An unsigned integer up to `max`, as JSON Schema says it: `int64` (never `int32`,
/// which stops at 2^31 - 1 where a `u32` goes on to 2^32 - 1), with its bounds.
/// A `u64` goes past `int64`, so it gets no format, only its bounds.
pub fn count(max: u64, nullable: bool) -> Schema {
    let format = (max <= i64::MAX as u64).then_some(SchemaFormat::KnownFormat(KnownFormat::Int64));
    ObjectBuilder::new()
        .schema_type(or_null(Type::Integer, nullable))
        .format(format)
        .minimum(Some(0))
        .maximum(Some(utoipa::Number::UInt(max as usize)))
        .into()
}

/// A `u32`.
pub fn u32_schema() -> Schema {
    count(u32::MAX.into(), false)
}

fn or_null(t: Type, nullable: bool) -> SchemaType {
    if nullable {
        SchemaType::from_iter([t, Type::Null])
    } else {
        SchemaType::new(t)
    }
}

/// One of `words`; `null` too when the field may be left out.
pub fn words_of(words: &[&str], nullable: bool) -> Schema {
    let mut values: Vec<serde_json::Value> = words.iter().map(|w| (*w).into()).collect();
    if nullable {
        values.push(serde_json::Value::Null);
    }
    ObjectBuilder::new()
        .schema_type(or_null(Type::String, nullable))
        .enum_values(Some(values))
        .into()
}

/// An id as text: the record's letter (optional) and its number.
fn id_text(prefix: &str) -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!("^{prefix}?[0-9]{{1,19}}$")))
        .description(Some(format!("`{prefix}12` or `12`")))
        .into()
}

/// An id in a body (`AnyId`): the number, or the id as shown.
pub fn any_id(prefix: &str, nullable: bool) -> Schema {
    let mut one = OneOfBuilder::new()
        .item(id_text(prefix))
        .item(count(u64::MAX, false));
    if nullable {
        one = one.item(ObjectBuilder::new().schema_type(Type::Null));
    }
    one.into()
}

/// A time, RFC 3339.
pub fn time(nullable: bool) -> Schema {
    ObjectBuilder::new()
        .schema_type(or_null(Type::String, nullable))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .into()
}

/// Characters `core::validate` refuses in text (controls, bidi and invisible ones).
const UNSAFE: &str =
    r"\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c\u180e";

/// One line of text (`validate::line`): no control or invisible characters, at most
/// `max` characters, and something besides spaces when `required`.
pub fn line(max: usize, required: bool, nullable: bool) -> Schema {
    let pattern = if required {
        format!(r"^[^{UNSAFE}]*[^\s{UNSAFE}][^{UNSAFE}]*$")
    } else {
        format!(r"^[^{UNSAFE}]*$")
    };
    ObjectBuilder::new()
        .schema_type(or_null(Type::String, nullable))
        .pattern(Some(pattern))
        .min_length(required.then_some(1))
        .max_length(Some(max))
        .into()
}

/// Free text (`validate::message`): like a line, newlines allowed.
pub fn message(max: usize, nullable: bool) -> Schema {
    let unsafe_but_newline = UNSAFE.replacen(r"\x00-\x1f", r"\x00-\x09\x0b-\x1f", 1);
    ObjectBuilder::new()
        .schema_type(or_null(Type::String, nullable))
        .pattern(Some(format!(r"^[^{unsafe_but_newline}]*$")))
        .max_length(Some(max))
        .into()
}

/// An email address as `validate::email` takes it: one `@`, a dotted domain, no spaces.
pub fn email(nullable: bool) -> Schema {
    let c = format!(r"[^\s@{UNSAFE}]");
    let d = format!(r"[^\s@.{UNSAFE}]");
    ObjectBuilder::new()
        .schema_type(or_null(Type::String, nullable))
        .pattern(Some(format!(r"^{c}+@{d}{c}*\.{c}*{d}$")))
        .max_length(Some(254))
        .into()
}

/// A password: 8 to 1024 characters (`credentials`).
pub fn password() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(crate::credentials::MIN_LEN))
        .max_length(Some(crate::credentials::MAX_LEN))
        .into()
}

/// Wraps a schema for `#[schema(schema_with = …)]`.
pub fn boxed(s: Schema) -> RefOr<Schema> {
    RefOr::T(s)
}

/// The serde names of the core enums the document lists.
pub mod words {
    pub const LEVEL: &[&str] = &["member", "admin", "owner"];
    pub const APPROVAL: &[&str] = &["approved", "pending", "rejected"];
    pub const SCOPE: &[&str] = &["org", "program"];
    pub const STATUS_FILTER: &[&str] = &["active", "disabled", "any"];
    pub const ACCOUNT_SORT: &[&str] = &["name", "email", "level", "status", "created"];
    pub const INVITATION_STATUS: &[&str] = &["pending", "accepted", "revoked", "expired"];
}

/// Field schemas for `#[schema(schema_with = …)]` on the request bodies.
pub mod field {
    use super::*;

    type S = RefOr<Schema>;
    pub fn account_id() -> S {
        boxed(any_id("u", false))
    }
    pub fn role_id() -> S {
        boxed(any_id("r", false))
    }
    pub fn role_ids() -> S {
        boxed(
            utoipa::openapi::schema::ArrayBuilder::new()
                .items(RefOr::T(any_id("r", false)))
                .into(),
        )
    }
    pub fn program_id() -> S {
        boxed(any_id("p", false))
    }
    pub fn program_id_or_null() -> S {
        boxed(any_id("p", true))
    }
    /// An invitation's level: an owner is not invited but made by a transfer.
    pub fn invited_level_or_null() -> S {
        boxed(words_of(&["member", "admin"], true))
    }
    pub fn permissions() -> S {
        boxed(permission_list(false))
    }
    pub fn permissions_or_null() -> S {
        boxed(permission_list(true))
    }
    fn permission_list(nullable: bool) -> Schema {
        utoipa::openapi::schema::ArrayBuilder::new()
            .schema_type(or_null(Type::Array, nullable))
            .items(RefOr::T(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some("^[a-z0-9._:-]{1,64}$"))
                    .into(),
            ))
            .into()
    }
    pub fn scope() -> S {
        boxed(words_of(words::SCOPE, false))
    }
    pub fn time_or_null() -> S {
        boxed(time(true))
    }
    /// An HTTP status code (a `u16`, never more than 599).
    pub fn http_status() -> S {
        boxed(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .minimum(Some(100))
                .maximum(Some(599))
                .into(),
        )
    }
    pub fn seats() -> S {
        boxed(u32_schema())
    }
    /// A lifetime in hours: 1 hour to 90 days (`check_settings`).
    pub fn hours_or_null() -> S {
        boxed(
            ObjectBuilder::new()
                .schema_type(or_null(Type::Integer, true))
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .minimum(Some(1))
                .maximum(Some(24 * 90))
                .into(),
        )
    }
    pub fn email() -> S {
        boxed(super::email(false))
    }
    pub fn email_or_null() -> S {
        boxed(super::email(true))
    }
    pub fn password() -> S {
        boxed(super::password())
    }
    pub fn first_name() -> S {
        boxed(line(100, true, false))
    }
    pub fn first_name_or_null() -> S {
        boxed(line(100, true, true))
    }
    pub fn last_name() -> S {
        boxed(line(100, false, false))
    }
    pub fn last_name_or_null() -> S {
        boxed(line(100, false, true))
    }
    pub fn group_name() -> S {
        boxed(line(80, true, false))
    }
    pub fn program_name() -> S {
        boxed(line(100, true, false))
    }
    pub fn role_name() -> S {
        boxed(line(60, true, false))
    }
    pub fn role_name_or_null() -> S {
        boxed(line(60, true, true))
    }
    pub fn role_description() -> S {
        boxed(line(300, false, false))
    }
    pub fn role_description_or_null() -> S {
        boxed(line(300, false, true))
    }
    pub fn product() -> S {
        boxed(line(40, true, false))
    }
    pub fn product_or_null() -> S {
        boxed(line(40, true, true))
    }
    pub fn org_name_or_null() -> S {
        boxed(line(120, true, true))
    }
    pub fn website_or_null() -> S {
        boxed(line(200, false, true))
    }
    pub fn address_or_null() -> S {
        boxed(message(500, true))
    }
    pub fn description_or_null() -> S {
        boxed(message(2000, true))
    }
    pub fn word_or_null() -> S {
        boxed(line(40, true, true))
    }
    pub fn invitation_message() -> S {
        boxed(message(2000, false))
    }
    pub fn note() -> S {
        boxed(message(500, false))
    }
    pub fn reason() -> S {
        boxed(message(500, false))
    }
}
