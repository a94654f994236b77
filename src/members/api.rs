//! `/api/v1/members`: memberships as JSON, under the same access rules
//! and through the same service calls as the pages.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::model::{Event, Member};
use super::routes::ListQuery;
use super::service::{self, EnrolInput, StatusInput, TransferInput};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Json as JsonBody, Path, Query};
use crate::web::openapi::{ReadErrors, WriteErrors};
use crate::web::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_members, enrol_member))
        .routes(routes!(show_member))
        .routes(routes!(change_member_status))
        .routes(routes!(transfer_member))
}

/// One page of members, and how many match.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct MemberList {
    pub items: Vec<Member>,
    pub total: i64,
    /// Pass back as `offset` for the next page; absent on the last page.
    pub next_offset: Option<i64>,
}

/// A membership with its history, oldest first.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct MemberWithHistory {
    #[serde(flatten)]
    pub member: Member,
    pub history: Vec<Event>,
}

const PAGE: i64 = 100;

/// Members inside the caller's units (or `unit`), by name, 100 a page.
#[utoipa::path(get, path = "/members", tag = "members", params(ListQuery),
    responses((status = 200, description = "OK", body = MemberList), ReadErrors))]
async fn list_members(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<MemberList>, AppError> {
    let unit = service::unit_filter(&state.db, &user.principal, q.unit.as_deref()).await?;
    let wanted = q.wanted()?;
    let offset = q.offset.unwrap_or(0).clamp(0, i64::MAX / 2);
    let (items, total) = service::list(&state.db, &user.principal, unit.as_ref(), &wanted, offset, PAGE).await?;
    let next_offset = (offset.saturating_add(PAGE) < total).then_some(offset + PAGE);
    Ok(Json(MemberList {
        items,
        total,
        next_offset,
    }))
}

/// One membership with its history.
#[utoipa::path(get, path = "/members/{member}", tag = "members", params(("member" = i64, Path, description = "Membership id")),
    responses((status = 200, description = "OK", body = MemberWithHistory), ReadErrors))]
async fn show_member(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<MemberWithHistory>, AppError> {
    let (member, history) = service::with_history(&state.db, &user.principal, record_id(&id)?).await?;
    Ok(Json(MemberWithHistory { member, history }))
}

/// Enrol a person (record number or CCCD) in a branch the caller may
/// write to; the person moves to that branch.
#[utoipa::path(post, path = "/members", tag = "members", request_body = EnrolInput,
    responses((status = 201, description = "Created", body = Member), WriteErrors))]
async fn enrol_member(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonBody(input): JsonBody<EnrolInput>,
) -> Result<Response, AppError> {
    let member = service::enrol(&state.db, state.registry.placed_tables(), &user.principal, &input).await?;
    let location = format!("/api/v1/members/{}", member.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(member)).into_response())
}

/// Change a membership's status as of a date (a reason for suspension
/// and leaving); send the `version` last read.
#[utoipa::path(post, path = "/members/{member}/status", tag = "members",
    params(("member" = i64, Path, description = "Membership id")), request_body = StatusInput,
    responses((status = 200, description = "OK", body = Member), WriteErrors))]
async fn change_member_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<StatusInput>,
) -> Result<Json<Member>, AppError> {
    Ok(Json(
        service::change_status(&state.db, &user.principal, record_id(&id)?, &input).await?,
    ))
}

/// Transfer a membership, with its person, to another branch the caller
/// may write to; the member number stays.
#[utoipa::path(post, path = "/members/{member}/transfer", tag = "members",
    params(("member" = i64, Path, description = "Membership id")), request_body = TransferInput,
    responses((status = 200, description = "OK", body = Member), WriteErrors))]
async fn transfer_member(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<TransferInput>,
) -> Result<Json<Member>, AppError> {
    Ok(Json(
        service::transfer(
            &state.db,
            state.registry.placed_tables(),
            &user.principal,
            record_id(&id)?,
            &input,
        )
        .await?,
    ))
}
