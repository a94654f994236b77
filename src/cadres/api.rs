//! `/api/v1/cadres` and `/api/v1/courses`: positions, training and who
//! has had none, as JSON, through the same service calls as the pages.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::courses::{self, AttendanceInput, CourseInput};
use super::model::{Attendance, Cadre, Course};
use super::routes::{unit_of, years, CadreQuery, ListQuery};
use super::service::{self, AppointInput, EndInput};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Json as JsonBody, Path, Query};
use crate::web::openapi::{ReadErrors, WriteErrors};
use crate::web::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cadres, appoint_cadre))
        .routes(routes!(untrained_cadres))
        .routes(routes!(show_cadre))
        .routes(routes!(end_cadre_term))
        .routes(routes!(list_courses, create_course))
        .routes(routes!(show_course))
        .routes(routes!(record_attendance))
        .routes(routes!(remove_attendance))
}

/// Cadres in office inside the caller's units (or `unit`); `all` adds
/// those whose term ended; `year` keeps those last trained that year.
#[utoipa::path(get, path = "/cadres", tag = "cadres", params(CadreQuery),
    responses((status = 200, description = "OK", body = [Cadre]), ReadErrors))]
async fn list_cadres(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<CadreQuery>,
) -> Result<Json<Vec<Cadre>>, AppError> {
    let year = q.trained_in()?;
    let unit = unit_of(&state, &user, q.unit.as_deref()).await?;
    Ok(Json(
        service::list(&state.db, &user.principal, unit.as_ref(), q.all(), year).await?,
    ))
}

/// Cadres in office with no training in the last `years` (default 3).
#[utoipa::path(get, path = "/cadres/untrained", tag = "cadres", params(ListQuery),
    responses((status = 200, description = "OK", body = [Cadre]), ReadErrors))]
async fn untrained_cadres(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Cadre>>, AppError> {
    let unit = unit_of(&state, &user, q.unit.as_deref()).await?;
    Ok(Json(
        service::untrained(&state.db, &user.principal, unit.as_ref(), years(&q)).await?,
    ))
}

/// Appoint a person (record number or CCCD) to a position at a unit.
#[utoipa::path(post, path = "/cadres", tag = "cadres", request_body = AppointInput,
    responses((status = 201, description = "Created", body = Cadre), WriteErrors))]
async fn appoint_cadre(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonBody(input): JsonBody<AppointInput>,
) -> Result<Response, AppError> {
    let cadre = service::appoint(&state.db, &user.principal, &input).await?;
    let location = format!("/api/v1/cadres/{}", cadre.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(cadre)).into_response())
}

/// A cadre with their training record.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CadreWithTraining {
    #[serde(flatten)]
    pub cadre: Cadre,
    pub training: Vec<Attendance>,
}

/// One position with the training record of its holder.
#[utoipa::path(get, path = "/cadres/{cadre}", tag = "cadres", params(("cadre" = i64, Path, description = "Position id")),
    responses((status = 200, description = "OK", body = CadreWithTraining), ReadErrors))]
async fn show_cadre(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<CadreWithTraining>, AppError> {
    let (cadre, training) = service::with_training(&state.db, &user.principal, record_id(&id)?).await?;
    Ok(Json(CadreWithTraining { cadre, training }))
}

/// End a term on a date; send the `version` last read.
#[utoipa::path(post, path = "/cadres/{cadre}/end", tag = "cadres",
    params(("cadre" = i64, Path, description = "Position id")), request_body = EndInput,
    responses((status = 200, description = "OK", body = Cadre), WriteErrors))]
async fn end_cadre_term(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<EndInput>,
) -> Result<Json<Cadre>, AppError> {
    Ok(Json(
        service::end_term(&state.db, &user.principal, record_id(&id)?, &input).await?,
    ))
}

/// Training courses of the caller's units (or `unit`), the latest first.
#[utoipa::path(get, path = "/courses", tag = "cadres", params(ListQuery),
    responses((status = 200, description = "OK", body = [Course]), ReadErrors))]
async fn list_courses(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Course>>, AppError> {
    let unit = unit_of(&state, &user, q.unit.as_deref()).await?;
    Ok(Json(courses::list(&state.db, &user.principal, unit.as_ref()).await?))
}

/// Create a training course organised by a unit.
#[utoipa::path(post, path = "/courses", tag = "cadres", request_body = CourseInput,
    responses((status = 201, description = "Created", body = Course), WriteErrors))]
async fn create_course(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonBody(input): JsonBody<CourseInput>,
) -> Result<Response, AppError> {
    let course = courses::create(&state.db, &user.principal, &input).await?;
    let location = format!("/api/v1/courses/{}", course.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(course)).into_response())
}

/// A course with who attended and their results.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CourseWithAttendance {
    #[serde(flatten)]
    pub course: Course,
    pub attendance: Vec<Attendance>,
}

/// One course with its attendance.
#[utoipa::path(get, path = "/courses/{course}", tag = "cadres", params(("course" = i64, Path, description = "Course id")),
    responses((status = 200, description = "OK", body = CourseWithAttendance), ReadErrors))]
async fn show_course(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<CourseWithAttendance>, AppError> {
    let (course, attendance) = courses::with_attendance(&state.db, &user.principal, record_id(&id)?).await?;
    Ok(Json(CourseWithAttendance { course, attendance }))
}

/// Record that a person attended the course, with their result.
#[utoipa::path(post, path = "/courses/{course}/attendance", tag = "cadres",
    params(("course" = i64, Path, description = "Course id")), request_body = AttendanceInput,
    responses((status = 204, description = "Recorded"), WriteErrors))]
async fn record_attendance(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<AttendanceInput>,
) -> Result<StatusCode, AppError> {
    courses::attend(&state.db, &user.principal, record_id(&id)?, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a person recorded in the course by mistake (the audit log keeps
/// their result).
#[utoipa::path(delete, path = "/courses/{course}/attendance/{person}", tag = "cadres",
    params(("course" = i64, Path, description = "Course id"), ("person" = i64, Path, description = "Person id")),
    responses((status = 204, description = "Removed"), WriteErrors))]
async fn remove_attendance(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, person)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    courses::unattend(&state.db, &user.principal, record_id(&id)?, record_id(&person)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
