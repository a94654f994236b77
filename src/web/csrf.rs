//! CSRF protection: every state-changing request carries the session's
//! token, in the `X-CSRF-Token` header or a `csrf_token` form field. The two
//! login endpoints and the public layer's forms (`/p/…`) have no session;
//! they refuse cross-site requests.

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
/// Pages and forms of the public layer (`web::public`): anonymous forms
/// have no session; like the log-in they refuse cross-site requests.
pub const PUBLIC_PREFIX: &str = "/p/";

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token as a page carries it: a fresh random pad, then the token
/// XOR the pad, both in hex. Every page shows different bytes, so a
/// compressed page that also reflects what someone typed (a search) does
/// not let an observer of its size guess the token (BREACH).
pub fn mask(token: &str) -> String {
    use rand::RngCore;
    let token = token.as_bytes();
    let mut pad = vec![0u8; token.len()];
    rand::thread_rng().fill_bytes(&mut pad);
    let masked: Vec<u8> = pad.iter().zip(token).map(|(p, t)| p ^ t).collect();
    let mut out = String::with_capacity(token.len() * 4);
    for byte in pad.iter().chain(&masked) {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// The token a masked one carries, if it is one.
fn unmask(sent: &[u8]) -> Option<Vec<u8>> {
    if !sent.len().is_multiple_of(4) {
        return None;
    }
    let bytes: Vec<u8> = sent
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<_>>()?;
    let (pad, masked) = bytes.split_at(bytes.len() / 2);
    Some(pad.iter().zip(masked).map(|(p, m)| p ^ m).collect())
}

/// Whether `sent` is the session's token, plain (API clients) or masked
/// (pages).
fn matches(sent: &[u8], expected: &str) -> bool {
    let expected = expected.as_bytes();
    constant_time_eq(sent, expected) || unmask(sent).is_some_and(|token| constant_time_eq(&token, expected))
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
    let anonymous_form = LOGIN_PATHS.contains(&request.uri().path()) || request.uri().path().starts_with(PUBLIC_PREFIX);
    if anonymous_form && request.method() == Method::POST {
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
        return if matches(sent.as_bytes(), &expected) {
            Ok(request)
        } else {
            Err(refused())
        };
    }
    let content_type = request
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("multipart/form-data") {
        // A file upload: the form carries its (masked, per-page) token in
        // its action's query, so the file need not be read to check it.
        // Logs never hold query strings.
        let sent = request
            .uri()
            .query()
            .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v));
        return match sent {
            Some(sent) if matches(sent.as_bytes(), &expected) => Ok(request),
            _ => Err(refused()),
        };
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
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
        Some(sent) if matches(sent.as_bytes(), &expected) => Ok(Request::from_parts(parts, Body::from(bytes))),
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

    #[test]
    fn masked_tokens_differ_every_time_and_still_match() {
        let token = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let (a, b) = (mask(token), mask(token));
        assert_ne!(a, b);
        assert!(!a.contains(token));
        assert!(matches(a.as_bytes(), token) && matches(b.as_bytes(), token));
        assert!(matches(token.as_bytes(), token), "API clients send it plain");
        let other = "f123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert!(!matches(mask(other).as_bytes(), token));
        assert!(!matches(b"zz", token));
    }
}
