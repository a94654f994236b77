//! Pages of the person registry: search, detail with history, create,
//! edit, delete, and the CSV export of a search.

use crate::web::extract::Path;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::model::{Person, PersonInput, Sex};
use super::patch::PersonPatch;
use super::service;
use crate::access::Permission;
use crate::audit::{shown_rows, ShownRow};
use crate::org::service as org;
use crate::org::Unit;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Form, Query};
use crate::web::page::{render, render_status, url_encode, FormState, PageCtx};
use crate::web::paging::Page;
use crate::web::routes::Pages;
use crate::web::AppState;

pub fn pages() -> Pages {
    Pages::default()
        .get("/persons", search)
        .post("/persons", create)
        .get("/persons/new", new_form)
        .get("/persons/export.csv", super::export::csv)
        .get("/persons/{person}", detail)
        .post("/persons/{person}", update)
        .get("/persons/{person}/edit", edit_form)
        .post("/persons/{person}/delete", delete)
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct SearchParams {
    /// A name (diacritics optional), a 12-digit CCCD or a phone number.
    pub q: String,
    /// Only inside this unit's subtree (its code).
    pub unit: Option<String>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

#[derive(Template)]
#[template(path = "people/templates/search.html")]
struct SearchPage {
    ctx: PageCtx,
    q: String,
    unit: Option<Unit>,
    page: Page<Person>,
    next_link: Option<String>,
    can_write: bool,
}

async fn search(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(p): Query<SearchParams>,
) -> Result<Response, AppError> {
    let (page, unit) = service::search(&state.db, &user.principal, &p.q, p.unit.as_deref(), p.after.as_deref()).await?;
    let unit_param = unit
        .as_ref()
        .map(|u| format!("&unit={}", url_encode(&u.code)))
        .unwrap_or_default();
    let next_link = page
        .next
        .as_ref()
        .map(|c| format!("/persons?q={}{unit_param}&after={}", url_encode(&p.q), url_encode(c)));
    let can_write = !user.principal.scope(Permission::Write).is_empty();
    Ok(render(&SearchPage {
        ctx,
        q: p.q,
        unit,
        page,
        next_link,
        can_write,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "people/templates/detail.html")]
struct DetailPage {
    ctx: PageCtx,
    person: Person,
    history: Vec<ShownRow>,
    can_write: bool,
}

async fn detail(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (person, history) = service::with_history(&state.db, &user.principal, record_id(&id)?).await?;
    let history = shown_rows(&ctx, &state.registry, history);
    let can_write = service::may_write(&user.principal, &person);
    Ok(render(&DetailPage {
        ctx,
        person,
        history,
        can_write,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "people/templates/form.html")]
struct FormPage {
    ctx: PageCtx,
    form: FormState,
    /// `None` when creating.
    person_id: Option<i64>,
    version: i64,
    units: Vec<(String, String)>,
}

impl FormPage {
    fn sexes(&self) -> [Sex; 2] {
        [Sex::Male, Sex::Female]
    }
}

fn form_state(ctx: &PageCtx, input: &PersonInput) -> FormState {
    let sex = Sex::parse(&input.sex)
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    FormState::new(ctx.lang).with_values([
        ("full_name", input.full_name.clone()),
        ("sex", sex),
        ("birth_date", input.birth_date.clone()),
        ("cccd", input.cccd.clone()),
        ("phone", input.phone.clone()),
        ("address_commune", input.address_commune.clone()),
        ("address_detail", input.address_detail.clone()),
        ("unit", input.unit.clone()),
    ])
}

/// Units offered in the unit field: where the user may write, and one
/// level below each (communes of a province, branches of a commune).
async fn unit_choices(state: &AppState, user: &CurrentUser) -> Result<Vec<(String, String)>, AppError> {
    let mut choices = Vec::new();
    for grant in user
        .principal
        .grants()
        .iter()
        .filter(|g| g.role.allows(Permission::Write))
    {
        choices.push((grant.unit.code.clone(), grant.unit.name.clone()));
        for child in org::children(&state.db, &grant.unit).await? {
            if child.is_active() && choices.len() < 400 {
                choices.push((child.code.clone(), child.name.clone()));
            }
        }
    }
    Ok(choices)
}

async fn show_form(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    form: FormState,
    person_id: Option<i64>,
    version: i64,
    status: StatusCode,
) -> Result<Response, AppError> {
    let page = FormPage {
        ctx,
        form,
        person_id,
        version,
        units: unit_choices(state, user).await?,
    };
    render_status(status, &page)
}

async fn new_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(p): Query<SearchParams>,
) -> Result<Response, AppError> {
    let home = user.principal.narrowest(Permission::Write).map(|g| g.unit.code.clone());
    let input = PersonInput {
        unit: p.unit.or(home).unwrap_or_default(),
        ..PersonInput::default()
    };
    let form = form_state(&ctx, &input);
    show_form(&state, ctx, &user, form, None, 0, StatusCode::OK).await
}

/// Shows the form again with what was refused, or passes the error on
/// when it is not about the form (not found, read-only, a server fault).
async fn refused(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    input: &PersonInput,
    person_id: Option<i64>,
    version: i64,
    error: AppError,
) -> Result<Response, AppError> {
    if matches!(error, AppError::Internal(_) | AppError::NotFound | AppError::Forbidden) {
        return Err(error);
    }
    let form = form_state(&ctx, input).with_error(&error);
    show_form(state, ctx, user, form, person_id, version, error.status()).await
}

async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(input): Form<PersonInput>,
) -> Result<Response, AppError> {
    match service::create(&state.db, &user.principal, &input).await {
        Ok(person) => Ok(Redirect::to(&format!("/persons/{}", person.id)).into_response()),
        Err(e) => refused(&state, ctx, &user, &input, None, 0, e.into()).await,
    }
}

async fn edit_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let person = service::get(&state.db, &user.principal, record_id(&id)?).await?;
    if !service::may_write(&user.principal, &person) {
        return Err(AppError::Forbidden);
    }
    let form = form_state(&ctx, &person.to_input());
    show_form(
        &state,
        ctx,
        &user,
        form,
        Some(person.id),
        person.version,
        StatusCode::OK,
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(patch): Form<PersonPatch>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    match service::update(&state.db, &user.principal, id, &patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/persons/{id}")).into_response()),
        Err(e) => {
            let version = patch.version.unwrap_or(0);
            refused(&state, ctx, &user, &patch.as_input(), Some(id), version, e.into()).await
        }
    }
}

async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    service::delete(&state.db, &user.principal, record_id(&id)?).await?;
    Ok(Redirect::to("/persons").into_response())
}
