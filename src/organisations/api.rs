//! `/api/v1/organisations`: the registry as JSON, under the same access
//! rules and through the same service calls as the pages.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::model::{Organisation, OrganisationInput};
use super::routes::{found, ListQuery};
use super::service;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Json as JsonBody, Path, Query};
use crate::web::openapi::{ReadErrors, WriteErrors};
use crate::web::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_organisations, create_organisation))
        .routes(routes!(show_organisation, update_organisation))
}

/// Organisations inside the caller's units (or `unit`) whose name holds
/// the words of `q`, by name (500 at most).
#[utoipa::path(get, path = "/organisations", tag = "organisations", params(ListQuery),
    responses((status = 200, description = "OK", body = [Organisation]), ReadErrors))]
async fn list_organisations(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Organisation>>, AppError> {
    Ok(Json(found(&state, &user, &q).await?.1))
}

/// Register an organisation at a unit the caller may write to.
#[utoipa::path(post, path = "/organisations", tag = "organisations", request_body = OrganisationInput,
    responses((status = 201, description = "Created", body = Organisation), WriteErrors))]
async fn create_organisation(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonBody(input): JsonBody<OrganisationInput>,
) -> Result<Response, AppError> {
    let organisation = service::create(&state.db, &user.principal, &input).await?;
    let location = format!("/api/v1/organisations/{}", organisation.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(organisation)).into_response())
}

/// One organisation.
#[utoipa::path(get, path = "/organisations/{organisation}", tag = "organisations",
    params(("organisation" = i64, Path, description = "Organisation id")),
    responses((status = 200, description = "OK", body = Organisation), ReadErrors))]
async fn show_organisation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Organisation>, AppError> {
    Ok(Json(service::get(&state.db, &user.principal, record_id(&id)?).await?))
}

/// Change an organisation; send the `version` last read.
#[utoipa::path(put, path = "/organisations/{organisation}", tag = "organisations",
    params(("organisation" = i64, Path, description = "Organisation id")), request_body = OrganisationInput,
    responses((status = 200, description = "OK", body = Organisation), WriteErrors))]
async fn update_organisation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<OrganisationInput>,
) -> Result<Json<Organisation>, AppError> {
    Ok(Json(
        service::update(&state.db, &user.principal, record_id(&id)?, &input).await?,
    ))
}
