//! The ledger's pages for staff: a unit's accounts and funds with their
//! totals, and the forms an accountant uses on a phone — open an account
//! or a fund, record a gift or a payment, upload a bank statement into an
//! account (through the toolkit's import, its preview and commit). What a
//! form refuses is said at the top of the page, field by field.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::entry_input::EntryInput;
use super::funds::{Account, AccountInput, AccountKind, Fund, FundInput, FundKind};
use super::manage;
use super::model::Totals;
use super::storage::statements as queue;
use crate::access::Permission;
use crate::org::Unit;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Form, Path, Query};
use crate::web::page::{render_status, shown_on_form, PageCtx};
use crate::web::routes::Pages;
use crate::web::AppState;

pub fn pages() -> Pages {
    Pages::default()
        .get("/ledger", unit_page)
        .post("/ledger/accounts", create_account)
        .post("/ledger/funds", create_fund)
        .post("/ledger/funds/{fund}/entries", record_entry)
        .post("/ledger/drafts/{draft}", decide_draft)
        .get("/ledger/entries/{entry}/receipt.pdf", super::receipt::receipt_pdf)
        .get("/ledger/funds/{fund}/list.xlsx", super::reports::period_list)
        .get("/ledger/accounts/{ledger_account}/unmatched", queue_page)
        .post("/ledger/unmatched/{line}", assign_line)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UnitParams {
    unit: String,
}

struct FundLine {
    fund: Fund,
    totals: Totals,
    /// Entries waiting for a second person (shown to the fund's staff).
    drafts: Vec<super::approval::DraftView>,
    /// The latest entries, newest first.
    latest: Vec<super::storage::listing::PublicRow>,
}

struct AccountLine {
    account: Account,
    queued: i64,
}

#[derive(Template)]
#[template(path = "ledger/templates/unit.html")]
struct UnitPage {
    ctx: PageCtx,
    unit: Unit,
    accounts: Vec<AccountLine>,
    funds: Vec<FundLine>,
    can_write: bool,
    /// What the last form sent was refused for.
    refused: Vec<String>,
    today: String,
    /// This year, for the period lists.
    year: i64,
}

impl UnitPage {
    fn account_kinds(&self) -> &'static [AccountKind] {
        AccountKind::ALL
    }

    fn fund_kinds(&self) -> &'static [FundKind] {
        FundKind::ALL
    }
}

async fn show(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    code: &str,
    refused: Option<AppError>,
) -> Result<Response, AppError> {
    let code = match code.trim() {
        "" => user.principal.home().map(|g| g.unit.code.clone()).unwrap_or_default(),
        typed => typed.to_owned(),
    };
    let unit = crate::org::service::unit_by_code(&state.db, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    let (accounts, funds) = manage::of_unit(&state.db, &user.principal, &unit).await?;
    let mut account_lines = Vec::with_capacity(accounts.len());
    for account in accounts {
        let queued = queue::open_count(&state.db, account.id).await?;
        account_lines.push(AccountLine { account, queued });
    }
    let mut fund_lines = Vec::with_capacity(funds.len());
    for fund in funds {
        let totals = super::storage::listing::fund_totals(&state.db, fund.id).await?;
        let drafts = match super::approval::pending(&state.db, &user.principal, fund.id).await {
            Ok(drafts) => drafts,
            Err(super::service::LedgerError::ReadOnly) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        let (latest, _) = super::storage::listing::fund_entries(&state.db, fund.id, &Default::default(), 10, 0).await?;
        fund_lines.push(FundLine {
            fund,
            totals,
            drafts,
            latest,
        });
    }
    let (status, refused) = refusal(&ctx, refused)?;
    let page = UnitPage {
        can_write: user.principal.may(Permission::Write, &unit.placement) && unit.is_active(),
        today: crate::web::page::date_vi(&crate::members::model::iso(crate::volunteers::service::today())),
        year: crate::calendar::this_year(),
        ctx,
        unit,
        accounts: account_lines,
        funds: fund_lines,
        refused,
    };
    render_status(status, &page)
}

/// What a form was refused for, field by field, and the page's status.
fn refusal(ctx: &PageCtx, refused: Option<AppError>) -> Result<(StatusCode, Vec<String>), AppError> {
    let Some(e) = refused else {
        return Ok((StatusCode::OK, Vec::new()));
    };
    let e = shown_on_form(e)?;
    let said = match &e {
        AppError::Validation(fields) => fields
            .iter()
            .map(|(field, key)| format!("{}: {}", ctx.t(&format!("ledger.{field}")), ctx.t(key)))
            .collect(),
        other => vec![other.message(ctx.lang)],
    };
    Ok((e.status(), said))
}

async fn unit_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(p): Query<UnitParams>,
) -> Result<Response, AppError> {
    show(&state, ctx, &user, &p.unit, None).await
}

fn back(unit: &str) -> Response {
    Redirect::to(&crate::web::list::with_query("/ledger", &[("unit", unit)])).into_response()
}

async fn create_account(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(input): Form<AccountInput>,
) -> Result<Response, AppError> {
    match manage::create_account(&state.db, &user.principal, &input).await {
        Ok(_) => Ok(back(&input.unit)),
        Err(e) => show(&state, ctx, &user, &input.unit, Some(e.into())).await,
    }
}

/// A fund as the page's form sends it (an account chosen or not).
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct FundForm {
    kind: String,
    name: String,
    purpose: String,
    target: String,
    opens_on: String,
    closes_on: String,
    account_id: String,
    unit: String,
}

async fn create_fund(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(form): Form<FundForm>,
) -> Result<Response, AppError> {
    let input = FundInput {
        kind: form.kind,
        name: form.name,
        purpose: form.purpose,
        target: form.target,
        opens_on: form.opens_on,
        closes_on: form.closes_on,
        account_id: form.account_id.trim().parse().ok(),
        unit: form.unit,
    };
    match manage::create_fund(&state.db, &user.principal, &input).await {
        Ok(_) => Ok(back(&input.unit)),
        Err(e) => show(&state, ctx, &user, &input.unit, Some(e.into())).await,
    }
}

/// A gift or a payment as the page's form sends it.
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct EntryForm {
    kind: String,
    on_date: String,
    amount: String,
    counterparty: String,
    /// A ticked box sends `true`.
    anonymous: String,
    description: String,
    reference: String,
    private_note: String,
}

async fn record_entry(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<EntryForm>,
) -> Result<Response, AppError> {
    let fund = manage::fund(&state.db, &user.principal, record_id(&id)?).await?;
    let input = EntryInput {
        kind: form.kind,
        on_date: form.on_date,
        amount: form.amount,
        counterparty: form.counterparty,
        anonymous: form.anonymous == "true",
        description: form.description,
        reference: form.reference,
        private_note: form.private_note,
        ..EntryInput::default()
    };
    match super::approval::record(&state.db, &user.principal, fund.id, &input).await {
        Ok(_) => Ok(back(&fund.unit_code)),
        Err(e) => show(&state, ctx, &user, &fund.unit_code, Some(e.into())).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct DecisionForm {
    /// `approve` or `reject`.
    decision: String,
}

async fn decide_draft(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let draft = super::storage::drafts::pending(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let fund = manage::fund(&state.db, &user.principal, draft.fund_id).await?;
    let approve = form.decision == "approve";
    match super::approval::decide(&state.db, &user.principal, id, approve).await {
        Ok(_) => Ok(back(&fund.unit_code)),
        Err(e) => show(&state, ctx, &user, &fund.unit_code, Some(e.into())).await,
    }
}

#[derive(Template)]
#[template(path = "ledger/templates/queue.html")]
struct QueuePage {
    ctx: PageCtx,
    account: Account,
    funds: Vec<Fund>,
    lines: Vec<super::reconcile::QueuedLine>,
    refused: Vec<String>,
}

impl QueuePage {
    fn date(&self, iso: &str) -> String {
        crate::web::page::date_vi(iso)
    }

    fn money(&self, dong: &i64) -> String {
        crate::money::Money::from_dong(*dong).to_string()
    }
}

async fn show_queue(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    account_id: i64,
    refused: Option<AppError>,
) -> Result<Response, AppError> {
    let lines = super::reconcile::open_lines(&state.db, &user.principal, account_id).await?;
    let account = manage::account(&state.db, &user.principal, account_id).await?;
    let unit = crate::org::service::unit_by_id(&state.db, account.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, funds) = manage::of_unit(&state.db, &user.principal, &unit).await?;
    let (status, refused) = refusal(&ctx, refused)?;
    render_status(
        status,
        &QueuePage {
            ctx,
            account,
            funds,
            lines,
            refused,
        },
    )
}

async fn queue_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    show_queue(&state, ctx, &user, record_id(&id)?, None).await
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct AssignForm {
    fund: String,
    kind: String,
    counterparty: String,
}

async fn assign_line(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<AssignForm>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let account = super::storage::statements::unmatched(&state.db, id)
        .await?
        .map(|(_, account, _)| account)
        .ok_or(AppError::NotFound)?;
    let assignment = super::reconcile::Assignment {
        fund: form.fund.trim().parse().ok(),
        kind: form.kind,
        counterparty: form.counterparty,
    };
    match super::reconcile::assign(&state.db, &user.principal, id, &assignment).await {
        Ok(_) => Ok(Redirect::to(&format!("/ledger/accounts/{account}/unmatched")).into_response()),
        Err(e) => show_queue(&state, ctx, &user, account, Some(e.into())).await,
    }
}
