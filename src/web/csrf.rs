//! CSRF protection: every state-changing request carries the session's
//! token, in the `X-CSRF-Token` header or a `csrf_token` form field. The two
//! login endpoints have no session yet; they refuse cross-site requests.

use super::error::AppError;
use super::session::SessionInfo;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::Method;
use axum::response::{IntoResponse, Response};

pub const HEADER: &str = "x-csrf-token";
pub const FIELD: &str = "csrf_token";
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;
const LOGIN_PATHS: [&str; 2] = ["/login", "/api/v1/session"];

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn is_cross_site(request: &Request) -> bool {
    let headers = request.headers();
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return true;
    }
    let host = headers.get("host").and_then(|v| v.to_str().ok());
    match (headers.get("origin").and_then(|v| v.to_str().ok()), host) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => origin.split("://").nth(1) != Some(host),
        _ => false,
    }
}

/// Lets a request through when it is safe or carries the session's token;
/// anything else is refused. A form body read to find the token is put
/// back for the handler.
pub async fn check(request: Request) -> Result<Request, Response> {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(request);
    }
    if LOGIN_PATHS.contains(&request.uri().path()) && request.method() == Method::POST {
        return if is_cross_site(&request) {
            Err(refused())
        } else {
            Ok(request)
        };
    }
    let expected = request.extensions().get::<SessionInfo>().map(|s| s.csrf.clone());
    let Some(expected) = expected.filter(|t| !t.is_empty()) else {
        return Err(refused());
    };
    if let Some(sent) = request.headers().get(HEADER) {
        return if constant_time_eq(sent.as_bytes(), expected.as_bytes()) {
            Ok(request)
        } else {
            Err(refused())
        };
    }
    let is_form = request
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(refused());
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
        return Err(AppError::TooLarge.into_response());
    };
    let sent = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v));
    match sent {
        Some(sent) if constant_time_eq(sent.as_bytes(), expected.as_bytes()) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => Err(refused()),
    }
}

fn refused() -> Response {
    AppError::CsrfMissing.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_exactly() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
