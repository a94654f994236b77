//! The person form: create and edit, shown again with what was refused.
//! The managing unit is picked by name (`org::picker`).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::model::{PersonInput, Sex};
use super::patch::PersonPatch;
use super::routes::{back_link, DetailParams, SearchParams};
use super::service;
use crate::access::Permission;
use crate::org::picker::{self, Choice};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Form, Path, Query};
use crate::web::page::{render_status, url_encode, FormState, PageCtx};
use crate::web::AppState;

#[derive(Template)]
#[template(path = "people/templates/form.html")]
struct FormPage {
    ctx: PageCtx,
    form: FormState,
    /// `None` when creating.
    person_id: Option<i64>,
    version: i64,
    units: Vec<Choice>,
    /// `?back=…` the form carries on (edits keep the way back).
    onward: String,
}

impl FormPage {
    fn sexes(&self) -> [Sex; 2] {
        [Sex::Male, Sex::Female]
    }
}

fn form_state(ctx: &PageCtx, input: &PersonInput, units: &[Choice]) -> FormState {
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
        ("unit", picker::shown(&input.unit, units)),
    ])
}

async fn unit_choices(state: &AppState, user: &CurrentUser) -> Result<Vec<Choice>, AppError> {
    Ok(picker::choices(&state.db, &user.principal, Permission::Write).await?)
}

async fn show_form(
    ctx: PageCtx,
    input: &PersonInput,
    units: Vec<Choice>,
    person_id: Option<i64>,
    version: i64,
    error: Option<AppError>,
    onward: String,
) -> Result<Response, AppError> {
    let mut form = form_state(&ctx, input, &units);
    let status = match error {
        Some(e) => {
            form = form.with_error(&e);
            e.status()
        }
        None => StatusCode::OK,
    };
    let page = FormPage {
        ctx,
        form,
        person_id,
        version,
        units,
        onward,
    };
    render_status(status, &page)
}

pub(super) async fn new_form(
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
    let units = unit_choices(&state, &user).await?;
    show_form(ctx, &input, units, None, 0, None, String::new()).await
}

/// Passes on an error that is not about the form (not found, read-only,
/// a server fault); shows the form again for the others.
fn about_the_form(error: AppError) -> Result<AppError, AppError> {
    match error {
        AppError::Internal(_) | AppError::NotFound | AppError::Forbidden => Err(error),
        other => Ok(other),
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(mut input): Form<PersonInput>,
) -> Result<Response, AppError> {
    let units = unit_choices(&state, &user).await?;
    input.unit = picker::code_of(&input.unit, &units);
    match service::create(&state.db, &user.principal, &input).await {
        Ok(person) => Ok(Redirect::to(&format!("/persons/{}", person.id)).into_response()),
        Err(e) => {
            show_form(
                ctx,
                &input,
                units,
                None,
                0,
                Some(about_the_form(e.into())?),
                String::new(),
            )
            .await
        }
    }
}

/// `?back=…` for the edit's links: the search the user came from.
fn onward(params: &DetailParams) -> String {
    format!("?back={}", url_encode(&back_link(params.back.as_deref())))
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<DetailParams>,
) -> Result<Response, AppError> {
    let person = service::get_writable(&state.db, &user.principal, record_id(&id)?).await?;
    let units = unit_choices(&state, &user).await?;
    let onward = onward(&params);
    show_form(
        ctx,
        &person.to_input(),
        units,
        Some(person.id),
        person.version,
        None,
        onward,
    )
    .await
}

pub(super) async fn update(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<DetailParams>,
    Form(mut patch): Form<PersonPatch>,
) -> Result<Response, AppError> {
    let onward = onward(&params);
    let id = record_id(&id)?;
    let units = unit_choices(&state, &user).await?;
    if let Some(unit) = patch.unit.as_mut() {
        *unit = picker::code_of(unit, &units);
    }
    match service::update(&state.db, state.registry.placed_tables(), &user.principal, id, &patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/persons/{id}{onward}")).into_response()),
        Err(e) => {
            let error = about_the_form(e.into())?;
            let version = patch.version.unwrap_or(0);
            show_form(ctx, &patch.as_input(), units, Some(id), version, Some(error), onward).await
        }
    }
}
