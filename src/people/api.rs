//! `/api/v1/persons`: the registry as JSON, under the same access rules.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use super::model::{Birth, Person, PersonInput};
use super::service::{self, PersonPatch};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Json, Query};
use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/persons", get(search).post(create))
        .route("/persons/{id}", get(show).patch(update).delete(remove))
}

pub fn person_json(p: &Person) -> Value {
    json!({
        "id": p.id,
        "full_name": p.full_name,
        "sex": p.sex.as_str(),
        "birth_date": p.birth.map(Birth::iso),
        "cccd": p.cccd,
        "phone": p.phone,
        "address": {
            "commune": p.address_commune.as_ref().map(|u| json!({"code": u.code, "name": u.name})),
            "detail": p.address_detail,
        },
        "unit": { "code": p.unit.code, "name": p.unit.name, "active": p.unit.active },
        "version": p.version,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    })
}

#[derive(Deserialize)]
struct SearchParams {
    #[serde(default)]
    q: String,
    unit: Option<String>,
    after: Option<String>,
}

async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<SearchParams>,
) -> Result<Response, AppError> {
    let (page, _) = service::search(&state.db, &user.principal, &p.q, p.unit.as_deref(), p.after.as_deref()).await?;
    Ok(axum::Json(json!({
        "items": page.items.iter().map(person_json).collect::<Vec<_>>(),
        "next": page.next.map(|c| c.encode()),
    }))
    .into_response())
}

async fn show(State(state): State<AppState>, user: CurrentUser, Path(id): Path<String>) -> Result<Response, AppError> {
    let person = service::get(&state.db, &user.principal, record_id(&id)?).await?;
    Ok(axum::Json(person_json(&person)).into_response())
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(input): Json<PersonInput>,
) -> Result<Response, AppError> {
    let id = service::create(&state.db, &user.principal, &input).await?;
    let person = service::get(&state.db, &user.principal, id).await?;
    Ok((
        StatusCode::CREATED,
        [("location", format!("/api/v1/persons/{id}"))],
        axum::Json(person_json(&person)),
    )
        .into_response())
}

async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(patch): Json<PersonPatch>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    service::update(&state.db, &user.principal, id, &patch, patch.version).await?;
    let person = service::get(&state.db, &user.principal, id).await?;
    Ok(axum::Json(person_json(&person)).into_response())
}

async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    service::delete(&state.db, &user.principal, record_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
