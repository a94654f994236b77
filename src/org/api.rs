//! `/api/v1/units`: the tree as JSON, its changes, and the reform resolver
//! for importers.

use std::collections::BTreeMap;

use crate::web::extract::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::model::{Level, Unit, UnitStatus};
use super::reform::Resolution;
use super::routes::YearQuery;
use super::service::{self, count_key, MergeOptions};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{Json as JsonBody, Query};
use crate::web::openapi::{ReadErrors, WriteErrors};
use crate::web::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(resolve_commune))
        .routes(routes!(show_unit, rename_unit))
        .routes(routes!(unit_children))
        .routes(routes!(open_branch))
        .routes(routes!(close_unit))
        .routes(routes!(merge_units))
}

/// A unit of the tree with what is counted below it.
#[derive(Serialize, ToSchema)]
struct UnitView {
    code: String,
    name: String,
    level: Level,
    /// city/province, ward/commune/special_zone, or a branch kind.
    kind: String,
    status: UnitStatus,
    /// Active branches below.
    branches: i64,
    /// Every counter the capabilities keep (`persons` …).
    counts: BTreeMap<&'static str, i64>,
}

#[derive(Serialize, ToSchema)]
struct UnitDetail {
    #[serde(flatten)]
    unit: UnitView,
    /// The year whose events the counts of events (members who joined …) are.
    year: i64,
    parent: Option<String>,
    merged_into: Option<String>,
    merged_from: Vec<String>,
}

#[derive(Serialize, ToSchema)]
struct UnitList {
    items: Vec<UnitView>,
    /// The year whose events the counts of events (members who joined …) are.
    year: i64,
}

fn view(unit: &Unit, counts: &service::Counts, counters: &[super::Counter]) -> UnitView {
    UnitView {
        code: unit.code.clone(),
        name: unit.name.clone(),
        level: unit.level,
        kind: unit.kind.clone(),
        status: unit.status,
        branches: counts.branches(count_key(unit)),
        counts: counters
            .iter()
            .map(|c| (c.name, counts.get(c.name, count_key(unit))))
            .collect(),
    }
}

async fn detail(state: &AppState, unit: Unit, year: i64) -> Result<UnitDetail, AppError> {
    let counters = state.registry.counters();
    let counts = service::counts(&state.db, &counters, &unit, &[], year).await?;
    let code_of = |id: Option<i64>| async move {
        match id {
            Some(id) => service::unit_by_id(&state.db, id).await.map(|u| u.map(|u| u.code)),
            None => Ok(None),
        }
    };
    Ok(UnitDetail {
        parent: code_of(unit.parent_id).await?,
        merged_into: code_of(unit.merged_into_id).await?,
        merged_from: service::absorbed(&state.db, &unit)
            .await?
            .into_iter()
            .map(|u| u.code)
            .collect(),
        unit: view(&unit, &counts, &counters),
        year,
    })
}

/// One unit the caller may read.
#[utoipa::path(get, path = "/units/{unit}", tag = "units", params(("unit" = String, Path, description = "Unit code: TW, 01, 00004, 00004-001"), YearQuery),
    responses((status = 200, description = "OK", body = UnitDetail), ReadErrors))]
async fn show_unit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(when): Query<YearQuery>,
) -> Result<Json<UnitDetail>, AppError> {
    let year = when.year()?;
    let unit = service::readable_unit(&state.db, &user.principal, &code).await?;
    Ok(Json(detail(&state, unit, year).await?))
}

/// The units directly below one unit, with their counts.
#[utoipa::path(get, path = "/units/{unit}/children", tag = "units", params(("unit" = String, Path, description = "Unit code"), YearQuery),
    responses((status = 200, description = "OK", body = UnitList), ReadErrors))]
async fn unit_children(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(when): Query<YearQuery>,
) -> Result<Json<UnitList>, AppError> {
    let year = when.year()?;
    let unit = service::readable_unit(&state.db, &user.principal, &code).await?;
    let children = service::children(&state.db, &unit).await?;
    let counters = state.registry.counters();
    let counts = service::counts(&state.db, &counters, &unit, &children, year).await?;
    Ok(Json(UnitList {
        items: children.iter().map(|c| view(c, &counts, &counters)).collect(),
        year,
    }))
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
struct ResolveParams {
    /// A commune's name or code, 2025 or pre-2025, with or without its type word.
    q: String,
    /// A province code to narrow the search.
    province: Option<String>,
}

/// Which 2025 commune a commune name or code from a list belongs to.
#[utoipa::path(get, path = "/units/resolve", tag = "units", params(ResolveParams),
    responses((status = 200, description = "outcome: current, reformed, ambiguous or not_found", body = Object), ReadErrors))]
async fn resolve_commune(
    State(state): State<AppState>,
    _user: CurrentUser,
    Query(p): Query<ResolveParams>,
) -> Result<Json<Resolution>, AppError> {
    if p.q.trim().is_empty() || p.q.chars().count() > 100 {
        return Err(AppError::bad_request("error.resolve_query"));
    }
    Ok(Json(
        service::resolve_commune(&state.db, &p.q, p.province.as_deref()).await?,
    ))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields, default)]
struct NewBranch {
    name: String,
    /// residential, school, agency, enterprise or religious_other.
    kind: String,
}

/// Open a branch (chi hội) under a commune: the commune's staff or supervisors.
#[utoipa::path(post, path = "/units/{unit}/branches", tag = "units", params(("unit" = String, Path, description = "Commune code")),
    request_body = NewBranch, responses((status = 201, description = "Created", body = UnitDetail), WriteErrors))]
async fn open_branch(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    JsonBody(body): JsonBody<NewBranch>,
) -> Result<Response, AppError> {
    let commune = service::readable_unit(&state.db, &user.principal, &code).await?;
    let branch = service::create_branch(&state.db, &user.principal, &commune, &body.name, &body.kind).await?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&state, branch, crate::calendar::this_year()).await?),
    )
        .into_response())
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields, default)]
struct Rename {
    name: String,
}

/// Rename a unit: supervisors of its parent.
#[utoipa::path(patch, path = "/units/{unit}", tag = "units", params(("unit" = String, Path, description = "Unit code")),
    request_body = Rename, responses((status = 200, description = "OK", body = UnitDetail), WriteErrors))]
async fn rename_unit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    JsonBody(body): JsonBody<Rename>,
) -> Result<Json<UnitDetail>, AppError> {
    let unit = service::readable_unit(&state.db, &user.principal, &code).await?;
    service::rename(&state.db, &user.principal, &unit, &body.name).await?;
    let unit = service::readable_unit(&state.db, &user.principal, &code).await?;
    Ok(Json(detail(&state, unit, crate::calendar::this_year()).await?))
}

/// Close (dissolve) a unit whose children are all closed or merged.
#[utoipa::path(post, path = "/units/{unit}/close", tag = "units", params(("unit" = String, Path, description = "Unit code")),
    responses((status = 200, description = "OK", body = UnitDetail), WriteErrors))]
async fn close_unit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Json<UnitDetail>, AppError> {
    let unit = service::readable_unit(&state.db, &user.principal, &code).await?;
    service::close(&state.db, &user.principal, &unit).await?;
    let unit = service::readable_unit(&state.db, &user.principal, &code).await?;
    Ok(Json(detail(&state, unit, crate::calendar::this_year()).await?))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields, default)]
struct Merge {
    /// Codes of the units merged into this one (same level; their parents may differ).
    sources: Vec<String>,
    /// Move the roles held on the merged units to this one.
    move_grants: bool,
}

/// Merge units into this one: every record below them is re-placed here.
#[utoipa::path(post, path = "/units/{unit}/merge", tag = "units", params(("unit" = String, Path, description = "Code of the unit that remains")),
    request_body = Merge, responses((status = 200, description = "OK", body = UnitDetail), WriteErrors))]
async fn merge_units(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    JsonBody(body): JsonBody<Merge>,
) -> Result<Json<UnitDetail>, AppError> {
    let target = service::readable_unit(&state.db, &user.principal, &code).await?;
    let options = MergeOptions {
        move_grants: body.move_grants,
    };
    service::merge(
        &state.db,
        &user.principal,
        state.registry.placed_tables(),
        &target,
        &body.sources,
        options,
    )
    .await?;
    let target = service::readable_unit(&state.db, &user.principal, &code).await?;
    Ok(Json(detail(&state, target, crate::calendar::this_year()).await?))
}
