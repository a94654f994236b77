//! The one place where errors become HTTP responses. Handlers return
//! `AppError` (domain errors convert into it); the response carries the
//! error in its extensions and `render_errors` turns it into an HTML page or
//! a JSON body in the user's language.

use std::collections::BTreeMap;

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::page;
use crate::accounts::AccountError;
use crate::i18n::{self, Lang};
use crate::org::OrgError;
use crate::people::PeopleError;

/// Field name → catalogue key of the message for that field.
pub type FieldErrors = BTreeMap<String, String>;

#[derive(Clone, Debug)]
pub enum AppError {
    NotFound,
    MethodNotAllowed,
    Unauthenticated,
    InvalidCredentials,
    Forbidden,
    CsrfMissing,
    Throttled {
        minutes: i64,
    },
    /// A request the user can fix; `key` is a catalogue key, `args` fill it.
    BadRequest {
        key: String,
        args: Vec<(String, String)>,
    },
    Validation(FieldErrors),
    /// A conflict (duplicate, stale edit); `link` points to the record in the way.
    Conflict {
        key: String,
        link: Option<String>,
    },
    Internal(String),
}

impl AppError {
    pub fn bad_request(key: &str) -> AppError {
        AppError::BadRequest {
            key: key.to_owned(),
            args: Vec::new(),
        }
    }

    pub fn bad_request_with(key: &str, args: &[(&str, &str)]) -> AppError {
        AppError::BadRequest {
            key: key.to_owned(),
            args: args.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Unauthenticated | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::CsrfMissing => StatusCode::FORBIDDEN,
            AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Forbidden => "forbidden",
            AppError::CsrfMissing => "csrf",
            AppError::Throttled { .. } => "throttled",
            AppError::BadRequest { .. } => "bad_request",
            AppError::Validation(_) => "validation",
            AppError::Conflict { .. } => "conflict",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            AppError::NotFound => i18n::t(lang, "error.not_found").to_owned(),
            AppError::MethodNotAllowed => i18n::t(lang, "error.method_not_allowed").to_owned(),
            AppError::Unauthenticated => i18n::t(lang, "error.unauthenticated").to_owned(),
            AppError::InvalidCredentials => i18n::t(lang, "login.invalid").to_owned(),
            AppError::Forbidden => i18n::t(lang, "error.forbidden").to_owned(),
            AppError::CsrfMissing => i18n::t(lang, "error.csrf").to_owned(),
            AppError::Throttled { minutes } => {
                i18n::t_with(lang, "error.throttled", &[("minutes", &minutes.to_string())])
            }
            AppError::BadRequest { key, args } => {
                let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                i18n::t_with(lang, key, &args)
            }
            AppError::Validation(_) => i18n::t(lang, "error.validation").to_owned(),
            AppError::Conflict { key, .. } => i18n::t(lang, key).to_owned(),
            AppError::Internal(_) => i18n::t(lang, "error.internal").to_owned(),
        }
    }

    pub fn json_body(&self, lang: Lang) -> serde_json::Value {
        let mut error = json!({ "code": self.code(), "message": self.message(lang) });
        if let AppError::Validation(fields) = self {
            let fields: BTreeMap<&String, &str> = fields.iter().map(|(f, key)| (f, i18n::t(lang, key))).collect();
            error["fields"] = json!(fields);
        }
        if let AppError::Conflict { link: Some(link), .. } = self {
            error["existing"] = json!(link);
        }
        json!({ "error": error })
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let mut response = self.status().into_response();
        response.extensions_mut().insert(self);
        response
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> AppError {
        AppError::Internal(err.to_string())
    }
}

impl From<askama::Error> for AppError {
    fn from(err: askama::Error) -> AppError {
        AppError::Internal(err.to_string())
    }
}

impl From<OrgError> for AppError {
    fn from(err: OrgError) -> AppError {
        match err {
            OrgError::UnknownUnit(code) => AppError::bad_request_with("error.unknown_unit", &[("code", &code)]),
            OrgError::Inactive(code) => AppError::bad_request_with("error.unit_inactive", &[("code", &code)]),
            OrgError::MergeIntoSelf => AppError::bad_request("error.merge_into_self"),
            OrgError::MergeAcrossLevels => AppError::bad_request("error.merge_levels"),
            OrgError::NothingToMerge => AppError::bad_request("error.merge_nothing"),
            OrgError::BranchOutsideCommune => AppError::bad_request("error.branch_outside_commune"),
            OrgError::InvalidName => AppError::bad_request("error.unit_name"),
            OrgError::HasActiveChildren => AppError::bad_request("error.unit_has_children"),
            OrgError::InvalidBranchKind => AppError::bad_request("error.branch_kind"),
            OrgError::Db(e) => e.into(),
        }
    }
}

impl From<crate::org::service::ManageError> for AppError {
    fn from(err: crate::org::service::ManageError) -> AppError {
        match err {
            crate::org::service::ManageError::Org(e) => e.into(),
            crate::org::service::ManageError::Forbidden => AppError::Forbidden,
        }
    }
}

impl From<AccountError> for AppError {
    fn from(err: AccountError) -> AppError {
        match err {
            AccountError::Validation(fields) => AppError::Validation(fields),
            AccountError::UsernameTaken => AppError::Conflict {
                key: "error.username_taken".into(),
                link: None,
            },
            AccountError::NotFound => AppError::NotFound,
            AccountError::Org(e) => e.into(),
            AccountError::Db(e) => e.into(),
        }
    }
}

impl From<PeopleError> for AppError {
    fn from(err: PeopleError) -> AppError {
        match err {
            PeopleError::Validation(fields) => AppError::Validation(fields),
            PeopleError::DuplicateCccd { visible_id: Some(id) } => AppError::Conflict {
                key: "error.cccd_duplicate_here".into(),
                link: Some(format!("/persons/{id}")),
            },
            PeopleError::DuplicateCccd { visible_id: None } => AppError::Conflict {
                key: "error.cccd_duplicate_elsewhere".into(),
                link: None,
            },
            PeopleError::StaleVersion => AppError::Conflict {
                key: "error.stale_version".into(),
                link: None,
            },
            PeopleError::NotFound => AppError::NotFound,
            PeopleError::ReadOnly => AppError::Forbidden,
            PeopleError::Org(e) => e.into(),
            PeopleError::Db(e) => e.into(),
        }
    }
}

/// Renders any `AppError` a handler or middleware returned: JSON under
/// `/api/`, an HTML page elsewhere, a redirect to the login page for a
/// page that needs a signed-in user.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let lang = if is_api {
        super::extract::api_lang_of(request.headers())
    } else {
        super::extract::lang_of(request.headers())
    };
    let wanted = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let mut response = next.run(request).await;
    let Some(error) = response.extensions_mut().remove::<AppError>() else {
        return response;
    };
    let status = error.status();
    if is_api {
        return (status, axum::Json(error.json_body(lang))).into_response();
    }
    if matches!(error, AppError::Unauthenticated) {
        let target = format!("/login?next={}", page::url_encode(&wanted));
        return (StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response();
    }
    (status, page::error_page(lang, &error)).into_response()
}
