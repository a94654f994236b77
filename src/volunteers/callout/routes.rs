//! The call-out page by skill within an area, its `.xlsx` and its API; the
//! `.xlsx` writer is shared with teams' call-outs.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{call_out, parse_after, parse_day, Callout, Pool, PAGE};
use crate::i18n::{self, Lang};
use crate::org::Unit;
use crate::toolkit::xlsx::{self, Column, ColumnType, Value};
use crate::volunteers::model::{Skill, Slot};
use crate::volunteers::routes::unit_filter;
use crate::volunteers::VolunteersError;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::Query;
use crate::web::openapi::ReadErrors;
use crate::web::page::{render_status, PageCtx};
use crate::web::routes::Pages;
use crate::web::AppState;

pub fn pages() -> Pages {
    Pages::default()
        .get("/volunteers/callout", callout_page)
        .get("/volunteers/callout.xlsx", callout_xlsx)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(area_callout))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct CalloutQuery {
    /// The area: a unit's code (default: the user's own unit).
    pub unit: Option<String>,
    /// The skill needed.
    pub skill: Option<String>,
    /// The day (`dd/mm/yyyy`); default today.
    pub date: Option<String>,
    /// Continue after this cursor (the previous answer's `next`).
    pub after: Option<String>,
}

/// The area, skill and day asked for, checked; `None` until a skill is picked.
async fn asked(
    state: &AppState,
    user: &CurrentUser,
    q: &CalloutQuery,
) -> Result<(Option<Unit>, Option<Skill>, String), AppError> {
    let unit = match unit_filter(state, user, q.unit.as_deref()).await? {
        Some(unit) => Some(unit),
        None => user.principal.home().map(|g| g.unit.clone()),
    };
    let skill = match q.skill.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(Skill::parse(s).ok_or_else(|| VolunteersError::field("skill", "volunteer.error.choice"))?),
    };
    let day = parse_day(q.date.as_deref().unwrap_or_default())?;
    Ok((unit, skill, day))
}

/// One page of an area's call-out, after the cursor `after` (as passed).
async fn run(
    state: &AppState,
    user: &CurrentUser,
    (unit, skill, day): (&Unit, Skill, &str),
    after: Option<&str>,
    limit: i64,
) -> Result<Callout, AppError> {
    let after = match after.map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(text) => Some(parse_after(text).ok_or_else(|| VolunteersError::field("after", "volunteer.error.choice"))?),
    };
    let pool = Pool::Area {
        unit,
        skill,
        after,
        limit,
    };
    Ok(call_out(&state.db, &user.principal, &pool, day).await?)
}

/// The pages of an area's call-out, for the `.xlsx`: as many rows as a
/// sheet holds.
async fn run_all(state: &AppState, user: &CurrentUser, asked: (&Unit, Skill, &str)) -> Result<Callout, AppError> {
    let mut all = run(state, user, asked, None, super::LIMIT).await?;
    while all.available.len() < xlsx::MAX_ROWS as usize {
        let Some(next) = all.next.take() else { break };
        let page = run(state, user, asked, Some(&next), super::LIMIT).await?;
        all.available.extend(page.available);
        all.phones_shown |= page.phones_shown;
        all.next = page.next;
    }
    Ok(all)
}

#[derive(Template)]
#[template(path = "volunteers/templates/callout.html")]
struct CalloutPage {
    ctx: PageCtx,
    unit: Option<Unit>,
    skill: Option<Skill>,
    date: String,
    callout: Option<Callout>,
    export: String,
    /// The next page's address, when there is one.
    more: Option<String>,
    /// The first page's address, on the pages after it.
    first: Option<String>,
}

impl CalloutPage {
    fn skills(&self) -> &'static [Skill] {
        Skill::ALL
    }
}

async fn callout_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(q): Query<CalloutQuery>,
) -> Result<Response, AppError> {
    let (unit, skill, day) = asked(&state, &user, &q).await?;
    let callout = match (&unit, skill) {
        (Some(unit), Some(skill)) => Some(run(&state, &user, (unit, skill, &day), q.after.as_deref(), PAGE).await?),
        _ => None,
    };
    let code = unit.as_ref().map(|u| u.code.as_str()).unwrap_or("");
    let date = crate::members::model::display_date(&day);
    let asked = [
        ("unit", code),
        ("skill", skill.map(Skill::as_str).unwrap_or("")),
        ("date", date.as_str()),
    ];
    let export = crate::web::list::with_query("/volunteers/callout.xlsx", &asked);
    let more = callout.as_ref().and_then(|c| c.next.as_deref()).map(|next| {
        let mut query = asked.to_vec();
        query.push(("after", next));
        crate::web::list::with_query("/volunteers/callout", &query)
    });
    let paging_on = q.after.as_deref().is_some_and(|a| !a.trim().is_empty());
    let first = (callout.is_some() && paging_on).then(|| crate::web::list::with_query("/volunteers/callout", &asked));
    let page = CalloutPage {
        ctx,
        unit,
        skill,
        date,
        callout,
        export,
        more,
        first,
    };
    render_status(StatusCode::OK, &page)
}

async fn callout_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(q): Query<CalloutQuery>,
) -> Result<Response, AppError> {
    let (unit, skill, day) = asked(&state, &user, &q).await?;
    let (Some(unit), Some(skill)) = (unit, skill) else {
        return Err(VolunteersError::field("skill", "volunteer.error.required").into());
    };
    let callout = run_all(&state, &user, (&unit, skill, &day)).await?;
    xlsx_download(lang, callout, "huy_dong.xlsx").await
}

/// A call-out as `.xlsx`: who can come, then who cannot and why.
pub async fn xlsx_download(lang: Lang, callout: Callout, file_name: &str) -> Result<Response, AppError> {
    let column = |key: &str, kind: ColumnType, width: f64| Column::new(i18n::t(lang, key), kind, width);
    let columns = vec![
        column("person.full_name", ColumnType::Text, 28.0),
        column("person.phone", ColumnType::Text, 14.0),
        column("volunteer.unit", ColumnType::Text, 28.0),
        column("volunteer.availability", ColumnType::Text, 26.0),
        column("callout.can_come", ColumnType::Text, 30.0),
    ];
    let day = callout.day.clone();
    let rows: Vec<Vec<Value>> = callout
        .available
        .iter()
        .chain(&callout.unavailable)
        .map(|r| {
            let slots: Vec<&str> = r
                .availability
                .iter()
                .map(|s| i18n::t(lang, Slot::label_key(*s)))
                .collect();
            vec![
                Value::from(r.full_name.clone()),
                Value::from(r.phone.clone()),
                Value::from(r.unit_name.clone()),
                Value::from(slots.join(", ")),
                Value::from(i18n::t(lang, r.unavailable(&day).unwrap_or("callout.reason.can_come")).to_owned()),
            ]
        })
        .collect();
    xlsx::download(file_name, move |path| {
        xlsx::write(path, i18n::t(lang, "callout.sheet"), &columns, rows.into_iter())
    })
    .await
}

/// Volunteers who can be called on a day in an area (the caller's own
/// unit by default) with a skill, by name, 200 at a time (`next` continues);
/// phone numbers for staff only.
#[utoipa::path(get, path = "/volunteers/callout", tag = "volunteers", params(CalloutQuery),
    responses((status = 200, description = "OK", body = Callout), ReadErrors))]
async fn area_callout(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<CalloutQuery>,
) -> Result<Json<Callout>, AppError> {
    let (unit, skill, day) = asked(&state, &user, &q).await?;
    let (Some(unit), Some(skill)) = (unit, skill) else {
        return Err(VolunteersError::field("skill", "volunteer.error.required").into());
    };
    Ok(Json(
        run(&state, &user, (&unit, skill, &day), q.after.as_deref(), PAGE).await?,
    ))
}
