//! Dues in `/api/v1`: rates per unit, a member's dues and payments, and
//! the arrears list.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::routes::{unit_and_year, ArrearsQuery};
use super::service::{self, PaymentInput, RateInput};
use super::{Arrear, Owed, Payment, Rate};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Json as JsonBody, Path, Query};
use crate::web::openapi::{ReadErrors, WriteErrors};
use crate::web::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_arrears))
        .routes(routes!(member_dues, pay_dues))
        .routes(routes!(unit_rates, set_unit_rate))
}

/// Members behind with a year's dues (this year by default), by name; at
/// most 10,000.
#[utoipa::path(get, path = "/members/arrears", tag = "members", params(ArrearsQuery),
    responses((status = 200, description = "OK", body = Vec<Arrear>), ReadErrors))]
async fn list_arrears(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ArrearsQuery>,
) -> Result<Json<Vec<Arrear>>, AppError> {
    let (unit, year) = unit_and_year(&state, &user, &q).await?;
    Ok(Json(
        service::arrears(&state.db, &user.principal, unit.as_ref(), year, 10_000).await?,
    ))
}

/// A member's dues of the last years and every payment.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct MemberDues {
    pub years: Vec<Owed>,
    pub payments: Vec<Payment>,
}

#[utoipa::path(get, path = "/members/{member}/dues", tag = "members",
    params(("member" = i64, Path, description = "Membership id")),
    responses((status = 200, description = "OK", body = MemberDues), ReadErrors))]
async fn member_dues(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<MemberDues>, AppError> {
    let (years, payments) = service::of_member(&state.db, &user.principal, record_id(&id)?).await?;
    Ok(Json(MemberDues { years, payments }))
}

/// Record a payment of dues (amount in đồng, `paid_on` as `dd/mm/yyyy`).
#[utoipa::path(post, path = "/members/{member}/dues", tag = "members",
    params(("member" = i64, Path, description = "Membership id")), request_body = PaymentInput,
    responses((status = 201, description = "Created", body = Payment), WriteErrors))]
async fn pay_dues(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<PaymentInput>,
) -> Result<Response, AppError> {
    let payment = service::record_payment(&state.db, &user.principal, record_id(&id)?, &input).await?;
    Ok((StatusCode::CREATED, Json(payment)).into_response())
}

/// The dues rates that apply inside a unit (its own and those above it).
#[utoipa::path(get, path = "/units/{unit}/dues", tag = "members",
    params(("unit" = String, Path, description = "Unit code")),
    responses((status = 200, description = "OK", body = Vec<Rate>), ReadErrors))]
async fn unit_rates(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Json<Vec<Rate>>, AppError> {
    Ok(Json(service::rates(&state.db, &user.principal, &code).await?.1))
}

/// Set a unit's dues rate for a year (the unit's administrators; not a branch).
#[utoipa::path(post, path = "/units/{unit}/dues", tag = "members",
    params(("unit" = String, Path, description = "Unit code")), request_body = RateInput,
    responses((status = 200, description = "OK", body = Rate), WriteErrors))]
async fn set_unit_rate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    JsonBody(input): JsonBody<RateInput>,
) -> Result<Json<Rate>, AppError> {
    Ok(Json(
        service::set_rate(&state.db, &user.principal, &code, &input).await?,
    ))
}
