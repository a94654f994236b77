//! What every request passes through, in order, as one middleware (one
//! layer costs a boxed service clone per request; five did before):
//! its session is found, its CSRF token checked, the handler runs, an
//! error it returned is rendered, the security headers are set, and one
//! line is logged, and text the client accepts compressed is gzipped.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::{AppError, ErrorTarget};
use super::{csrf, session, AppState, Settings};

pub async fn every_request(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    // The path only: the query may hold a CCCD or a phone number.
    let path = request.uri().path().to_owned();
    let target = ErrorTarget::of(&request);
    let gzip_accepted = super::compress::accepts_gzip(request.headers());
    let response = handle(&state, request, next).await;
    let mut response = target.render(&state, response).await;
    security_headers(&state.settings, response.headers_mut());
    let ms = started.elapsed().as_millis() as u64;
    tracing::info!(%method, %path, status = response.status().as_u16(), ms, "request");
    super::compress::gzip(gzip_accepted, response)
}

async fn handle(state: &AppState, mut request: Request, next: Next) -> Response {
    if let Err(e) = session::attach(state, &mut request).await {
        return AppError::from(e).into_response();
    }
    match csrf::check(request).await {
        Ok(request) => next.run(request).await,
        Err(refused) => refused,
    }
}

fn security_headers(settings: &Settings, headers: &mut axum::http::HeaderMap) {
    if settings.secure_cookies {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    let fixed = [
        (
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}
