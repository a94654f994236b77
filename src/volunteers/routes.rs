//! Pages of volunteers: the list (by unit, status and skill, with its
//! `.xlsx`), registration by staff, and a volunteer's page where their
//! record is changed and certificates and hours are added.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::model::{Skill, Slot, Status, Volunteer};
use super::service::{self, ListFilter, VolunteerInput};
use crate::access::Permission;
use crate::org::picker::{self, Choice};
use crate::org::{Level, Unit};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{with_lists, Form, Query};
use crate::web::list::with_query;
use crate::web::page::{render_status, shown_on_form, FormState, PageCtx};
use crate::web::routes::Pages;
use crate::web::AppState;

/// Volunteers shown on one page.
const PAGE: i64 = 100;
/// The form fields that come several times.
pub(super) const LISTS: [&str; 2] = ["skills", "availability"];

pub fn pages() -> Pages {
    Pages::default()
        .get("/volunteers", list_page)
        .post("/volunteers", register)
        .get("/volunteers/new", new_form)
        .get("/volunteers/export.xlsx", super::export::list_xlsx)
        .merge(super::detail::pages())
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// Only inside this unit's subtree (its code).
    pub unit: Option<String>,
    /// `active`, `paused` or `left`.
    pub status: Option<String>,
    /// Only volunteers with this skill.
    pub skill: Option<String>,
    /// Rows to skip (pages of 100).
    pub offset: Option<i64>,
}

/// The list's filters, checked: unknown values are refused, not ignored.
pub(super) struct Filters {
    pub unit: Option<Unit>,
    pub status: Option<Status>,
    pub skill: Option<Skill>,
}

impl Filters {
    pub fn as_filter(&self) -> ListFilter<'_> {
        ListFilter {
            unit: self.unit.as_ref(),
            status: self.status,
            skill: self.skill,
        }
    }
}

fn choice<T>(text: Option<&str>, parse: fn(&str) -> Option<T>, field: &str) -> Result<Option<T>, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => parse(t)
            .map(Some)
            .ok_or_else(|| AppError::Validation(crate::validation::field_error(field, "volunteer.error.choice"))),
    }
}

/// The unit a list is narrowed to (`?unit=CODE`), when given.
pub(crate) async fn unit_filter(
    state: &AppState,
    user: &CurrentUser,
    code: Option<&str>,
) -> Result<Option<Unit>, AppError> {
    Ok(crate::org::service::unit_filter(&state.db, &user.principal, code).await?)
}

pub(super) async fn filters(state: &AppState, user: &CurrentUser, q: &ListQuery) -> Result<Filters, AppError> {
    Ok(Filters {
        unit: unit_filter(state, user, q.unit.as_deref()).await?,
        status: choice(q.status.as_deref(), Status::parse, "status")?,
        skill: choice(q.skill.as_deref(), Skill::parse, "skill")?,
    })
}

#[derive(Template)]
#[template(path = "volunteers/templates/list.html")]
struct ListPage {
    ctx: PageCtx,
    filters: Filters,
    items: Vec<Volunteer>,
    total: i64,
    offset: i64,
    previous: Option<String>,
    next: Option<String>,
    export: String,
    can_write: bool,
}

impl ListPage {
    fn statuses(&self) -> &'static [Status] {
        Status::ALL
    }

    fn skills(&self) -> &'static [Skill] {
        Skill::ALL
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
    let filters = filters(&state, &user, &q).await?;
    let offset = q.offset.unwrap_or(0).clamp(0, i64::MAX / 2);
    let (items, total) = service::list(&state.db, &user.principal, filters.as_filter(), offset, PAGE).await?;
    let code = filters.unit.as_ref().map(|u| u.code.clone()).unwrap_or_default();
    let status = filters.status.map(Status::as_str).unwrap_or("");
    let skill = filters.skill.map(Skill::as_str).unwrap_or("");
    let params = |offset: Option<i64>| {
        let mut p = vec![
            ("unit", code.clone()),
            ("status", status.to_owned()),
            ("skill", skill.to_owned()),
        ];
        if let Some(o) = offset {
            p.push(("offset", o.to_string()));
        }
        p
    };
    let link = |path: &str, offset: Option<i64>| {
        let p = params(offset);
        let pairs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
        with_query(path, &pairs)
    };
    let offset = offset.min(total);
    let previous = (offset > 0).then(|| link("/volunteers", Some((offset - PAGE).max(0))));
    let next = (offset.saturating_add(PAGE) < total).then(|| link("/volunteers", Some(offset + PAGE)));
    let page = ListPage {
        ctx,
        export: link("/volunteers/export.xlsx", None),
        filters,
        items,
        total,
        offset,
        previous,
        next,
        can_write: !user.principal.scope(Permission::Write).is_empty(),
    };
    render_status(StatusCode::OK, &page)
}

/// Communes and branches the user may register volunteers at.
pub(super) async fn local_choices(state: &AppState, user: &CurrentUser) -> Result<Vec<Choice>, AppError> {
    let all = picker::choices(&state.db, &user.principal, Permission::Write).await?;
    Ok(all
        .into_iter()
        .filter(|c| matches!(c.level, Level::Commune | Level::Branch))
        .collect())
}

/// A volunteer form's values and ticked boxes.
pub(super) fn form_of(lang: crate::i18n::Lang, input: &VolunteerInput, units: &[Choice]) -> FormState {
    FormState::new(lang).with_values([
        ("person", input.person.clone()),
        ("unit", picker::shown(&input.unit, units)),
        ("joined_on", input.joined_on.clone()),
        ("status", input.status.clone()),
        ("away_until", input.away_until.clone()),
        ("emergency_name", input.emergency_name.clone()),
        ("emergency_phone", input.emergency_phone.clone()),
        ("note", input.note.clone()),
        ("skills", input.skills.join(",")),
        ("availability", input.availability.join(",")),
    ])
}

/// Whether `value` is among the ticked values of a list field.
pub(super) fn ticked(form: &FormState, field: &str, value: &str) -> bool {
    form.value(field).split(',').any(|v| v == value)
}

#[derive(Template)]
#[template(path = "volunteers/templates/new.html")]
struct NewPage {
    ctx: PageCtx,
    form: FormState,
    units: Vec<Choice>,
}

impl NewPage {
    fn skills(&self) -> &'static [Skill] {
        Skill::ALL
    }

    fn slots(&self) -> &'static [Slot] {
        Slot::ALL
    }

    fn ticked(&self, field: &str, value: &str) -> bool {
        ticked(&self.form, field, value)
    }
}

async fn show_new(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    input: &VolunteerInput,
    error: Option<AppError>,
) -> Result<Response, AppError> {
    let units = local_choices(state, user).await?;
    let mut form = form_of(ctx.lang, input, &units);
    let status = match error {
        Some(e) => {
            form = form.with_error(&e);
            e.status()
        }
        None => StatusCode::OK,
    };
    render_status(status, &NewPage { ctx, form, units })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    person: String,
    unit: String,
}

async fn new_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    let input = VolunteerInput {
        person: q.person,
        unit: q.unit,
        ..VolunteerInput::default()
    };
    show_new(&state, ctx, &user, &input, None).await
}

/// The volunteer form as sent, its ticked boxes gathered.
pub(super) fn read_form(pairs: Vec<(String, String)>) -> Result<VolunteerInput, AppError> {
    let (mut input, mut lists): (VolunteerInput, _) = with_lists(pairs, &LISTS)?;
    input.skills = lists.remove("skills").unwrap_or_default();
    input.availability = lists.remove("availability").unwrap_or_default();
    Ok(input)
}

async fn register(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let mut input = read_form(pairs)?;
    let units = local_choices(&state, &user).await?;
    input.unit = picker::code_of(&input.unit, &units);
    let placed = state.registry.placed_tables();
    match service::register(&state.db, placed, &user.principal, &input).await {
        Ok(v) => Ok(Redirect::to(&format!("/volunteers/{}", v.id)).into_response()),
        Err(e) => match shown_on_form(AppError::from(e)) {
            Ok(e) => show_new(&state, ctx, &user, &input, Some(e)).await,
            Err(e) => Err(e),
        },
    }
}
