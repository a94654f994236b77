//! The one place where errors become HTTP responses. Handlers return
//! `AppError` (domain errors convert into it); the response carries the
//! error in its extensions and `ErrorTarget::render` turns it into an HTML page or
//! a JSON body in the user's language.

use std::collections::BTreeMap;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::page;
use crate::i18n::{self, Lang};
pub use crate::validation::FieldErrors;

#[derive(Clone, Debug)]
pub enum AppError {
    NotFound,
    MethodNotAllowed,
    Unauthenticated,
    InvalidCredentials,
    Forbidden,
    CsrfMissing,
    /// Too many attempts; `key` says which, `seconds` until the next one.
    Throttled {
        key: &'static str,
        seconds: i64,
    },
    /// The server is at its limit for this kind of work (exports); retry soon.
    Busy,
    /// The body is larger than the server accepts.
    TooLarge,
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
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
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
            AppError::Busy => "busy",
            AppError::TooLarge => "too_large",
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
            AppError::TooLarge => i18n::t(lang, "error.too_large").to_owned(),
            AppError::CsrfMissing => i18n::t(lang, "error.csrf").to_owned(),
            AppError::Throttled { key, seconds } => i18n::t_with(
                lang,
                key,
                &[
                    ("seconds", &seconds.to_string()),
                    ("minutes", &((seconds + 59) / 60).max(1).to_string()),
                ],
            ),
            AppError::Busy => i18n::t(lang, "error.busy").to_owned(),
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

/// How a domain's error becomes an HTTP answer. Each domain implements it
/// for its own error type next to that type; the web core knows none of
/// them, and `?` converts any of them into an `AppError`.
pub trait IntoAppError {
    fn into_app_error(self) -> AppError;
}

impl<E: IntoAppError> From<E> for AppError {
    fn from(err: E) -> AppError {
        err.into_app_error()
    }
}

/// What rendering an error needs to know of the request it answers.
pub struct ErrorTarget {
    is_api: bool,
    lang: Lang,
    uri: axum::http::Uri,
    /// The request's cookies (a reference-counted copy): an error page
    /// looks its session up again to keep the signed-in layout, so the
    /// requests that succeed copy nothing more.
    cookies: axum::http::HeaderMap,
}

impl ErrorTarget {
    pub fn of(request: &Request) -> ErrorTarget {
        let is_api = request.uri().path().starts_with("/api/");
        let lang = if is_api {
            super::extract::api_lang_of(request.headers())
        } else {
            super::extract::lang_of(request.headers())
        };
        ErrorTarget {
            is_api,
            lang,
            uri: request.uri().clone(),
            cookies: if is_api {
                axum::http::HeaderMap::new()
            } else {
                request
                    .headers()
                    .get_all(header::COOKIE)
                    .iter()
                    .map(|v| (header::COOKIE, v.clone()))
                    .collect()
            },
        }
    }

    /// Renders the `AppError` a handler or the pipeline returned, if any:
    /// JSON under `/api/`, an HTML page elsewhere, a redirect to the login
    /// page for a page that needs a signed-in user.
    pub async fn render(self, state: &super::AppState, mut response: Response) -> Response {
        let Some(error) = response.extensions_mut().remove::<AppError>() else {
            return response;
        };
        let status = error.status();
        let mut rendered = if self.is_api {
            (status, axum::Json(error.json_body(self.lang))).into_response()
        } else if matches!(error, AppError::Unauthenticated) {
            let wanted = self.uri.path_and_query().map(|p| p.as_str()).unwrap_or_default();
            let target = format!("/login?next={}", page::url_encode(wanted));
            return (StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response();
        } else {
            let path = self.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let session = super::session::find(state, &self.cookies).await.ok().flatten();
            let user = match session {
                Some(session) => super::auth::CurrentUser::of_session(state, session).await.ok(),
                None => None,
            };
            let ctx = match &user {
                Some(user) => page::PageCtx::signed_in(self.lang, user, path, state),
                None => page::PageCtx::anonymous(self.lang, path),
            };
            (status, page::error_page(ctx, &error)).into_response()
        };
        let retry_after = match error {
            AppError::Throttled { seconds, .. } => Some(seconds.max(1)),
            AppError::Busy => Some(5),
            _ => None,
        };
        if let Some(seconds) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            rendered.headers_mut().insert(header::RETRY_AFTER, seconds);
        }
        rendered
    }
}
