//! The thin web core: application state, the router that gathers every
//! domain's routes, and the layers every request passes through.

mod assets;
pub mod auth;
pub mod capability;
mod compress;
pub mod confirm;
pub mod csrf;
pub mod error;
pub mod extract;
pub mod list;
pub mod openapi;
pub mod page;
pub mod paging;
mod pipeline;
pub mod public;
pub mod routes;
pub mod session;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::Router;
use extract::Path;

use crate::db::Db;
use crate::i18n::Lang;
use capability::{Capability, Registry};
use error::AppError;
use extract::Query;
use routes::Pages;

#[derive(Clone, Debug)]
pub struct Settings {
    /// Mark cookies `Secure` and send HSTS (the server is reached over HTTPS).
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed (see `auth::client_address`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How long a server's claim on a job lasts without being renewed: a
    /// job whose server died is taken over after this.
    pub job_lease: std::time::Duration,
    /// Where the public reaches the server (`https://nhanai.redcross.org.vn`),
    /// for addresses printed on paper (a card's QR code); without it, the
    /// address a request came to.
    pub public_url: Option<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            job_lease: std::time::Duration::from_secs(30),
            public_url: None,
        }
    }
}

/// What every handler reaches: one `Arc`, so that the clone each request
/// makes of it is one counter, not one per part.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub registry: Arc<Registry>,
    pub principals: auth::PrincipalCache,
    /// Wakes this server's job worker when a job is queued here.
    pub jobs: crate::toolkit::jobs::Wakeup,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
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
            .public_get("/assets/{file}", assets::serve)
            .public_get("/favicon.ico", assets::favicon)
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
    let state = AppState(Arc::new(Shared {
        db,
        settings: Arc::new(settings),
        registry: Arc::new(registry),
        principals: auth::PrincipalCache::default(),
        jobs: Default::default(),
    }));
    if tokio::runtime::Handle::try_current().is_ok() {
        crate::toolkit::jobs::spawn_worker(state.clone());
    }
    routes
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(from_fn_with_state(state.clone(), pipeline::every_request))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

async fn openapi_document(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.registry.openapi_json().to_owned(),
    )
        .into_response()
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
