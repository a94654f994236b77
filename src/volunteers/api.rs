//! `/api/v1/volunteers`: volunteers, their certificates and hours (added
//! and removed), and the
//! sign-up queue, as JSON, under the same access rules and through the
//! same service calls as the pages.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::activity::{self, CertificateInput, HoursInput};
use super::model::{Certificate, Hours, Volunteer};
use super::queue::{expiring_of, DeclineInput, ExpiringQuery};
use super::routes::{filters, unit_filter, ListQuery};
use super::service::{self, VolunteerInput};
use super::signups::{self, ApproveInput, Signup, SignupStatus};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Json as JsonBody, Path, Query};
use crate::web::openapi::{ReadErrors, WriteErrors};
use crate::web::paging::Page;
use crate::web::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_volunteers, register_volunteer))
        .routes(routes!(show_volunteer, update_volunteer))
        .routes(routes!(add_certificate))
        .routes(routes!(add_hours))
        .routes(routes!(remove_certificate))
        .routes(routes!(remove_hours))
        .routes(routes!(expiring_certificates))
        .routes(routes!(list_signups))
        .routes(routes!(approve_signup))
        .routes(routes!(likely_for_signup))
        .routes(routes!(decline_signup))
}

/// One page of volunteers, and how many match.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct VolunteerList {
    pub items: Vec<Volunteer>,
    pub total: i64,
    /// Pass back as `offset` for the next page; absent on the last page.
    pub next_offset: Option<i64>,
}

/// A volunteer with their certificates and hours.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct VolunteerDetails {
    #[serde(flatten)]
    pub volunteer: Volunteer,
    pub certificates: Vec<Certificate>,
    pub hours: Vec<Hours>,
}

const PAGE: i64 = 100;

/// Volunteers inside the caller's units (or `unit`), by name, 100 a page.
#[utoipa::path(get, path = "/volunteers", tag = "volunteers", params(ListQuery),
    responses((status = 200, description = "OK", body = VolunteerList), ReadErrors))]
async fn list_volunteers(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<VolunteerList>, AppError> {
    let filters = filters(&state, &user, &q).await?;
    let offset = q.offset.unwrap_or(0).clamp(0, i64::MAX / 2);
    let (items, total) = service::list(&state.db, &user.principal, filters.as_filter(), offset, PAGE).await?;
    let next_offset = (offset.saturating_add(PAGE) < total).then_some(offset + PAGE);
    Ok(Json(VolunteerList {
        items,
        total,
        next_offset,
    }))
}

/// Register a person (record number or CCCD) as a volunteer of a commune
/// or branch the caller may write to.
#[utoipa::path(post, path = "/volunteers", tag = "volunteers", request_body = VolunteerInput,
    responses((status = 201, description = "Created", body = Volunteer), WriteErrors))]
async fn register_volunteer(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonBody(input): JsonBody<VolunteerInput>,
) -> Result<Response, AppError> {
    let volunteer = service::register(&state.db, state.registry.placed_tables(), &user.principal, &input).await?;
    let location = format!("/api/v1/volunteers/{}", volunteer.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(volunteer)).into_response())
}

/// One volunteer with their certificates and hours.
#[utoipa::path(get, path = "/volunteers/{volunteer}", tag = "volunteers",
    params(("volunteer" = i64, Path, description = "Volunteer id")),
    responses((status = 200, description = "OK", body = VolunteerDetails), ReadErrors))]
async fn show_volunteer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<VolunteerDetails>, AppError> {
    let (volunteer, certificates, hours) = service::with_details(&state.db, &user.principal, record_id(&id)?).await?;
    Ok(Json(VolunteerDetails {
        volunteer,
        certificates,
        hours,
    }))
}

/// Change a volunteer's status, skills, availability and contacts; send
/// the `version` last read.
#[utoipa::path(put, path = "/volunteers/{volunteer}", tag = "volunteers",
    params(("volunteer" = i64, Path, description = "Volunteer id")), request_body = VolunteerInput,
    responses((status = 200, description = "OK", body = Volunteer), WriteErrors))]
async fn update_volunteer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<VolunteerInput>,
) -> Result<Json<Volunteer>, AppError> {
    Ok(Json(
        service::update(&state.db, &user.principal, record_id(&id)?, &input).await?,
    ))
}

/// Add a certificate of one of the volunteer's skills.
#[utoipa::path(post, path = "/volunteers/{volunteer}/certificates", tag = "volunteers",
    params(("volunteer" = i64, Path, description = "Volunteer id")), request_body = CertificateInput,
    responses((status = 201, description = "Created", body = Certificate), WriteErrors))]
async fn add_certificate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<CertificateInput>,
) -> Result<Response, AppError> {
    let certificate = activity::add_certificate(&state.db, &user.principal, record_id(&id)?, &input).await?;
    Ok((StatusCode::CREATED, Json(certificate)).into_response())
}

/// Record hours given on an activity.
#[utoipa::path(post, path = "/volunteers/{volunteer}/hours", tag = "volunteers",
    params(("volunteer" = i64, Path, description = "Volunteer id")), request_body = HoursInput,
    responses((status = 201, description = "Created", body = Hours), WriteErrors))]
async fn add_hours(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<HoursInput>,
) -> Result<Response, AppError> {
    let hours = activity::add_hours(&state.db, &user.principal, record_id(&id)?, &input).await?;
    Ok((StatusCode::CREATED, Json(hours)).into_response())
}

/// Remove a certificate entered by mistake (the audit log keeps it).
#[utoipa::path(delete, path = "/volunteers/{volunteer}/certificates/{certificate}", tag = "volunteers",
    params(("volunteer" = i64, Path, description = "Volunteer id"), ("certificate" = i64, Path, description = "Certificate id")),
    responses((status = 204, description = "Removed"), WriteErrors))]
async fn remove_certificate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, certificate)): Path<(String, String)>,
) -> Result<Response, AppError> {
    activity::remove_certificate(&state.db, &user.principal, record_id(&id)?, record_id(&certificate)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Remove hours recorded by mistake (the audit log keeps them).
#[utoipa::path(delete, path = "/volunteers/{volunteer}/hours/{hours}", tag = "volunteers",
    params(("volunteer" = i64, Path, description = "Volunteer id"), ("hours" = i64, Path, description = "Hours entry id")),
    responses((status = 204, description = "Removed"), WriteErrors))]
async fn remove_hours(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, hours)): Path<(String, String)>,
) -> Result<Response, AppError> {
    activity::remove_hours(&state.db, &user.principal, record_id(&id)?, record_id(&hours)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A certificate expiring soon, with its volunteer.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ExpiringCertificate {
    #[serde(flatten)]
    pub certificate: Certificate,
    pub full_name: String,
    pub unit_name: String,
}

/// Certificates of active volunteers that expire within `days` (and those
/// expired in the last 30 days), the soonest first.
#[utoipa::path(get, path = "/volunteers/certificates/expiring", tag = "volunteers", params(ExpiringQuery),
    responses((status = 200, description = "OK", body = [ExpiringCertificate]), ReadErrors))]
async fn expiring_certificates(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ExpiringQuery>,
) -> Result<Json<Vec<ExpiringCertificate>>, AppError> {
    let (_, _, items) = expiring_of(&state, &user, &q).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|e| ExpiringCertificate {
                certificate: e.certificate,
                full_name: e.full_name,
                unit_name: e.unit_name,
            })
            .collect(),
    ))
}

#[derive(serde::Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
struct SignupQuery {
    /// Only inside this unit's subtree (its code).
    unit: Option<String>,
    /// `pending` (default), `approved` or `declined`.
    status: Option<String>,
    /// The next page: the previous answer's `next`.
    after: Option<i64>,
}

/// Public sign-ups waiting in (or decided by) the caller's communes, 100
/// at a time: waiting ones the oldest first, decided ones the latest
/// received first. `next`, when present, is the `after` of the next page.
#[utoipa::path(get, path = "/volunteer-signups", tag = "volunteers", params(SignupQuery),
    responses((status = 200, description = "OK", body = Page<Signup>), ReadErrors))]
async fn list_signups(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<SignupQuery>,
) -> Result<Json<Page<Signup>>, AppError> {
    let unit = unit_filter(&state, &user, q.unit.as_deref()).await?;
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => SignupStatus::Pending,
        Some(s) => SignupStatus::parse(s)
            .ok_or_else(|| AppError::Validation(crate::validation::field_error("status", "volunteer.error.choice")))?,
    };
    let queue = signups::queue(&state.db, &user.principal, unit.as_ref(), status, q.after).await?;
    Ok(Json(Page {
        items: queue.items,
        next: queue.next.map(|id| id.to_string()),
    }))
}

/// The volunteer an approval created.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Approved {
    pub volunteer_id: i64,
}

/// A registered person who may be the one who signed up.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct LikelyPerson {
    /// Pass as `person` to approve with this record.
    pub person_id: i64,
    pub full_name: String,
    /// `1985-03-07`, or the year alone.
    pub birth_date: Option<String>,
    pub unit_code: String,
    pub unit_name: String,
    /// `same_name_birth_phone`, `same_name_birth` or `same_phone` (a
    /// household often shares a phone).
    pub reason: &'static str,
}

/// Registered persons the caller may change who may be the one who signed
/// up, the likeliest first (at most five).
#[utoipa::path(get, path = "/volunteer-signups/{signup}/likely", tag = "volunteers",
    params(("signup" = i64, Path, description = "Sign-up id")),
    responses((status = 200, description = "OK", body = [LikelyPerson]), WriteErrors))]
async fn likely_for_signup(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<LikelyPerson>>, AppError> {
    let found = signups::likely_of(&state.db, &user.principal, record_id(&id)?).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|(p, why)| LikelyPerson {
                person_id: p.id,
                full_name: p.full_name,
                birth_date: p.birth.map(crate::people::model::Birth::iso),
                unit_code: p.unit.code,
                unit_name: p.unit.name,
                reason: why.as_str(),
            })
            .collect(),
    ))
}

/// Approve a pending sign-up: a volunteer at its commune or one of its
/// branches, as a new person or an existing one.
#[utoipa::path(post, path = "/volunteer-signups/{signup}/approve", tag = "volunteers",
    params(("signup" = i64, Path, description = "Sign-up id")), request_body = ApproveInput,
    responses((status = 200, description = "OK", body = Approved), WriteErrors))]
async fn approve_signup(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ApproveInput>,
) -> Result<Json<Approved>, AppError> {
    let placed = state.registry.placed_tables();
    let volunteer_id = signups::approve(&state.db, placed, &user.principal, record_id(&id)?, &input).await?;
    Ok(Json(Approved { volunteer_id }))
}

/// Decline a pending sign-up, with a reason.
#[utoipa::path(post, path = "/volunteer-signups/{signup}/decline", tag = "volunteers",
    params(("signup" = i64, Path, description = "Sign-up id")), request_body = DeclineInput,
    responses((status = 204, description = "Declined"), WriteErrors))]
async fn decline_signup(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<DeclineInput>,
) -> Result<StatusCode, AppError> {
    signups::decline(&state.db, &user.principal, record_id(&id)?, &input.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
