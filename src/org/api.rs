//! `/api/v1/units`: the tree as JSON, and the reform resolver for importers.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use super::model::Unit;
use super::routes::{children_with_counts, readable_unit};
use super::service::{self, MergeOptions};
use super::storage;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{Json, Query};
use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/units/resolve", get(resolve))
        .route("/units/{code}", get(show).patch(rename))
        .route("/units/{code}/children", get(children))
        .route("/units/{code}/branches", post(create_branch))
        .route("/units/{code}/close", post(close))
        .route("/units/{code}/merge", post(merge))
}

fn unit_json(unit: &Unit) -> Value {
    json!({
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "kind": unit.kind,
        "status": unit.status,
    })
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let unit = readable_unit(&state, &user, &code).await?;
    let mut body = unit_json(&unit);
    let parent = match unit.parent_id {
        Some(id) => storage::by_id(&state.db, id).await?,
        None => None,
    };
    body["parent"] = json!(parent.map(|p| p.code));
    body["merged_into"] = json!(match unit.merged_into_id {
        Some(id) => storage::by_id(&state.db, id).await?.map(|u| u.code),
        None => None,
    });
    body["merged_from"] = json!(storage::merged_into(&state.db, unit.id)
        .await?
        .iter()
        .map(|u| u.code.clone())
        .collect::<Vec<_>>());
    body["persons"] = json!(crate::people::storage::count_in(&state.db, unit.scope()).await?);
    Ok(axum::Json(body).into_response())
}

async fn children(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let unit = readable_unit(&state, &user, &code).await?;
    let rows = children_with_counts(&state, &unit).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|row| {
            let mut v = unit_json(&row.unit);
            v["branches"] = json!(row.counts.branches);
            v["persons"] = json!(row.counts.persons);
            v
        })
        .collect();
    Ok(axum::Json(json!({ "items": items })).into_response())
}

#[derive(Deserialize)]
struct ResolveParams {
    q: String,
    province: Option<String>,
}

/// Which 2025 commune a commune name or code from a list belongs to.
async fn resolve(
    State(state): State<AppState>,
    _user: CurrentUser,
    Query(p): Query<ResolveParams>,
) -> Result<Response, AppError> {
    if p.q.trim().is_empty() || p.q.chars().count() > 100 {
        return Err(AppError::bad_request("error.resolve_query"));
    }
    let resolution = storage::resolve_commune(&state.db, &p.q, p.province.as_deref()).await?;
    Ok(axum::Json(resolution).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewBranch {
    name: String,
    kind: String,
}

async fn create_branch(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Json(body): Json<NewBranch>,
) -> Result<Response, AppError> {
    let commune = readable_unit(&state, &user, &code).await?;
    let branch = service::create_branch(&state.db, &user.principal, &commune, &body.name, &body.kind).await?;
    Ok((StatusCode::CREATED, axum::Json(unit_json(&branch))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rename {
    name: String,
}

async fn rename(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Json(body): Json<Rename>,
) -> Result<Response, AppError> {
    let unit = readable_unit(&state, &user, &code).await?;
    service::rename(&state.db, &user.principal, &unit, &body.name).await?;
    show(State(state), user, Path(code)).await
}

async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let unit = readable_unit(&state, &user, &code).await?;
    service::close(&state.db, &user.principal, &unit).await?;
    show(State(state), user, Path(code)).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Merge {
    /// Codes of the units merged into this one.
    sources: Vec<String>,
    #[serde(default)]
    move_grants: bool,
}

async fn merge(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Json(body): Json<Merge>,
) -> Result<Response, AppError> {
    let target = readable_unit(&state, &user, &code).await?;
    let options = MergeOptions {
        move_grants: body.move_grants,
    };
    service::merge(&state.db, &user.principal, &target, &body.sources, options).await?;
    show(State(state), user, Path(code)).await
}
