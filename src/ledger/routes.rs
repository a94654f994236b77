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
        .get("/ledger/funds/{fund}/list.xlsx", period_list)
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
    let (status, refused) = match refused {
        None => (StatusCode::OK, Vec::new()),
        Some(e) => {
            let e = shown_on_form(e)?;
            let said = match &e {
                AppError::Validation(fields) => fields
                    .iter()
                    .map(|(field, key)| format!("{}: {}", ctx.t(&format!("ledger.{field}")), ctx.t(key)))
                    .collect(),
                other => vec![other.message(ctx.lang)],
            };
            (e.status(), said)
        }
    };
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

#[derive(Deserialize, Default)]
#[serde(default)]
struct PeriodParams {
    year: i32,
    /// 1–4; empty: the whole year.
    quarter: String,
}

/// The fund's donors and recipients of a quarter or a year as `.xlsx`
/// (the lists the charity-fund decree asks to publish), as published:
/// donors by their public name, private payees masked.
async fn period_list(
    State(state): State<AppState>,
    lang: crate::i18n::Lang,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(p): Query<PeriodParams>,
) -> Result<Response, AppError> {
    use crate::toolkit::xlsx::{self, Column, ColumnType, Value};
    let fund = manage::fund(&state.db, &user.principal, record_id(&id)?).await?;
    let quarter = match p.quarter.trim() {
        "" => None,
        typed => Some(
            typed
                .parse::<u8>()
                .ok()
                .filter(|q| (1..=4).contains(q))
                .ok_or_else(|| {
                    AppError::Validation(crate::validation::field_error("quarter", "ledger.error.quarter"))
                })?,
        ),
    };
    let (first, last) = quarter.map_or((1, 12), |q| (q * 3 - 2, q * 3));
    if !(2000..=2100).contains(&p.year) {
        return Err(AppError::Validation(crate::validation::field_error(
            "year",
            "ledger.error.year",
        )));
    }
    let filter = super::storage::listing::EntryFilter {
        from: Some(format!("{:04}-{first:02}-01", p.year)),
        until: Some(format!("{:04}-{last:02}-31", p.year)),
        sort: super::storage::listing::Sort::Oldest,
        ..Default::default()
    };
    let limit = xlsx::MAX_ROWS as i64;
    let (rows, _) = super::storage::listing::fund_entries(&state.db, fund.id, &filter, limit, 0).await?;
    let t = move |key: &str| crate::i18n::t(lang, key);
    let columns = vec![
        Column::new(t("ledger.date"), ColumnType::Date, 12.0),
        Column::new(t("ledger.kind"), ColumnType::Text, 16.0),
        Column::new(t("ledger.counterparty"), ColumnType::Text, 32.0),
        Column::new(t("ledger.amount"), ColumnType::Number, 16.0),
        Column::new(t("ledger.description"), ColumnType::Text, 48.0),
        Column::new(t("ledger.reference"), ColumnType::Text, 18.0),
    ];
    let period = match quarter {
        Some(q) => format!("quy-{q}-{}", p.year),
        None => format!("nam-{}", p.year),
    };
    let file = format!("thu-chi-quy-{}-{period}.xlsx", fund.id);
    xlsx::download(&file, move |path| {
        let rows = rows.into_iter().map(move |e| {
            vec![
                super::statement::parse_date(&e.on_date).map_or(Value::Empty, Value::Date),
                Value::from(t(e.kind.label_key()).to_owned()),
                Value::from(e.counterparty),
                Value::Number(e.amount.dong() as f64),
                Value::from(e.description),
                Value::from(e.reference),
            ]
        });
        xlsx::write(path, t("ledger.sheet"), &columns, rows)
    })
    .await
}
