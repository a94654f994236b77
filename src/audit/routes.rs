//! The audit view for supervisors: every change in their subtree, newest
//! first. Read-only: there is no route that changes an entry.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::json;

use super::model::{Entry, ShownEntry};
use super::storage;
use crate::accounts::Permission;
use crate::i18n::Lang;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::Query;
use crate::web::page::{datetime_vi, render, PageCtx};
use crate::web::AppState;

const PAGE: i64 = 100;

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(page))
}

pub fn api_router() -> Router<AppState> {
    Router::new().route("/audit", get(api_list))
}

#[derive(Deserialize)]
struct Params {
    before: Option<i64>,
}

async fn entries(state: &AppState, user: &CurrentUser, before: Option<i64>) -> Result<Vec<Entry>, AppError> {
    let scopes = user.principal.scopes(Permission::Supervise);
    if scopes.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(storage::list(&state.db, &scopes, before, PAGE).await?)
}

#[derive(Template)]
#[template(path = "audit/templates/list.html")]
struct AuditPage {
    ctx: PageCtx,
    entries: Vec<ShownEntry>,
    older: Option<i64>,
}

impl AuditPage {
    fn when(&self, entry: &Entry) -> String {
        datetime_vi(&entry.at)
    }
}

async fn page(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(p): Query<Params>,
) -> Result<Response, AppError> {
    let entries = entries(&state, &user, p.before).await?;
    let older = (entries.len() as i64 == PAGE)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    let entries = entries.into_iter().map(Entry::shown).collect();
    Ok(render(&AuditPage {
        ctx: PageCtx::new(lang, &user, "/audit"),
        entries,
        older,
    })?
    .into_response())
}

async fn api_list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<Params>,
) -> Result<Response, AppError> {
    let entries = entries(&state, &user, p.before).await?;
    let older = (entries.len() as i64 == PAGE)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    Ok(axum::Json(json!({ "items": entries, "before": older })).into_response())
}
