//! The shared parts of the OpenAPI document: its description, the session
//! security scheme, the error body and the error responses operations
//! list. Operations themselves come from each capability's handlers
//! (`#[utoipa::path]`), so the document cannot drift from the code.

use std::collections::BTreeMap;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};

const DESCRIPTION: &str = "Operations platform of the Red Cross Society of Vietnam. Log in with \
POST /session; send the session cookie with every call and the returned CSRF token as X-CSRF-Token \
on every state-changing call. Every call sees only the org units the user's roles cover; anything \
else is 404. Errors are JSON: {\"error\": {\"code\", \"message\", \"fields\"?}}; messages follow \
Accept-Language (vi, en). Lists are pages of 50: pass `next` back as `after`.";

/// An error as every endpoint returns it.
#[derive(ToSchema)]
#[allow(dead_code)] // describes the JSON written by `AppError::json_body`
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(ToSchema)]
#[allow(dead_code)]
struct ErrorDetail {
    /// Machine-readable: not_found, validation, conflict, forbidden, csrf, throttled …
    code: String,
    /// In the caller's language.
    message: String,
    /// Field name → message, for validation errors.
    fields: Option<BTreeMap<String, String>>,
    /// Link to the record in the way of a conflict, when the caller may see it.
    existing: Option<String>,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Nhân Ái API", version = "1", description = DESCRIPTION),
    servers((url = "/api/v1")),
    components(schemas(ErrorBody)),
    modifiers(&SessionScheme),
    security(("session" = []))
)]
struct Base;

struct SessionScheme;

impl Modify for SessionScheme {
    fn modify(&self, doc: &mut Document) {
        if let Some(components) = doc.components.as_mut() {
            components.add_security_scheme(
                "session",
                SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("nhanai_sid"))),
            );
        }
    }
}

/// The document before any capability adds its operations.
pub fn base() -> Document {
    Base::openapi()
}

fn error(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
        .into()
}

fn errors(codes: &[(&str, &str)]) -> BTreeMap<String, RefOr<Response>> {
    codes
        .iter()
        .map(|(code, text)| ((*code).to_owned(), error(text)))
        .collect()
}

/// The errors of a read: not signed in, or not found (also: outside the
/// caller's units).
pub struct ReadErrors;

impl IntoResponses for ReadErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        errors(&[
            ("400", "Malformed request"),
            ("401", "Not signed in"),
            ("404", "Not found, or outside the caller's units"),
        ])
    }
}

/// The errors of a change: those of a read, and refusals.
pub struct WriteErrors;

impl IntoResponses for WriteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        errors(&[
            ("400", "Malformed request"),
            ("401", "Not signed in"),
            ("403", "Read-only access, or missing CSRF token"),
            ("404", "Not found, or outside the caller's units"),
            ("409", "Conflict: a duplicate, or the record changed meanwhile"),
            ("422", "Invalid fields (see `fields`)"),
            ("429", "Too many attempts; see Retry-After"),
        ])
    }
}
