//! The thin web core: application state, the router that gathers every
//! domain's routes, and the layers every request passes through.

pub mod auth;
pub mod capability;
pub mod csrf;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod page;
pub mod paging;
pub mod routes;
pub mod session;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::db::Db;
use crate::i18n::Lang;
use capability::{Capability, Registry};
use error::AppError;
use extract::Query;
use routes::Pages;

#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Mark cookies `Secure` and send HSTS (the server is reached over HTTPS).
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed (see `auth::client_address`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub registry: Arc<Registry>,
    pub principals: Arc<auth::PrincipalCache>,
}

const BODY_LIMIT: usize = 4 * 1024 * 1024;

/// The routes of the web core itself: health, the stylesheet, the language
/// switch and the API description.
struct Core;

impl Capability for Core {
    fn name(&self) -> &'static str {
        "core"
    }

    fn pages(&self) -> Pages {
        Pages::default()
            .public_get("/healthz", || async { "ok" })
            .public_get("/assets/app.css", stylesheet)
            .public_get("/lang/{code}", switch_language)
            .public_get("/api/v1/openapi.json", openapi_document)
    }
}

/// What the web core and `capabilities` declare, and their routes.
pub fn registry(capabilities: Vec<Box<dyn Capability>>) -> (Registry, Router<AppState>) {
    let mut all: Vec<Box<dyn Capability>> = vec![Box::new(Core)];
    all.extend(capabilities);
    Registry::build(&all, openapi::base())
}

/// The whole application: the web core's layers around the routes of
/// `capabilities` (listed in `crate::app`).
pub fn app(db: Db, settings: Settings, capabilities: Vec<Box<dyn Capability>>) -> Router {
    let (registry, routes) = registry(capabilities);
    let state = AppState {
        db,
        settings: Arc::new(settings),
        registry: Arc::new(registry),
        principals: Arc::default(),
    };
    routes
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(from_fn(csrf::require_token))
        .layer(from_fn_with_state(state.clone(), session::load))
        .layer(from_fn_with_state(state.clone(), security_headers))
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

async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if state.settings.secure_cookies {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
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

async fn openapi_document(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.registry.openapi_json().to_owned(),
    )
        .into_response()
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
