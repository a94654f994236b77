//! `/api/v1/ledger`: accounts, funds and their entries as JSON, for staff,
//! under the same access rules as the service. Entries are only ever
//! added: there is no route that changes or deletes one (a mistake is
//! reversed by a new entry).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::approval::{self, DraftView, Policy, Recorded};
use super::entry_input::EntryInput;
use super::funds::{Account, AccountInput, Fund, FundInput};
use super::manage;
use super::model::Totals;
use super::reconcile::{self, Assignment, QueuedLine};
use super::storage::listing::{EntryFilter, PublicRow};
use super::view::{self, SearchQuery};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Json as JsonBody, Path, Query};
use crate::web::openapi::{ReadErrors, WriteErrors};
use crate::web::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(unit_ledger))
        .routes(routes!(create_account))
        .routes(routes!(create_fund))
        .routes(routes!(show_fund))
        .routes(routes!(list_entries, record_entry))
        .routes(routes!(reverse_entry))
        .routes(routes!(queued_lines))
        .routes(routes!(list_drafts))
        .routes(routes!(decide_draft))
        .routes(routes!(show_policy, set_policy))
        .routes(routes!(assign_line))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct UnitQuery {
    /// The unit's code.
    unit: String,
}

/// What a unit holds.
#[derive(Serialize, utoipa::ToSchema)]
struct UnitLedger {
    accounts: Vec<Account>,
    funds: Vec<Fund>,
}

/// The accounts and funds a unit holds.
#[utoipa::path(get, path = "/ledger", tag = "ledger", params(UnitQuery),
    responses((status = 200, description = "OK", body = UnitLedger), ReadErrors))]
async fn unit_ledger(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<UnitQuery>,
) -> Result<Json<UnitLedger>, AppError> {
    let unit = crate::org::service::unit_by_code(&state.db, q.unit.trim())
        .await?
        .ok_or(AppError::NotFound)?;
    let (accounts, funds) = manage::of_unit(&state.db, &user.principal, &unit).await?;
    Ok(Json(UnitLedger { accounts, funds }))
}

/// Open an account (bank, cash, in kind) at a unit the caller may write to.
#[utoipa::path(post, path = "/ledger/accounts", tag = "ledger", request_body = AccountInput,
    responses((status = 201, description = "Created", body = Account), WriteErrors))]
async fn create_account(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonBody(input): JsonBody<AccountInput>,
) -> Result<Response, AppError> {
    let account = manage::create_account(&state.db, &user.principal, &input).await?;
    Ok((StatusCode::CREATED, Json(account)).into_response())
}

/// Open a fund (general, Red Cross, or an appeal) at a unit the caller may write to.
#[utoipa::path(post, path = "/ledger/funds", tag = "ledger", request_body = FundInput,
    responses((status = 201, description = "Created", body = Fund), WriteErrors))]
async fn create_fund(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonBody(input): JsonBody<FundInput>,
) -> Result<Response, AppError> {
    let fund = manage::create_fund(&state.db, &user.principal, &input).await?;
    let location = format!("/api/v1/ledger/funds/{}", fund.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(fund)).into_response())
}

/// A fund with its totals and, where it has a bank account, the VietQR
/// payload a donor's banking app reads.
#[derive(Serialize, utoipa::ToSchema)]
struct FundView {
    fund: Fund,
    #[schema(value_type = Object)]
    totals: Totals,
    vietqr: Option<String>,
}

/// One fund.
#[utoipa::path(get, path = "/ledger/funds/{fund}", tag = "ledger",
    params(("fund" = i64, Path, description = "Fund id")),
    responses((status = 200, description = "OK", body = FundView), ReadErrors))]
async fn show_fund(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<FundView>, AppError> {
    let fund = manage::fund(&state.db, &user.principal, record_id(&id)?).await?;
    let (totals, vietqr) = view::totals_and_code(&state.db, &fund).await?;
    Ok(Json(FundView { fund, totals, vietqr }))
}

/// A page of entries.
#[derive(Serialize, utoipa::ToSchema)]
struct EntryPage {
    items: Vec<PublicRow>,
    /// The next page's `page`, when there is one.
    next: Option<i64>,
}

/// A fund's entries, searched (`q` without accents, amounts, days, the
/// reference's last digits), 50 a page.
#[utoipa::path(get, path = "/ledger/funds/{fund}/entries", tag = "ledger",
    params(("fund" = i64, Path, description = "Fund id"), SearchQuery),
    responses((status = 200, description = "OK", body = EntryPage), ReadErrors))]
async fn list_entries(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<SearchQuery>,
) -> Result<Json<EntryPage>, AppError> {
    let filter: EntryFilter = q.filter().map_err(AppError::Validation)?;
    let (page, offset) = q.page_and_offset();
    let (_, items, more) =
        manage::entries(&state.db, &user.principal, record_id(&id)?, &filter, view::PAGE, offset).await?;
    Ok(Json(EntryPage {
        items,
        next: more.then_some(page + 1),
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
struct Created {
    id: i64,
}

/// Record a gift received or a payment made from the fund (appended to
/// the chain of the unit holding it; never changed afterwards).
#[utoipa::path(post, path = "/ledger/funds/{fund}/entries", tag = "ledger",
    params(("fund" = i64, Path, description = "Fund id")), request_body = EntryInput,
    responses((status = 201, description = "Appended", body = Recorded),
        (status = 202, description = "Waiting for a second person's approval", body = Recorded), WriteErrors))]
async fn record_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<EntryInput>,
) -> Result<Response, AppError> {
    let recorded = approval::record(&state.db, &user.principal, record_id(&id)?, &input).await?;
    let status = if recorded.id.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, Json(recorded)).into_response())
}

/// The fund's entries waiting for a second person's approval (staff).
#[utoipa::path(get, path = "/ledger/funds/{fund}/drafts", tag = "ledger",
    params(("fund" = i64, Path, description = "Fund id")),
    responses((status = 200, description = "OK", body = [DraftView]), ReadErrors))]
async fn list_drafts(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<DraftView>>, AppError> {
    Ok(Json(
        approval::pending(&state.db, &user.principal, record_id(&id)?).await?,
    ))
}

#[derive(Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
struct Decision {
    /// `true` appends the entry; `false` rejects it.
    approve: bool,
}

/// Approve or reject a draft written by someone else.
#[utoipa::path(post, path = "/ledger/drafts/{draft}", tag = "ledger",
    params(("draft" = i64, Path, description = "Draft id")), request_body = Decision,
    responses((status = 200, description = "Decided", body = Recorded), WriteErrors))]
async fn decide_draft(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<Decision>,
) -> Result<Json<Recorded>, AppError> {
    let entry = approval::decide(&state.db, &user.principal, record_id(&id)?, input.approve).await?;
    Ok(Json(Recorded { id: entry, draft: None }))
}

#[derive(Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
struct ReversalInput {
    /// Why the entry is undone (published).
    reason: String,
}

/// Undo an entry by appending its reversal (once).
#[utoipa::path(post, path = "/ledger/funds/{fund}/entries/{entry}/reversal", tag = "ledger",
    params(("fund" = i64, Path, description = "Fund id"), ("entry" = i64, Path, description = "Entry id")),
    request_body = ReversalInput,
    responses((status = 201, description = "Created", body = Created), WriteErrors))]
async fn reverse_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((fund, entry)): Path<(String, String)>,
    JsonBody(input): JsonBody<ReversalInput>,
) -> Result<Response, AppError> {
    let id = manage::reverse(
        &state.db,
        &user.principal,
        record_id(&fund)?,
        record_id(&entry)?,
        &input.reason,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}

/// The account's reconciliation queue: imported transactions no fund was
/// told for, with the bank's full words (staff only).
#[utoipa::path(get, path = "/ledger/accounts/{ledger_account}/unmatched", tag = "ledger",
    params(("ledger_account" = i64, Path, description = "Account id")),
    responses((status = 200, description = "OK", body = [QueuedLine]), ReadErrors))]
async fn queued_lines(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<QueuedLine>>, AppError> {
    Ok(Json(
        reconcile::open_lines(&state.db, &user.principal, record_id(&id)?).await?,
    ))
}

/// Record a queued transaction into a fund of its account's unit (once).
#[utoipa::path(post, path = "/ledger/unmatched/{line}", tag = "ledger",
    params(("line" = i64, Path, description = "Queued line id")), request_body = Assignment,
    responses((status = 201, description = "Created", body = Created), WriteErrors))]
async fn assign_line(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<Assignment>,
) -> Result<Response, AppError> {
    let id = reconcile::assign(&state.db, &user.principal, record_id(&id)?, &input).await?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}

/// The amount above which an entry waits for a second person's approval.
#[utoipa::path(get, path = "/ledger/policy", tag = "ledger",
    responses((status = 200, description = "OK", body = Policy), ReadErrors))]
async fn show_policy(State(state): State<AppState>, _user: CurrentUser) -> Result<Json<Policy>, AppError> {
    Ok(Json(approval::policy(&state.db).await?))
}

#[derive(Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
struct PolicyInput {
    /// In đồng as typed (`50.000.000`).
    approval_above: String,
}

/// Change the approval amount (the centre's supervisors).
#[utoipa::path(put, path = "/ledger/policy", tag = "ledger", request_body = PolicyInput,
    responses((status = 200, description = "OK", body = Policy), WriteErrors))]
async fn set_policy(
    State(state): State<AppState>,
    user: CurrentUser,
    JsonBody(input): JsonBody<PolicyInput>,
) -> Result<Json<Policy>, AppError> {
    Ok(Json(
        approval::set_policy(&state.db, &user.principal, &input.approval_above).await?,
    ))
}
