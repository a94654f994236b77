//! Pages of dues: a unit's rates (set by its administrators), the arrears
//! list with its `.xlsx`, and recording a payment from a member's page.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::service::{self, PaymentInput, RateInput};
use super::{Arrear, Rate};
use crate::access::Permission;
use crate::i18n::{self, Lang};
use crate::org::Unit;
use crate::toolkit::xlsx::{self, Column, ColumnType, Value};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Form, Path, Query};
use crate::web::list::with_query;
use crate::web::page::{render, render_status, FormState, PageCtx};
use crate::web::routes::Pages;
use crate::web::AppState;

/// Rows an arrears page shows; the `.xlsx` has them all.
const SHOWN: i64 = 500;

pub fn pages() -> Pages {
    Pages::default()
        .get("/members/arrears", arrears_page)
        .get("/members/arrears.xlsx", arrears_xlsx)
        .post("/members/{member}/dues", pay)
        .get("/units/{unit}/dues", rates_page)
        .post("/units/{unit}/dues", set_rate)
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(crate) struct ArrearsQuery {
    /// Only inside this unit's subtree (its code).
    pub unit: Option<String>,
    /// The year (this year when absent).
    pub year: Option<i32>,
}

pub(crate) async fn unit_and_year(
    state: &AppState,
    user: &CurrentUser,
    q: &ArrearsQuery,
) -> Result<(Option<Unit>, i32), AppError> {
    let unit = crate::members::service::unit_filter(&state.db, &user.principal, q.unit.as_deref()).await?;
    let this_year = crate::members::service::today().year();
    let year = q.year.unwrap_or(this_year);
    if !(2000..=this_year + 1).contains(&year) {
        return Err(AppError::bad_request("dues.error.year"));
    }
    Ok((unit, year))
}

#[derive(Template)]
#[template(path = "members/templates/arrears.html")]
struct ArrearsPage {
    ctx: PageCtx,
    unit: Option<Unit>,
    year: i32,
    items: Vec<Arrear>,
    more: bool,
    export: String,
}

async fn arrears_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(q): Query<ArrearsQuery>,
) -> Result<Response, AppError> {
    let (unit, year) = unit_and_year(&state, &user, &q).await?;
    let mut items = service::arrears(&state.db, &user.principal, unit.as_ref(), year, SHOWN + 1).await?;
    let more = items.len() as i64 > SHOWN;
    items.truncate(SHOWN as usize);
    let code = unit.as_ref().map(|u| u.code.as_str()).unwrap_or("");
    let export = with_query("/members/arrears.xlsx", &[("unit", code), ("year", &year.to_string())]);
    Ok(render(&ArrearsPage {
        ctx,
        unit,
        year,
        items,
        more,
        export,
    })?
    .into_response())
}

async fn arrears_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<ArrearsQuery>,
) -> Result<Response, AppError> {
    let (unit, year) = unit_and_year(&state, &user, &q).await?;
    let limit = i64::from(xlsx::MAX_ROWS);
    let items = service::arrears(&state.db, &user.principal, unit.as_ref(), year, limit).await?;
    let column = move |key: &str, kind: ColumnType, width: f64| Column::new(i18n::t(lang, key), kind, width);
    let columns = vec![
        column("member.member_no", ColumnType::Text, 14.0),
        column("person.full_name", ColumnType::Text, 28.0),
        column("member.branch", ColumnType::Text, 28.0),
        column("dues.rate", ColumnType::Number, 12.0),
        column("dues.paid", ColumnType::Number, 12.0),
        column("dues.owed", ColumnType::Number, 12.0),
    ];
    let name = format!("{} {year}", i18n::t(lang, "dues.arrears"));
    xlsx::download(&format!("no_hoi_phi_{year}.xlsx"), move |path| {
        let rows = items.into_iter().map(|a| {
            vec![
                Value::from(a.member.member_no),
                Value::from(a.member.full_name),
                Value::from(a.member.branch_name),
                Value::Number(a.owed.rate.map_or(0, |r| r.dong()) as f64),
                Value::Number(a.owed.paid.dong() as f64),
                Value::Number(a.owed.owed.dong() as f64),
            ]
        });
        xlsx::write(path, &name, &columns, rows)
    })
    .await
}

async fn pay(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(input): Form<PaymentInput>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    match service::record_payment(&state.db, &user.principal, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/members/{id}#dues")).into_response()),
        Err(e) => {
            let refused = crate::members::routes::Refused::Dues(crate::web::page::shown_on_form(e.into())?, input);
            crate::members::routes::show_detail(&state, ctx, &user, id, refused).await
        }
    }
}

#[derive(Template)]
#[template(path = "members/templates/rates.html")]
struct RatesPage {
    ctx: PageCtx,
    unit: Unit,
    rates: Vec<Rate>,
    can_set: bool,
    form: FormState,
}

async fn show_rates(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    code: &str,
    refused: Option<(AppError, RateInput)>,
) -> Result<Response, AppError> {
    let (unit, rates) = service::rates(&state.db, &user.principal, code).await?;
    let can_set =
        unit.level != crate::org::Level::Branch && user.principal.access(Permission::Supervise, &unit).is_some();
    let mut form =
        FormState::new(ctx.lang).with_values([("year", crate::members::service::today().year().to_string())]);
    let mut status = StatusCode::OK;
    if let Some((e, input)) = refused {
        status = e.status();
        form = FormState::new(ctx.lang)
            .with_values([("year", input.year), ("amount", input.amount)])
            .with_error(&e);
    }
    render_status(
        status,
        &RatesPage {
            ctx,
            unit,
            rates,
            can_set,
            form,
        },
    )
}

async fn rates_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    show_rates(&state, ctx, &user, &code, None).await
}

async fn set_rate(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(input): Form<RateInput>,
) -> Result<Response, AppError> {
    match service::set_rate(&state.db, &user.principal, &code, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/units/{code}/dues")).into_response()),
        Err(e) => {
            let e = crate::web::page::shown_on_form(e.into())?;
            show_rates(&state, ctx, &user, &code, Some((e, input))).await
        }
    }
}
