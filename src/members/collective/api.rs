//! `/api/v1/members/collective`: collective members as JSON.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::routes::UnitQuery;
use super::{change, enrol, list, Collective, CollectiveChange, CollectiveInput};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Json as JsonBody, Path, Query};
use crate::web::openapi::{ReadErrors, WriteErrors};
use crate::web::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_collective, enrol_collective))
        .routes(routes!(change_collective))
}

/// Collective members inside the caller's units (or `unit`).
#[utoipa::path(get, path = "/members/collective", tag = "members", params(UnitQuery),
    responses((status = 200, description = "OK", body = [Collective]), ReadErrors))]
async fn list_collective(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitQuery>,
) -> Result<Json<Vec<Collective>>, AppError> {
    let unit = crate::org::service::unit_filter(&state.db, &user.principal, q.unit.as_deref()).await?;
    Ok(Json(list(&state.db, &user.principal, unit.as_ref()).await?))
}

/// Enrol an organisation of the registry as a collective member of a branch.
#[utoipa::path(post, path = "/members/collective", tag = "members", request_body = CollectiveInput,
    responses((status = 201, description = "Created", body = Collective), WriteErrors))]
async fn enrol_collective(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonBody(input): JsonBody<CollectiveInput>,
) -> Result<Response, AppError> {
    let c = enrol(&state.db, &user.principal, &input).await?;
    let location = format!("/api/v1/members/collective/{}", c.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(c)).into_response())
}

/// Change a collective member's head-count or status; send the `version` last read.
#[utoipa::path(put, path = "/members/collective/{collective}", tag = "members",
    params(("collective" = i64, Path, description = "Collective membership id")), request_body = CollectiveChange,
    responses((status = 200, description = "OK", body = Collective), WriteErrors))]
async fn change_collective(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<CollectiveChange>,
) -> Result<Json<Collective>, AppError> {
    Ok(Json(change(&state.db, &user.principal, record_id(&id)?, &input).await?))
}
