//! Pages of the Youth Red Cross: pupils by school branch and class, the
//! form to enrol one, and a pupil's page where class, year or status
//! change.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::service::{self, YouthChange, YouthInput};
use super::YouthMember;
use crate::access::Permission;
use crate::org::picker::{self, Choice};
use crate::org::Unit;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Form, Path, Query};
use crate::web::page::{render_status, shown_on_form, FormState, PageCtx};
use crate::web::routes::Pages;
use crate::web::AppState;

pub fn pages() -> Pages {
    Pages::default()
        .get("/youth", list_page)
        .post("/youth", enrol)
        .get("/youth/{youth}", detail)
        .post("/youth/{youth}", update)
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// Only inside this unit's subtree (its code).
    pub unit: Option<String>,
    /// Only this school year (`2025-2026`).
    pub year: Option<String>,
}

pub(super) async fn listed(
    state: &AppState,
    user: &CurrentUser,
    q: &ListQuery,
) -> Result<(Option<Unit>, Option<String>, Vec<YouthMember>), AppError> {
    let unit = crate::org::service::unit_filter(&state.db, &user.principal, q.unit.as_deref()).await?;
    let year =
        match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
            None => None,
            Some(y) => Some(super::school_year(y).ok_or_else(|| {
                AppError::Validation(crate::validation::field_error("year", "youth.error.school_year"))
            })?),
        };
    let items = service::list(&state.db, &user.principal, unit.as_ref(), year.as_deref()).await?;
    Ok((unit, year, items))
}

#[derive(Template)]
#[template(path = "youth/templates/list.html")]
struct ListPage {
    ctx: PageCtx,
    unit: Option<Unit>,
    year: Option<String>,
    items: Vec<YouthMember>,
    schools: Vec<Choice>,
    form: FormState,
}

impl ListPage {
    fn active(&self) -> usize {
        self.items.iter().filter(|y| y.is_active()).count()
    }
}

async fn show_list(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    q: &ListQuery,
    refused: Option<(AppError, YouthInput)>,
) -> Result<Response, AppError> {
    let (unit, year, items) = listed(state, user, q).await?;
    let schools: Vec<Choice> = picker::choices(&state.db, &user.principal, Permission::Write)
        .await?
        .into_iter()
        .filter(|c| c.level == crate::org::Level::Branch)
        .collect();
    let mut form = FormState::new(ctx.lang);
    let mut status = StatusCode::OK;
    if let Some((e, input)) = refused {
        status = e.status();
        form = form
            .with_values([
                ("person", input.person),
                ("branch", picker::shown(&input.branch, &schools)),
                ("class_name", input.class_name),
                ("school_year", input.school_year),
                ("joined_on", input.joined_on),
            ])
            .with_error(&e);
    }
    let page = ListPage {
        ctx,
        unit,
        year,
        items,
        schools,
        form,
    };
    render_status(status, &page)
}

async fn list_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    show_list(&state, ctx, &user, &q, None).await
}

async fn enrol(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(mut input): Form<YouthInput>,
) -> Result<Response, AppError> {
    let units = picker::choices(&state.db, &user.principal, Permission::Write).await?;
    input.branch = picker::code_of(&input.branch, &units);
    let placed = state.registry.placed_tables();
    match service::enrol(&state.db, placed, &user.principal, &input).await {
        Ok(y) => Ok(Redirect::to(&format!("/youth/{}", y.id)).into_response()),
        Err(e) => {
            let e = shown_on_form(AppError::from(e))?;
            show_list(&state, ctx, &user, &ListQuery::default(), Some((e, input))).await
        }
    }
}

#[derive(Template)]
#[template(path = "youth/templates/detail.html")]
struct DetailPage {
    ctx: PageCtx,
    item: YouthMember,
    can_write: bool,
    form: FormState,
}

async fn show_detail(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    id: i64,
    refused: Option<(AppError, YouthChange)>,
) -> Result<Response, AppError> {
    let item = service::get(&state.db, &user.principal, id).await?;
    let can_write = user.principal.may(Permission::Write, &item.placement);
    let (form, status) = match refused {
        Some((e, input)) => (
            FormState::new(ctx.lang)
                .with_values([
                    ("class_name", input.class_name),
                    ("school_year", input.school_year),
                    ("status", input.status),
                ])
                .with_error(&e),
            e.status(),
        ),
        None => (
            FormState::new(ctx.lang).with_values([
                ("class_name", item.class_name.clone()),
                ("school_year", item.school_year.clone()),
                ("status", item.status.clone()),
            ]),
            StatusCode::OK,
        ),
    };
    render_status(
        status,
        &DetailPage {
            ctx,
            item,
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

async fn update(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(input): Form<YouthChange>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    match service::change(&state.db, &user.principal, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/youth/{id}")).into_response()),
        Err(e) => {
            let e = shown_on_form(AppError::from(e))?;
            show_detail(&state, ctx, &user, id, Some((e, input))).await
        }
    }
}
