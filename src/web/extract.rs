//! Request extractors whose rejections are `AppError`s, so malformed input
//! gets the same clear 4xx message (HTML or JSON) as every other mistake.

use axum::extract::rejection::{FormRejection, JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use super::error::AppError;
use crate::i18n::Lang;

pub const LANG_COOKIE: &str = "lang";

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The language of pages: the user's choice (cookie), else Vietnamese.
/// Pages do not follow the browser's language: staff machines are often
/// set to English while the office works in Vietnamese.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE).and_then(Lang::parse).unwrap_or_default()
}

/// The language of API messages: the cookie, else `Accept-Language`.
pub fn api_lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .or_else(|| {
            headers
                .get(axum::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::parse)
        })
        .unwrap_or_default()
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Lang, Self::Rejection> {
        Ok(lang_of(&parts.headers))
    }
}

/// JSON body; a body that is not JSON of the expected shape is a 400 that
/// says where it went wrong.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(AppError::TooLarge),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::bad_request("error.json_content_type")),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(AppError::bad_request_with(
                "error.json_syntax",
                &[("detail", &e.body_text())],
            )),
            Err(JsonRejection::JsonDataError(e)) => Err(AppError::bad_request_with(
                "error.json_shape",
                &[("detail", &e.body_text())],
            )),
            Err(e) => Err(AppError::bad_request_with(
                "error.json_syntax",
                &[("detail", &e.body_text())],
            )),
        }
    }
}

/// A form body. The CSRF field (already checked by `csrf::check`)
/// is dropped before decoding, so a form decodes straight into the same
/// input type the API takes, unknown fields refused alike. A form whose
/// field comes several times (ticked checkboxes of one name) decodes into
/// `Vec<(String, String)>` and reads its fields itself.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let refused = |detail: String| AppError::bad_request_with("error.form", &[("detail", &detail)]);
        let axum::Form(pairs) = axum::Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map_err(|e: FormRejection| match e.status() {
                StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
                _ => refused(e.body_text()),
            })?;
        let kept: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| k != super::csrf::FIELD).collect();
        let encoded = serde_urlencoded::to_string(&kept).map_err(|e| refused(e.to_string()))?;
        serde_urlencoded::from_str(&encoded)
            .map(Form)
            .map_err(|e| refused(e.to_string()))
    }
}

/// A form with fields that come several times (ticked checkboxes): the
/// values of each of `lists` are gathered apart, the rest decodes into `T`
/// like any form (the caller puts the lists into `T`'s own fields).
pub fn with_lists<T: DeserializeOwned>(
    pairs: Vec<(String, String)>,
    lists: &[&str],
) -> Result<(T, std::collections::HashMap<String, Vec<String>>), AppError> {
    let mut gathered: std::collections::HashMap<String, Vec<String>> =
        lists.iter().map(|l| ((*l).to_owned(), Vec::new())).collect();
    let mut rest = Vec::new();
    for (key, value) in pairs {
        match gathered.get_mut(&key) {
            Some(values) => values.push(value),
            None => rest.push((key, value)),
        }
    }
    let refused = |detail: String| AppError::bad_request_with("error.form", &[("detail", &detail)]);
    let encoded = serde_urlencoded::to_string(&rest).map_err(|e| refused(e.to_string()))?;
    let value = serde_urlencoded::from_str(&encoded).map_err(|e| refused(e.to_string()))?;
    Ok((value, gathered))
}

/// Path parameters. A path that does not decode (`%ff`, a number that is
/// not one) names nothing here: 404, rendered like every other error.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|_| AppError::NotFound)
    }
}

pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| Query(v))
            .map_err(|e: QueryRejection| AppError::bad_request_with("error.query", &[("detail", &e.body_text())]))
    }
}

/// Parses a numeric record id from the path; anything else is simply "not found".
pub fn record_id(text: &str) -> Result<i64, AppError> {
    text.parse::<i64>().ok().filter(|id| *id > 0).ok_or(AppError::NotFound)
}
