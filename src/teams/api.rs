//! `/api/v1/teams`: teams, their members and call-outs as JSON, under the
//! same access rules and through the same service calls as the pages.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::routes::{unit_of, DayQuery, MemberInput, UnitQuery};
use super::service::{self, TeamInput};
use super::{Team, TeamMember};
use crate::volunteers::callout::Callout;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Json as JsonBody, Path, Query};
use crate::web::openapi::{ReadErrors, WriteErrors};
use crate::web::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_teams, create_team))
        .routes(routes!(show_team, update_team))
        .routes(routes!(add_team_member))
        .routes(routes!(remove_team_member))
        .routes(routes!(team_callout))
}

/// A team with its members.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TeamWithMembers {
    #[serde(flatten)]
    pub team: Team,
    pub member_list: Vec<TeamMember>,
}

/// Teams inside the caller's units (or `unit`).
#[utoipa::path(get, path = "/teams", tag = "teams", params(UnitQuery),
    responses((status = 200, description = "OK", body = [Team]), ReadErrors))]
async fn list_teams(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitQuery>,
) -> Result<Json<Vec<Team>>, AppError> {
    let unit = unit_of(&state, &user, q.unit.as_deref()).await?;
    Ok(Json(service::list(&state.db, &user.principal, unit.as_ref()).await?))
}

/// Create a team at a unit the caller may write to.
#[utoipa::path(post, path = "/teams", tag = "teams", request_body = TeamInput,
    responses((status = 201, description = "Created", body = Team), WriteErrors))]
async fn create_team(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonBody(input): JsonBody<TeamInput>,
) -> Result<Response, AppError> {
    let team = service::create(&state.db, &user.principal, &input).await?;
    let location = format!("/api/v1/teams/{}", team.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(team)).into_response())
}

/// One team with its members.
#[utoipa::path(get, path = "/teams/{team}", tag = "teams", params(("team" = i64, Path, description = "Team id")),
    responses((status = 200, description = "OK", body = TeamWithMembers), ReadErrors))]
async fn show_team(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<TeamWithMembers>, AppError> {
    let (team, member_list) = service::with_members(&state.db, &user.principal, record_id(&id)?).await?;
    Ok(Json(TeamWithMembers { team, member_list }))
}

/// Change a team's name, kind, status, leader (a member) and note; send
/// the `version` last read.
#[utoipa::path(put, path = "/teams/{team}", tag = "teams", params(("team" = i64, Path, description = "Team id")),
    request_body = TeamInput, responses((status = 200, description = "OK", body = Team), WriteErrors))]
async fn update_team(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<TeamInput>,
) -> Result<Json<Team>, AppError> {
    Ok(Json(
        service::update(&state.db, &user.principal, record_id(&id)?, &input).await?,
    ))
}

/// Add a volunteer of the team's area to the team.
#[utoipa::path(post, path = "/teams/{team}/members", tag = "teams", params(("team" = i64, Path, description = "Team id")),
    request_body = MemberInput, responses((status = 204, description = "Added"), WriteErrors))]
async fn add_team_member(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<MemberInput>,
) -> Result<StatusCode, AppError> {
    service::add_member(&state.db, &user.principal, record_id(&id)?, input.volunteer_id()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a volunteer from the team.
#[utoipa::path(delete, path = "/teams/{team}/members/{volunteer}", tag = "teams",
    params(("team" = i64, Path, description = "Team id"), ("volunteer" = i64, Path, description = "Volunteer id")),
    responses((status = 204, description = "Removed"), WriteErrors))]
async fn remove_team_member(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, volunteer)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    service::remove_member(&state.db, &user.principal, record_id(&id)?, record_id(&volunteer)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Call the team out for a day: members who can come (phones for staff)
/// and who cannot, with why.
#[utoipa::path(get, path = "/teams/{team}/callout", tag = "teams",
    params(("team" = i64, Path, description = "Team id"), DayQuery),
    responses((status = 200, description = "OK", body = Callout), ReadErrors))]
async fn team_callout(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<DayQuery>,
) -> Result<Json<Callout>, AppError> {
    Ok(Json(
        service::call_out(&state.db, &user.principal, record_id(&id)?, &q.date)
            .await?
            .1,
    ))
}
