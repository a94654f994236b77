//! Pages of collective members: the list with its totals and the form to
//! enrol an organisation, and one membership's page with its change form.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{change, enrol, get, list, Collective, CollectiveChange, CollectiveInput};
use crate::access::Permission;
use crate::org::picker::{self, Choice};
use crate::org::Unit;
use crate::organisations::Organisation;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Form, Path, Query};
use crate::web::page::{render_status, shown_on_form, FormState, PageCtx};
use crate::web::routes::Pages;
use crate::web::AppState;

pub fn pages() -> Pages {
    Pages::default()
        .get("/members/collective", list_page)
        .post("/members/collective", create)
        .get("/members/collective/{collective}", detail)
        .post("/members/collective/{collective}", update)
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct UnitQuery {
    /// Only inside this unit's subtree (its code).
    pub unit: Option<String>,
}

#[derive(Template)]
#[template(path = "members/templates/collective.html")]
struct ListPage {
    ctx: PageCtx,
    unit: Option<Unit>,
    items: Vec<Collective>,
    branches: Vec<Choice>,
    organisations: Vec<Organisation>,
    form: FormState,
}

impl ListPage {
    fn active(&self) -> usize {
        self.items.iter().filter(|c| c.is_active()).count()
    }

    fn head_count(&self) -> String {
        let sum: i64 = self.items.iter().filter(|c| c.is_active()).map(|c| c.head_count).sum();
        crate::web::page::number(sum)
    }
}

async fn show_list(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    unit: Option<Unit>,
    refused: Option<(AppError, CollectiveInput)>,
) -> Result<Response, AppError> {
    let items = list(&state.db, &user.principal, unit.as_ref()).await?;
    let branches: Vec<Choice> = picker::choices(&state.db, &user.principal, Permission::Write)
        .await?
        .into_iter()
        .filter(|c| c.level == crate::org::Level::Branch)
        .collect();
    let organisations = if branches.is_empty() {
        Vec::new()
    } else {
        crate::organisations::service::search(&state.db, &user.principal, None, "", 500).await?
    };
    let mut form = FormState::new(ctx.lang);
    let mut status = StatusCode::OK;
    if let Some((e, input)) = refused {
        status = e.status();
        form = form
            .with_values([
                ("organisation", input.organisation),
                ("branch", picker::shown(&input.branch, &branches)),
                ("joined_on", input.joined_on),
                ("head_count", input.head_count),
            ])
            .with_error(&e);
    }
    let page = ListPage {
        ctx,
        unit,
        items,
        branches,
        organisations,
        form,
    };
    render_status(status, &page)
}

async fn list_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(q): Query<UnitQuery>,
) -> Result<Response, AppError> {
    let unit = crate::org::service::unit_filter(&state.db, &user.principal, q.unit.as_deref()).await?;
    show_list(&state, ctx, &user, unit, None).await
}

/// The organisation as the picker sends it: `Name (#id)` or an id.
fn organisation_id(text: &str) -> String {
    match text.trim().rsplit_once("(#") {
        Some((_, rest)) => rest.trim_end_matches(')').trim().to_owned(),
        None => text.trim().to_owned(),
    }
}

async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(input): Form<CollectiveInput>,
) -> Result<Response, AppError> {
    let branches = picker::choices(&state.db, &user.principal, Permission::Write).await?;
    let typed = CollectiveInput {
        organisation: organisation_id(&input.organisation),
        branch: picker::code_of(&input.branch, &branches),
        ..input.clone()
    };
    match enrol(&state.db, &user.principal, &typed).await {
        Ok(c) => Ok(Redirect::to(&format!("/members/collective/{}", c.id)).into_response()),
        Err(e) => {
            let e = shown_on_form(AppError::from(e))?;
            show_list(&state, ctx, &user, None, Some((e, input))).await
        }
    }
}

#[derive(Template)]
#[template(path = "members/templates/collective_detail.html")]
struct DetailPage {
    ctx: PageCtx,
    item: Collective,
    can_write: bool,
    form: FormState,
}

async fn show_detail(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    id: i64,
    refused: Option<(AppError, CollectiveChange)>,
) -> Result<Response, AppError> {
    let item = get(&state.db, &user.principal, id).await?;
    let can_write = user.principal.may(Permission::Write, &item.placement);
    let (form, status) = match refused {
        Some((e, input)) => (
            FormState::new(ctx.lang)
                .with_values([
                    ("head_count", input.head_count),
                    ("status", input.status),
                    ("on", input.on),
                    ("reason", input.reason),
                ])
                .with_error(&e),
            e.status(),
        ),
        None => (
            FormState::new(ctx.lang).with_values([
                ("head_count", item.head_count.to_string()),
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
    Form(input): Form<CollectiveChange>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    match change(&state.db, &user.principal, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/members/collective/{id}")).into_response()),
        Err(e) => {
            let e = shown_on_form(AppError::from(e))?;
            show_detail(&state, ctx, &user, id, Some((e, input))).await
        }
    }
}
