//! Pages of members: the list (by unit and status, with its `.xlsx`), the
//! enrolment form, and a member's page with its history, where a change
//! of status and a transfer are made.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::model::{Event, Member, Status};
use super::service::{self, EnrolInput, StatusInput, TransferInput};
use crate::access::Permission;
use crate::org::picker::{self, Choice};
use crate::org::Unit;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Form, Path, Query};
use crate::web::list::with_query;
use crate::web::page::{render, render_status, FormState, PageCtx};
use crate::web::routes::Pages;
use crate::web::AppState;

/// Members shown on one page.
const PAGE: i64 = 100;

pub fn pages() -> Pages {
    Pages::default()
        .get("/members", list_page)
        .post("/members", enrol)
        .get("/members/new", new_form)
        .get("/members/export.xlsx", super::export::xlsx)
        .get("/members/{member}", detail)
        .post("/members/{member}/status", change_status)
        .post("/members/{member}/transfer", transfer)
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// Only inside this unit's subtree (its code).
    pub unit: Option<String>,
    /// `active`, `suspended`, `left` or `deceased`.
    pub status: Option<String>,
    /// Words of the name (without diacritics is fine), or a number: the
    /// member's card number, CCCD or phone (any spelling).
    pub q: Option<String>,
    /// `joined` or `left`: those who joined, or whose membership ended, in `year`.
    pub flow: Option<String>,
    /// The year of `flow` (default: this year).
    pub year: Option<i64>,
    /// Rows to skip (pages of 100).
    pub offset: Option<i64>,
}

#[derive(Template)]
#[template(path = "members/templates/list.html")]
struct ListPage {
    ctx: PageCtx,
    unit: Option<Unit>,
    status: Option<Status>,
    search: String,
    /// Who joined, or left, in a year.
    flow: Option<(super::model::Flow, i64)>,
    items: Vec<Member>,
    total: i64,
    offset: i64,
    previous: Option<String>,
    next: Option<String>,
    export: String,
    can_write: bool,
}

impl ListQuery {
    /// What the list is narrowed to, checked.
    pub(super) fn wanted(&self) -> Result<service::Wanted, super::MembersError> {
        service::Wanted::parse(
            self.status.as_deref(),
            self.q.as_deref(),
            self.flow.as_deref(),
            self.year,
        )
    }
}

impl ListPage {
    fn statuses(&self) -> [Status; 4] {
        Status::ALL
    }

    fn last_shown(&self) -> i64 {
        self.offset + self.items.len() as i64
    }
}

async fn list_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let unit = service::unit_filter(&state.db, &user.principal, q.unit.as_deref()).await?;
    let wanted = q.wanted()?;
    let offset = q.offset.unwrap_or(0).clamp(0, i64::MAX / 2);
    let (items, total) = service::list(&state.db, &user.principal, unit.as_ref(), &wanted, offset, PAGE).await?;
    let code = unit.as_ref().map(|u| u.code.as_str()).unwrap_or("");
    let status_text = wanted.status.map(Status::as_str).unwrap_or("");
    let (flow, year) = match wanted.flow {
        Some((flow, year)) => (flow.as_str(), year.to_string()),
        None => ("", String::new()),
    };
    let asked = [
        ("unit", code),
        ("status", status_text),
        ("q", wanted.search.as_str()),
        ("flow", flow),
        ("year", year.as_str()),
    ];
    let link = |offset: i64| {
        let mut query = asked.to_vec();
        let offset = offset.to_string();
        query.push(("offset", &offset));
        with_query("/members", &query)
    };
    let offset = offset.min(total);
    let previous = (offset > 0).then(|| link((offset - PAGE).max(0)));
    let next = (offset.saturating_add(PAGE) < total).then(|| link(offset + PAGE));
    let export = with_query("/members/export.xlsx", &asked);
    let flow = wanted.flow;
    let (status, search) = (wanted.status, wanted.search);
    let can_write = !user.principal.scope(Permission::Write).is_empty();
    Ok(render(&ListPage {
        ctx,
        unit,
        status,
        search,
        flow,
        items,
        total,
        offset,
        previous,
        next,
        export,
        can_write,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "members/templates/new.html")]
struct NewPage {
    ctx: PageCtx,
    form: FormState,
    branches: Vec<Choice>,
}

async fn branch_choices(state: &AppState, user: &CurrentUser) -> Result<Vec<Choice>, AppError> {
    let all = picker::choices(&state.db, &user.principal, Permission::Write).await?;
    Ok(all
        .into_iter()
        .filter(|c| c.level == crate::org::Level::Branch)
        .collect())
}

async fn show_new(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    input: &EnrolInput,
    error: Option<AppError>,
) -> Result<Response, AppError> {
    let branches = branch_choices(state, user).await?;
    let mut form = FormState::new(ctx.lang).with_values([
        ("person", input.person.clone()),
        ("branch", picker::shown(&input.branch, &branches)),
        ("joined_on", input.joined_on.clone()),
    ]);
    let status = match error {
        Some(e) => {
            form = form.with_error(&e);
            e.status()
        }
        None => StatusCode::OK,
    };
    render_status(status, &NewPage { ctx, form, branches })
}

async fn new_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(input): Query<EnrolInput>,
) -> Result<Response, AppError> {
    show_new(&state, ctx, &user, &input, None).await
}

async fn enrol(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(mut input): Form<EnrolInput>,
) -> Result<Response, AppError> {
    let branches = branch_choices(&state, &user).await?;
    input.branch = picker::code_of(&input.branch, &branches);
    match service::enrol(&state.db, state.registry.placed_tables(), &user.principal, &input).await {
        Ok(member) => Ok(Redirect::to(&format!("/members/{}", member.id)).into_response()),
        Err(e) => match AppError::from(e) {
            e @ (AppError::Internal(_) | AppError::NotFound | AppError::Forbidden) => Err(e),
            e => show_new(&state, ctx, &user, &input, Some(e)).await,
        },
    }
}

#[derive(Template)]
#[template(path = "members/templates/detail.html")]
struct DetailPage {
    ctx: PageCtx,
    member: Member,
    events: Vec<Event>,
    can_write: bool,
    /// The status form, with what was refused.
    status_form: FormState,
    transfer_form: FormState,
    branches: Vec<Choice>,
    /// Dues of the last years, the latest first, and the payments.
    owed: Vec<super::dues::Owed>,
    payments: Vec<super::dues::Payment>,
    dues_form: FormState,
}

impl DetailPage {
    fn statuses(&self) -> Vec<Status> {
        Status::ALL
            .into_iter()
            .filter(|s| self.member.status.may_become(*s))
            .collect()
    }
}

/// Which of the page's forms an error is about.
pub(crate) enum Refused {
    None,
    Status(AppError, StatusInput),
    Transfer(AppError, TransferInput),
    Dues(AppError, super::dues::service::PaymentInput),
}

pub(crate) async fn show_detail(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    id: i64,
    refused: Refused,
) -> Result<Response, AppError> {
    let (member, events) = service::with_history(&state.db, &user.principal, id).await?;
    let can_write = service::may_write(&user.principal, &member);
    let branches = if can_write {
        branch_choices(state, user).await?
    } else {
        Vec::new()
    };
    let (owed, payments) = super::dues::service::of_member(&state.db, &user.principal, id).await?;
    let mut status_form = FormState::new(ctx.lang);
    let mut transfer_form = FormState::new(ctx.lang);
    let owed_now = owed.first().map(|o| o.owed.dong().to_string()).unwrap_or_default();
    let mut dues_form =
        FormState::new(ctx.lang).with_values([("year", service::today().year().to_string()), ("amount", owed_now)]);
    let mut status = StatusCode::OK;
    match refused {
        Refused::None => {}
        Refused::Dues(e, input) => {
            status = e.status();
            dues_form = FormState::new(ctx.lang)
                .with_values([
                    ("year", input.year),
                    ("amount", input.amount),
                    ("paid_on", input.paid_on),
                ])
                .with_error(&e);
        }
        Refused::Status(e, input) => {
            status = e.status();
            status_form = status_form
                .with_values([("status", input.status), ("on", input.on), ("reason", input.reason)])
                .with_error(&e);
        }
        Refused::Transfer(e, input) => {
            status = e.status();
            transfer_form = transfer_form
                .with_values([
                    ("branch", picker::shown(&input.branch, &branches)),
                    ("on", input.on),
                    ("reason", input.reason),
                ])
                .with_error(&e);
        }
    }
    let page = DetailPage {
        ctx,
        member,
        events,
        can_write,
        status_form,
        transfer_form,
        branches,
        owed,
        payments,
        dues_form,
    };
    render_status(status, &page)
}

async fn detail(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    show_detail(&state, ctx, &user, record_id(&id)?, Refused::None).await
}

async fn change_status(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(input): Form<StatusInput>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    match service::change_status(&state.db, &user.principal, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/members/{id}")).into_response()),
        Err(e) => {
            let e = crate::web::page::shown_on_form(e.into())?;
            show_detail(&state, ctx, &user, id, Refused::Status(e, input)).await
        }
    }
}

async fn transfer(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(mut input): Form<TransferInput>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let branches = branch_choices(&state, &user).await?;
    input.branch = picker::code_of(&input.branch, &branches);
    match service::transfer(&state.db, state.registry.placed_tables(), &user.principal, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/members/{id}")).into_response()),
        Err(e) => {
            let e = crate::web::page::shown_on_form(e.into())?;
            show_detail(&state, ctx, &user, id, Refused::Transfer(e, input)).await
        }
    }
}
