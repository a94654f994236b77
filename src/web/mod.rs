//! The thin web core: application state, the router that gathers every
//! domain's routes, and the layers every request passes through.

pub mod auth;
pub mod csrf;
pub mod error;
pub mod extract;
pub mod page;
pub mod session_store;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{from_fn, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::db::Db;
use crate::i18n::Lang;
use error::AppError;
use extract::Query;

#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Mark cookies `Secure` (the server is reached over HTTPS).
    pub secure_cookies: bool,
    /// Believe `X-Forwarded-For` (a trusted proxy sets it).
    pub trust_forwarded_for: bool,
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
}

const BODY_LIMIT: usize = 4 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    let sessions = SessionManagerLayer::new(session_store::DbSessionStore::new(state.db.clone()))
        .with_name("nhanai_sid")
        .with_secure(state.settings.secure_cookies)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(8)));
    let api = Router::new()
        .merge(crate::accounts::api::router())
        .merge(crate::org::api::router())
        .merge(crate::people::api::router())
        .merge(crate::audit::routes::api_router())
        .route("/openapi.json", get(crate::api::openapi));
    Router::new()
        .merge(crate::accounts::routes::router())
        .merge(crate::org::routes::router())
        .merge(crate::people::routes::router())
        .merge(crate::audit::routes::router())
        .nest("/api/v1", api)
        .route("/healthz", get(|| async { "ok" }))
        .route("/assets/app.css", get(stylesheet))
        .route("/lang/{code}", get(switch_language))
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(from_fn(csrf::require_token))
        .layer(sessions)
        .layer(from_fn(security_headers))
        .layer(from_fn(error::render_errors))
        .layer(from_fn(log_request))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// One log line per request: method, path (never the query, which may hold
/// a CCCD or a phone number), status and duration.
async fn log_request(request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    tracing::info!(%method, %path, status = response.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request");
    response
}

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let fixed = [
        ("content-security-policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
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
    response
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("app.css"),
    )
}

#[derive(serde::Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn switch_language(Path(code): Path<String>, Query(q): Query<NextQuery>) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    let cookie = format!(
        "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        extract::LANG_COOKIE,
        lang.code()
    );
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, cookie),
            (header::LOCATION, page::safe_next(q.next.as_deref())),
        ],
    )
        .into_response()
}
