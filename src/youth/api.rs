//! `/api/v1/youth`: Youth Red Cross members as JSON.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::routes::{listed, ListQuery};
use super::service::{self, YouthChange, YouthInput};
use super::YouthMember;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Json as JsonBody, Path, Query};
use crate::web::openapi::{ReadErrors, WriteErrors};
use crate::web::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_youth, enrol_youth))
        .routes(routes!(show_youth, change_youth))
}

/// Youth members inside the caller's units (or `unit`, of `year`).
#[utoipa::path(get, path = "/youth", tag = "youth", params(ListQuery),
    responses((status = 200, description = "OK", body = [YouthMember]), ReadErrors))]
async fn list_youth(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<YouthMember>>, AppError> {
    Ok(Json(listed(&state, &user, &q).await?.2))
}

/// Enrol a pupil (record number or CCCD) in a school branch.
#[utoipa::path(post, path = "/youth", tag = "youth", request_body = YouthInput,
    responses((status = 201, description = "Created", body = YouthMember), WriteErrors))]
async fn enrol_youth(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonBody(input): JsonBody<YouthInput>,
) -> Result<Response, AppError> {
    let y = service::enrol(&state.db, state.registry.placed_tables(), &user.principal, &input).await?;
    let location = format!("/api/v1/youth/{}", y.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(y)).into_response())
}

/// One youth member.
#[utoipa::path(get, path = "/youth/{youth}", tag = "youth", params(("youth" = i64, Path, description = "Youth member id")),
    responses((status = 200, description = "OK", body = YouthMember), ReadErrors))]
async fn show_youth(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<YouthMember>, AppError> {
    Ok(Json(service::get(&state.db, &user.principal, record_id(&id)?).await?))
}

/// Change a youth member's class, school year or status; send the `version` last read.
#[utoipa::path(put, path = "/youth/{youth}", tag = "youth", params(("youth" = i64, Path, description = "Youth member id")),
    request_body = YouthChange, responses((status = 200, description = "OK", body = YouthMember), WriteErrors))]
async fn change_youth(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<YouthChange>,
) -> Result<Json<YouthMember>, AppError> {
    Ok(Json(
        service::change(&state.db, &user.principal, record_id(&id)?, &input).await?,
    ))
}
