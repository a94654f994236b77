//! Pages of the organisations registry: the list (searched by name,
//! accents optional, with its `.xlsx`), and one form to register or
//! change an organisation.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::model::{Kind, Organisation, OrganisationInput};
use super::service;
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

/// Organisations one page lists (and one file holds).
const LIMIT: i64 = 500;

pub fn pages() -> Pages {
    Pages::default()
        .get("/organisations", list_page)
        .post("/organisations", create)
        .get("/organisations/new", new_form)
        .get("/organisations/export.xlsx", export)
        .get("/organisations/{organisation}", detail)
        .post("/organisations/{organisation}", update)
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// Only inside this unit's subtree (its code).
    pub unit: Option<String>,
    /// Words of the name, accents optional.
    pub q: String,
}

pub(super) async fn found(
    state: &AppState,
    user: &CurrentUser,
    q: &ListQuery,
) -> Result<(Option<Unit>, Vec<Organisation>), AppError> {
    let unit = crate::org::service::unit_filter(&state.db, &user.principal, q.unit.as_deref()).await?;
    let items = service::search(&state.db, &user.principal, unit.as_ref(), &q.q, LIMIT).await?;
    Ok((unit, items))
}

#[derive(Template)]
#[template(path = "organisations/templates/list.html")]
struct ListPage {
    ctx: PageCtx,
    unit: Option<Unit>,
    q: String,
    items: Vec<Organisation>,
    can_write: bool,
    export: String,
}

async fn list_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (unit, items) = found(&state, &user, &q).await?;
    let code = unit.as_ref().map(|u| u.code.as_str()).unwrap_or("");
    let export = crate::web::list::with_query("/organisations/export.xlsx", &[("unit", code), ("q", &q.q)]);
    let page = ListPage {
        ctx,
        unit,
        q: q.q,
        items,
        can_write: !user.principal.scope(Permission::Write).is_empty(),
        export,
    };
    render_status(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "organisations/templates/form.html")]
struct FormPage {
    ctx: PageCtx,
    /// `None`: a new organisation.
    organisation: Option<Organisation>,
    can_write: bool,
    form: FormState,
    units: Vec<Choice>,
}

impl FormPage {
    fn kinds(&self) -> &'static [Kind] {
        Kind::ALL
    }
}

fn form_of(lang: Lang, input: &OrganisationInput, units: &[Choice]) -> FormState {
    FormState::new(lang).with_values([
        ("name", input.name.clone()),
        ("kind", input.kind.clone()),
        ("tax_code", input.tax_code.clone()),
        ("address", input.address.clone()),
        ("phone", input.phone.clone()),
        ("email", input.email.clone()),
        ("representative", input.representative.clone()),
        ("representative_title", input.representative_title.clone()),
        ("representative_phone", input.representative_phone.clone()),
        ("note", input.note.clone()),
        ("unit", picker::shown(&input.unit, units)),
    ])
}

async fn show_form(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    organisation: Option<Organisation>,
    input: &OrganisationInput,
    error: Option<AppError>,
) -> Result<Response, AppError> {
    let units = picker::choices(&state.db, &user.principal, Permission::Write).await?;
    let can_write = match &organisation {
        Some(o) => service::may_write(&user.principal, o),
        None => !units.is_empty(),
    };
    let mut form = form_of(ctx.lang, input, &units);
    let status = match error {
        Some(e) => {
            form = form.with_error(&e);
            e.status()
        }
        None => StatusCode::OK,
    };
    let page = FormPage {
        ctx,
        organisation,
        can_write,
        form,
        units,
    };
    render_status(status, &page)
}

async fn new_form(State(state): State<AppState>, ctx: PageCtx, user: CurrentUser) -> Result<Response, AppError> {
    let unit = user.principal.home().map(|g| g.unit.code.clone()).unwrap_or_default();
    let input = OrganisationInput {
        unit,
        kind: "enterprise".into(),
        ..OrganisationInput::default()
    };
    show_form(&state, ctx, &user, None, &input, None).await
}

async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(mut input): Form<OrganisationInput>,
) -> Result<Response, AppError> {
    let units = picker::choices(&state.db, &user.principal, Permission::Write).await?;
    input.unit = picker::code_of(&input.unit, &units);
    match service::create(&state.db, &user.principal, &input).await {
        Ok(o) => Ok(Redirect::to(&format!("/organisations/{}", o.id)).into_response()),
        Err(e) => {
            let e = shown_on_form(AppError::from(e))?;
            show_form(&state, ctx, &user, None, &input, Some(e)).await
        }
    }
}

fn input_of(o: &Organisation) -> OrganisationInput {
    OrganisationInput {
        name: o.name.clone(),
        kind: o.kind.as_str().to_owned(),
        tax_code: o.tax_code.clone().unwrap_or_default(),
        address: o.address.clone(),
        phone: o.phone.clone(),
        email: o.email.clone(),
        representative: o.representative.clone(),
        representative_title: o.representative_title.clone(),
        representative_phone: o.representative_phone.clone(),
        note: o.note.clone(),
        unit: o.unit_code.clone(),
        version: o.version,
    }
}

async fn detail(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let organisation = service::get(&state.db, &user.principal, record_id(&id)?).await?;
    let input = input_of(&organisation);
    show_form(&state, ctx, &user, Some(organisation), &input, None).await
}

async fn update(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(input): Form<OrganisationInput>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    match service::update(&state.db, &user.principal, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/organisations/{id}")).into_response()),
        Err(e) => {
            let e = shown_on_form(AppError::from(e))?;
            let organisation = service::get(&state.db, &user.principal, id).await?;
            show_form(&state, ctx, &user, Some(organisation), &input, Some(e)).await
        }
    }
}

async fn export(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (_, items) = found(&state, &user, &q).await?;
    let column = |key: &str, kind: ColumnType, width: f64| Column::new(i18n::t(lang, key), kind, width);
    let columns = vec![
        column("organisation.name", ColumnType::Text, 36.0),
        column("organisation.kind", ColumnType::Text, 16.0),
        column("organisation.tax_code", ColumnType::Text, 16.0),
        column("organisation.address", ColumnType::Text, 36.0),
        column("organisation.phone", ColumnType::Text, 14.0),
        column("organisation.representative", ColumnType::Text, 24.0),
        column("organisation.representative_phone", ColumnType::Text, 14.0),
        column("organisation.unit", ColumnType::Text, 24.0),
    ];
    xlsx::download("to_chuc.xlsx", move |path| {
        let rows = items.into_iter().map(move |o| {
            vec![
                Value::from(o.name),
                Value::from(i18n::t(lang, o.kind.label_key()).to_owned()),
                Value::from(o.tax_code.unwrap_or_default()),
                Value::from(o.address),
                Value::from(o.phone),
                Value::from(o.representative),
                Value::from(o.representative_phone),
                Value::from(o.unit_name),
            ]
        });
        xlsx::write(path, i18n::t(lang, "organisations.sheet"), &columns, rows)
    })
    .await
}
