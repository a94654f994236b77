//! `/api/v1/persons`: the registry as JSON, under the same access rules
//! and through the same service calls as the pages.

use crate::web::extract::Path;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::model::{Person, PersonInput};
use super::patch::PersonPatch;
use super::routes::SearchParams;
use super::service;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Json as JsonBody, Query};
use crate::web::openapi::{ReadErrors, WriteErrors};
use crate::web::paging::Page;
use crate::web::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_persons, create_person))
        .routes(routes!(show_person, update_person, delete_person))
}

/// Search persons: a name without diacritics, a CCCD or a phone number;
/// nothing lists everyone, by name. Only the caller's units (or `unit`).
#[utoipa::path(get, path = "/persons", tag = "persons", params(SearchParams),
    responses((status = 200, description = "OK", body = Page<Person>), ReadErrors))]
async fn search_persons(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<SearchParams>,
) -> Result<Json<Page<Person>>, AppError> {
    let found = super::search::search(&state.db, &user.principal, &p.q, p.unit.as_deref(), p.after.as_deref()).await?;
    Ok(Json(found.page))
}

/// One person.
#[utoipa::path(get, path = "/persons/{person}", tag = "persons", params(("person" = i64, Path, description = "Person id")),
    responses((status = 200, description = "OK", body = Person), ReadErrors))]
async fn show_person(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Person>, AppError> {
    Ok(Json(service::get(&state.db, &user.principal, record_id(&id)?).await?))
}

/// Register a person in a unit the caller may write to.
#[utoipa::path(post, path = "/persons", tag = "persons", request_body = PersonInput,
    responses((status = 201, description = "Created", body = Person), WriteErrors))]
async fn create_person(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonBody(input): JsonBody<PersonInput>,
) -> Result<Response, AppError> {
    let person = service::create(&state.db, &user.principal, &input).await?;
    let location = format!("/api/v1/persons/{}", person.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(person)).into_response())
}

/// Change some fields; send `version` to refuse a stale edit. Changing
/// `unit` moves the person (the caller must write in both units).
#[utoipa::path(patch, path = "/persons/{person}", tag = "persons", params(("person" = i64, Path, description = "Person id")),
    request_body = PersonPatch, responses((status = 200, description = "OK", body = Person), WriteErrors))]
async fn update_person(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<PersonPatch>,
) -> Result<Json<Person>, AppError> {
    Ok(Json(
        service::update(&state.db, &user.principal, record_id(&id)?, &patch).await?,
    ))
}

/// Delete a person; the audit trail keeps its history.
#[utoipa::path(delete, path = "/persons/{person}", tag = "persons", params(("person" = i64, Path, description = "Person id")),
    responses((status = 204, description = "Done, nothing to return"), WriteErrors))]
async fn delete_person(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    service::delete(&state.db, &user.principal, record_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
