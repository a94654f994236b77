//! Staff pages that watch over volunteers in an area: the queue of public
//! sign-ups to approve or decline, and certificates expiring ahead.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::routes::{local_choices, unit_filter};
use super::signups::{self, ApproveInput, Signup, SignupStatus};
use super::storage::Expiring;
use crate::org::picker::{self, Choice};
use crate::org::Unit;
use crate::people::likely::Likeness;
use crate::people::model::Person;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Form, Path, Query};
use crate::web::page::{render_status, shown_on_form, FormState, PageCtx};
use crate::web::routes::Pages;
use crate::web::AppState;

pub fn pages() -> Pages {
    Pages::default()
        .get("/volunteers/signups", signups_page)
        .post("/volunteers/signups/{signup}/approve", approve)
        .post("/volunteers/signups/{signup}/decline", decline)
        .get("/volunteers/certificates", expiring_page)
        .get("/volunteers/certificates.xlsx", super::export::expiring_xlsx)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct QueueQuery {
    unit: Option<String>,
    /// `pending` (the default), `approved` or `declined`.
    status: Option<String>,
    /// The next page: sign-ups after this one.
    after: Option<String>,
}

impl QueueQuery {
    /// The waiting queue from sign-up `id` on: a refusal is shown on the
    /// sign-up it is about, wherever it was in the queue.
    fn starting_at(id: i64) -> QueueQuery {
        QueueQuery {
            after: Some((id - 1).to_string()),
            ..QueueQuery::default()
        }
    }
}

#[derive(Template)]
#[template(path = "volunteers/templates/signups.html")]
struct SignupsPage {
    ctx: PageCtx,
    unit: Option<Unit>,
    status: SignupStatus,
    items: Vec<Signup>,
    units: Vec<Choice>,
    /// The sign-up a refusal is about, with the refusal.
    refused: Option<(i64, FormState)>,
    /// Sign-ups the user may approve or decline (write at their commune).
    decidable: Vec<i64>,
    /// Registered persons who may be the one who signed up, by sign-up.
    likely: HashMap<i64, Vec<(Person, Likeness)>>,
    /// The next page's address, when there is one.
    more: Option<String>,
}

impl SignupsPage {
    /// The forms of sign-up `id`: with the refusal when it is about it.
    fn form_of(&self, id: &i64) -> FormState {
        match &self.refused {
            Some((r, form)) if r == id => form.clone(),
            _ => FormState::new(self.ctx.lang),
        }
    }

    /// Units of the sign-up's commune the user may register at.
    fn units_of(&self, s: &Signup) -> Vec<&Choice> {
        self.units
            .iter()
            .filter(|c| c.placement.commune_id == s.placement.commune_id)
            .collect()
    }

    fn pending(&self) -> bool {
        self.status == SignupStatus::Pending
    }

    fn may_decide(&self, s: &Signup) -> bool {
        self.pending() && self.decidable.contains(&s.id)
    }

    fn likely_of(&self, id: &i64) -> &[(Person, Likeness)] {
        self.likely.get(id).map(Vec::as_slice).unwrap_or_default()
    }
}

async fn show_signups(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    q: QueueQuery,
    refused: Option<(i64, FormState, StatusCode)>,
) -> Result<Response, AppError> {
    let unit = unit_filter(state, user, q.unit.as_deref()).await?;
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => SignupStatus::Pending,
        Some(s) => SignupStatus::parse(s)
            .ok_or_else(|| AppError::Validation(crate::validation::field_error("status", "volunteer.error.choice")))?,
    };
    let after = match q.after.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(a) => Some(
            a.parse::<i64>()
                .map_err(|_| AppError::bad_request("error.bad_cursor"))?,
        ),
    };
    let queue = signups::queue(&state.db, &user.principal, unit.as_ref(), status, after).await?;
    // Unit codes are digits and statuses words: nothing to escape.
    let more = queue.next.map(|next| {
        let unit = unit.as_ref().map(|u| format!("&unit={}", u.code)).unwrap_or_default();
        format!("/volunteers/signups?status={}&after={next}{unit}", status.as_str())
    });
    let items = queue.items;
    let units = local_choices(state, user).await?;
    let (refused, code) = match refused {
        Some((id, form, code)) => (Some((id, form)), code),
        None => (None, StatusCode::OK),
    };
    let decidable: Vec<i64> = items
        .iter()
        .filter(|s| user.principal.may(crate::access::Permission::Write, &s.placement))
        .map(|s| s.id)
        .collect();
    let mut likely = HashMap::new();
    if status == SignupStatus::Pending {
        // Every one shown: a page holds `signups::PAGE`.
        for s in items.iter().filter(|s| decidable.contains(&s.id)) {
            likely.insert(s.id, signups::likely_persons(&state.db, &user.principal, s).await?);
        }
    }
    let page = SignupsPage {
        ctx,
        unit,
        status,
        items,
        units,
        refused,
        decidable,
        likely,
        more,
    };
    render_status(code, &page)
}

async fn signups_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(q): Query<QueueQuery>,
) -> Result<Response, AppError> {
    show_signups(&state, ctx, &user, q, None).await
}

async fn approve(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(mut input): Form<ApproveInput>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let units = local_choices(&state, &user).await?;
    input.unit = picker::code_of(&input.unit, &units);
    let placed = state.registry.placed_tables();
    match signups::approve(&state.db, placed, &user.principal, id, &input).await {
        Ok(volunteer) => Ok(Redirect::to(&format!("/volunteers/{volunteer}")).into_response()),
        Err(e) => {
            let e = shown_on_form(AppError::from(e))?;
            let code = e.status();
            let form = FormState::new(ctx.lang)
                .with_values([("unit", picker::shown(&input.unit, &units)), ("person", input.person)])
                .with_error(&e);
            show_signups(&state, ctx, &user, QueueQuery::starting_at(id), Some((id, form, code))).await
        }
    }
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(super) struct DeclineInput {
    pub reason: String,
}

async fn decline(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(input): Form<DeclineInput>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    match signups::decline(&state.db, &user.principal, id, &input.reason).await {
        Ok(()) => Ok(Redirect::to("/volunteers/signups").into_response()),
        Err(e) => {
            let e = shown_on_form(AppError::from(e))?;
            let code = e.status();
            let form = FormState::new(ctx.lang)
                .with_values([("reason", input.reason)])
                .with_error(&e);
            show_signups(&state, ctx, &user, QueueQuery::starting_at(id), Some((id, form, code))).await
        }
    }
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct ExpiringQuery {
    /// Only inside this unit's subtree (its code).
    pub unit: Option<String>,
    /// Days ahead (default 60).
    pub days: Option<i64>,
}

#[derive(Template)]
#[template(path = "volunteers/templates/expiring.html")]
struct ExpiringPage {
    ctx: PageCtx,
    unit: Option<Unit>,
    days: i64,
    items: Vec<Expiring>,
    today: String,
    export: String,
}

pub(super) async fn expiring_of(
    state: &AppState,
    user: &CurrentUser,
    q: &ExpiringQuery,
) -> Result<(Option<Unit>, i64, Vec<Expiring>), AppError> {
    let unit = unit_filter(state, user, q.unit.as_deref()).await?;
    let days = q.days.unwrap_or(60).clamp(1, 3660);
    let items = super::activity::expiring(&state.db, &user.principal, unit.as_ref(), days).await?;
    Ok((unit, days, items))
}

async fn expiring_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(q): Query<ExpiringQuery>,
) -> Result<Response, AppError> {
    let (unit, days, items) = expiring_of(&state, &user, &q).await?;
    let code = unit.as_ref().map(|u| u.code.as_str()).unwrap_or("");
    let export = crate::web::list::with_query(
        "/volunteers/certificates.xlsx",
        &[("unit", code), ("days", &days.to_string())],
    );
    let page = ExpiringPage {
        ctx,
        unit,
        days,
        items,
        today: crate::members::model::iso(super::service::today()),
        export,
    };
    render_status(StatusCode::OK, &page)
}
