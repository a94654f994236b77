//! Pages of cadres: positions at a unit with the form to appoint, a
//! cadre's page with their training record and the end of their term,
//! and the list of cadres without training in the last years (`.xlsx`).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::model::{Attendance, Cadre, Position};
use super::service::{self, AppointInput, EndInput};
use crate::access::Permission;
use crate::i18n::{self, Lang};
use crate::org::picker::{self, Choice};
use crate::org::Unit;
use crate::toolkit::xlsx::{self, Column, ColumnType, Value};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Form, Path, Query};
use crate::web::page::{render_status, shown_on_form, FormState, PageCtx};
use crate::web::routes::Pages;
use crate::web::AppState;

pub fn pages() -> Pages {
    Pages::default()
        .get("/cadres", list_page)
        .post("/cadres", appoint)
        .get("/cadres/untrained", untrained_page)
        .get("/cadres/untrained.xlsx", untrained_xlsx)
        .get("/cadres/{cadre}", detail)
        .post("/cadres/{cadre}/end", end_term)
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// Only inside this unit's subtree (its code).
    pub unit: Option<String>,
    /// Also positions whose term ended.
    pub all: bool,
    /// For the untrained list: the years looked back (default 3).
    pub years: Option<i64>,
}

/// The cadre list's narrowing.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct CadreQuery {
    /// Only inside this unit's subtree (its code).
    pub unit: Option<String>,
    /// Also positions whose term ended.
    pub all: bool,
    /// Only those in office whose latest training (attended or passed)
    /// ended this year, as the unit page counts them (1900 to this year).
    pub year: String,
}

impl CadreQuery {
    /// The year asked for, if any; a year outside 1900..=this one is refused.
    pub fn trained_in(&self) -> Result<Option<i64>, AppError> {
        if self.year.trim().is_empty() {
            return Ok(None);
        }
        crate::org::service::events_year(&self.year)
            .map(Some)
            .ok_or_else(|| AppError::Validation(crate::validation::field_error("year", "unit.error.year")))
    }

    /// Those trained in a year are the ones in office, as counted.
    pub fn all(&self) -> bool {
        self.all && self.year.trim().is_empty()
    }

    fn as_list(&self) -> ListQuery {
        ListQuery {
            unit: self.unit.clone(),
            all: self.all(),
            years: None,
        }
    }
}

pub(super) async fn unit_of(
    state: &AppState,
    user: &CurrentUser,
    code: Option<&str>,
) -> Result<Option<Unit>, AppError> {
    Ok(crate::org::service::unit_filter(&state.db, &user.principal, code).await?)
}

#[derive(Template)]
#[template(path = "cadres/templates/list.html")]
struct ListPage {
    ctx: PageCtx,
    unit: Option<Unit>,
    all: bool,
    year: Option<i64>,
    items: Vec<Cadre>,
    units: Vec<Choice>,
    form: FormState,
}

impl ListPage {
    fn positions(&self) -> &'static [Position] {
        Position::ALL
    }
}

async fn show_list(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    q: &ListQuery,
    year: Option<i64>,
    refused: Option<(AppError, AppointInput)>,
) -> Result<Response, AppError> {
    let unit = unit_of(state, user, q.unit.as_deref()).await?;
    let items = service::list(&state.db, &user.principal, unit.as_ref(), q.all, year).await?;
    let units = picker::choices(&state.db, &user.principal, Permission::Write).await?;
    let mut form = FormState::new(ctx.lang);
    let mut status = StatusCode::OK;
    if let Some((e, input)) = refused {
        status = e.status();
        form = form
            .with_values([
                ("person", input.person),
                ("unit", picker::shown(&input.unit, &units)),
                ("position", input.position),
                ("title", input.title),
                ("term_start", input.term_start),
                ("term_end", input.term_end),
            ])
            .with_error(&e);
    }
    let page = ListPage {
        ctx,
        unit,
        all: q.all,
        year,
        items,
        units,
        form,
    };
    render_status(status, &page)
}

async fn list_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(q): Query<CadreQuery>,
) -> Result<Response, AppError> {
    let year = q.trained_in()?;
    show_list(&state, ctx, &user, &q.as_list(), year, None).await
}

async fn appoint(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(mut input): Form<AppointInput>,
) -> Result<Response, AppError> {
    let units = picker::choices(&state.db, &user.principal, Permission::Write).await?;
    input.unit = picker::code_of(&input.unit, &units);
    match service::appoint(&state.db, &user.principal, &input).await {
        Ok(c) => Ok(Redirect::to(&format!("/cadres/{}", c.id)).into_response()),
        Err(e) => {
            let e = shown_on_form(AppError::from(e))?;
            show_list(&state, ctx, &user, &ListQuery::default(), None, Some((e, input))).await
        }
    }
}

#[derive(Template)]
#[template(path = "cadres/templates/detail.html")]
struct DetailPage {
    ctx: PageCtx,
    cadre: Cadre,
    record: Vec<Attendance>,
    can_write: bool,
    form: FormState,
}

async fn show_detail(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    id: i64,
    refused: Option<(AppError, EndInput)>,
) -> Result<Response, AppError> {
    let (cadre, record) = service::with_training(&state.db, &user.principal, id).await?;
    let can_write = service::may_write(&user.principal, &cadre);
    let (form, status) = match refused {
        Some((e, input)) => (
            FormState::new(ctx.lang).with_values([("on", input.on)]).with_error(&e),
            e.status(),
        ),
        None => (FormState::new(ctx.lang), StatusCode::OK),
    };
    render_status(
        status,
        &DetailPage {
            ctx,
            cadre,
            record,
            can_write,
            form,
        },
    )
}

async fn detail(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    show_detail(&state, ctx, &user, record_id(&id)?, None).await
}

async fn end_term(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(input): Form<EndInput>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    match service::end_term(&state.db, &user.principal, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/cadres/{id}")).into_response()),
        Err(e) => {
            let e = shown_on_form(AppError::from(e))?;
            show_detail(&state, ctx, &user, id, Some((e, input))).await
        }
    }
}

pub(super) fn years(q: &ListQuery) -> i64 {
    q.years.unwrap_or(3).clamp(1, 50)
}

#[derive(Template)]
#[template(path = "cadres/templates/untrained.html")]
struct UntrainedPage {
    ctx: PageCtx,
    unit: Option<Unit>,
    years: i64,
    items: Vec<Cadre>,
    export: String,
}

async fn untrained_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let unit = unit_of(&state, &user, q.unit.as_deref()).await?;
    let years = years(&q);
    let items = service::untrained(&state.db, &user.principal, unit.as_ref(), years).await?;
    let code = unit.as_ref().map(|u| u.code.as_str()).unwrap_or("");
    let export = crate::web::list::with_query(
        "/cadres/untrained.xlsx",
        &[("unit", code), ("years", &years.to_string())],
    );
    let page = UntrainedPage {
        ctx,
        unit,
        years,
        items,
        export,
    };
    render_status(StatusCode::OK, &page)
}

async fn untrained_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let unit = unit_of(&state, &user, q.unit.as_deref()).await?;
    let items = service::untrained(&state.db, &user.principal, unit.as_ref(), years(&q)).await?;
    let column = |key: &str, kind: ColumnType, width: f64| Column::new(i18n::t(lang, key), kind, width);
    let columns = vec![
        column("person.full_name", ColumnType::Text, 28.0),
        column("cadre.position", ColumnType::Text, 20.0),
        column("cadre.title", ColumnType::Text, 30.0),
        column("cadre.unit", ColumnType::Text, 28.0),
        column("cadre.last_trained", ColumnType::Text, 16.0),
    ];
    xlsx::download("can_bo_chua_tap_huan.xlsx", move |path| {
        let rows = items.into_iter().map(move |c| {
            vec![
                Value::from(c.full_name.clone()),
                Value::from(i18n::t(lang, c.position.label_key()).to_owned()),
                Value::from(c.title.clone()),
                Value::from(c.unit_name.clone()),
                Value::from(c.last_trained_display()),
            ]
        });
        xlsx::write(path, i18n::t(lang, "cadres.untrained"), &columns, rows)
    })
    .await
}
