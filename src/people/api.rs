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
use crate::web::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_persons, create_person))
        .routes(routes!(show_person, update_person, delete_person))
}

/// One page of a search, and how many match.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    pub items: Vec<Person>,
    /// Pass back as `after` for the next page; absent on the last page.
    pub next: Option<String>,
    /// How many match (counted up to a limit: see `more`).
    pub total: i64,
    /// More match than `total`: a name search ranks its best 200 matches
    /// only, a list counts up to 10,000. Narrow the search (`unit`, more
    /// words), or use the CSV export for every match.
    pub more: bool,
}

/// Search persons: a name without diacritics (the whole name first, then
/// the words side by side, then the others by given name; the best 200),
/// a CCCD or a phone number; nothing lists everyone, by given name. Only
/// the caller's units (or `unit`).
#[utoipa::path(get, path = "/persons", tag = "persons", params(SearchParams),
    responses((status = 200, description = "OK", body = SearchResults), ReadErrors))]
async fn search_persons(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<SearchParams>,
) -> Result<Json<SearchResults>, AppError> {
    let found = super::search::search(&state.db, &user.principal, &p.q, p.unit.as_deref(), p.after.as_deref()).await?;
    Ok(Json(SearchResults {
        items: found.page.items,
        next: found.page.next,
        total: found.total,
        more: found.more,
    }))
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
        service::update(
            &state.db,
            state.registry.placed_tables(),
            &user.principal,
            record_id(&id)?,
            &patch,
        )
        .await?,
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
    service::delete(
        &state.db,
        state.registry.placed_tables(),
        &user.principal,
        record_id(&id)?,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
