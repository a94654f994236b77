//! Pages of teams: the list with a form to create one, a team's page with
//! its members and settings, and its call-out for a day (with `.xlsx`).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::service::{self, TeamInput};
use super::{Kind, Team, TeamMember};
use crate::access::Permission;
use crate::i18n::Lang;
use crate::org::picker::{self, Choice};
use crate::org::Unit;
use crate::volunteers::callout::{self, Callout};
use crate::volunteers::model::Volunteer;
use crate::volunteers::service::{self as volunteers, ListFilter};
use crate::web::auth::CurrentUser;
use crate::web::confirm;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Form, Path, Query};
use crate::web::page::{render_status, shown_on_form, FormState, PageCtx};
use crate::web::routes::Pages;
use crate::web::AppState;

pub fn pages() -> Pages {
    Pages::default()
        .get("/teams", list_page)
        .post("/teams", create)
        .get("/teams/{team}", detail)
        .post("/teams/{team}", update)
        .post("/teams/{team}/members", add_member)
        .get("/teams/{team}/members/{volunteer}/remove", remove_member_confirm)
        .post("/teams/{team}/members/{volunteer}/remove", remove_member)
        .get("/teams/{team}/callout", callout_page)
        .get("/teams/{team}/callout.xlsx", callout_xlsx)
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct UnitQuery {
    /// Only inside this unit's subtree (its code).
    pub unit: Option<String>,
}

pub(super) async fn unit_of(
    state: &AppState,
    user: &CurrentUser,
    code: Option<&str>,
) -> Result<Option<Unit>, AppError> {
    crate::volunteers::routes::unit_filter(state, user, code).await
}

#[derive(Template)]
#[template(path = "teams/templates/list.html")]
struct ListPage {
    ctx: PageCtx,
    unit: Option<Unit>,
    teams: Vec<Team>,
    units: Vec<Choice>,
    form: FormState,
}

impl ListPage {
    fn kinds(&self) -> &'static [Kind] {
        Kind::ALL
    }
}

async fn show_list(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    unit: Option<Unit>,
    refused: Option<(AppError, TeamInput)>,
) -> Result<Response, AppError> {
    let teams = service::list(&state.db, &user.principal, unit.as_ref()).await?;
    let units = picker::choices(&state.db, &user.principal, Permission::Write).await?;
    let mut form = FormState::new(ctx.lang);
    let mut status = StatusCode::OK;
    if let Some((e, input)) = refused {
        status = e.status();
        form = form
            .with_values([
                ("name", input.name),
                ("kind", input.kind),
                ("unit", picker::shown(&input.unit, &units)),
                ("note", input.note),
            ])
            .with_error(&e);
    }
    let page = ListPage {
        ctx,
        unit,
        teams,
        units,
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
    let unit = unit_of(&state, &user, q.unit.as_deref()).await?;
    show_list(&state, ctx, &user, unit, None).await
}

async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(mut input): Form<TeamInput>,
) -> Result<Response, AppError> {
    let units = picker::choices(&state.db, &user.principal, Permission::Write).await?;
    input.unit = picker::code_of(&input.unit, &units);
    match service::create(&state.db, &user.principal, &input).await {
        Ok(team) => Ok(Redirect::to(&format!("/teams/{}", team.id)).into_response()),
        Err(e) => {
            let e = shown_on_form(AppError::from(e))?;
            show_list(&state, ctx, &user, None, Some((e, input))).await
        }
    }
}

#[derive(Template)]
#[template(path = "teams/templates/detail.html")]
struct DetailPage {
    ctx: PageCtx,
    team: Team,
    members: Vec<TeamMember>,
    can_write: bool,
    /// Volunteers of the team's area who may join (a picker).
    candidates: Vec<Volunteer>,
    form: FormState,
    member_form: FormState,
}

impl DetailPage {
    fn kinds(&self) -> &'static [Kind] {
        Kind::ALL
    }

    fn leads(&self, m: &TeamMember) -> bool {
        self.team.leader_id == Some(m.volunteer_id)
    }
}

enum Refused {
    None,
    Team(AppError, TeamInput),
    Member(AppError, String),
}

async fn show_detail(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    id: i64,
    refused: Refused,
) -> Result<Response, AppError> {
    let (team, members) = service::with_members(&state.db, &user.principal, id).await?;
    let can_write = service::may_write(&user.principal, &team);
    let candidates = if can_write {
        let unit = crate::org::service::unit_by_code(&state.db, &team.unit_code).await?;
        let filter = ListFilter {
            unit: unit.as_ref(),
            status: Some(crate::volunteers::model::Status::Active),
            skill: None,
        };
        volunteers::list(&state.db, &user.principal, filter, 0, 500).await?.0
    } else {
        Vec::new()
    };
    let leader = team.leader_id.map(|l| l.to_string()).unwrap_or_default();
    let mut form = FormState::new(ctx.lang).with_values([
        ("name", team.name.clone()),
        ("kind", team.kind.as_str().to_owned()),
        ("status", team.status.clone()),
        ("leader", leader),
        ("note", team.note.clone()),
    ]);
    let mut member_form = FormState::new(ctx.lang);
    let mut status = StatusCode::OK;
    match refused {
        Refused::None => {}
        Refused::Team(e, input) => {
            status = e.status();
            form = FormState::new(ctx.lang)
                .with_values([
                    ("name", input.name),
                    ("kind", input.kind),
                    ("status", input.status),
                    ("leader", input.leader),
                    ("note", input.note),
                ])
                .with_error(&e);
        }
        Refused::Member(e, volunteer) => {
            status = e.status();
            member_form = member_form.with_values([("volunteer", volunteer)]).with_error(&e);
        }
    }
    let page = DetailPage {
        ctx,
        team,
        members,
        can_write,
        candidates,
        form,
        member_form,
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

async fn update(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(input): Form<TeamInput>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    match service::update(&state.db, &user.principal, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/teams/{id}")).into_response()),
        Err(e) => {
            let e = shown_on_form(AppError::from(e))?;
            show_detail(&state, ctx, &user, id, Refused::Team(e, input)).await
        }
    }
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(super) struct MemberInput {
    /// The volunteer: their id, or `Name (#id)` as the picker sends it.
    pub volunteer: String,
}

impl MemberInput {
    pub fn volunteer_id(&self) -> Option<i64> {
        let text = self.volunteer.trim();
        let id = match text.rsplit_once("(#") {
            Some((_, rest)) => rest.trim_end_matches(')'),
            None => text.trim_start_matches('#'),
        };
        id.trim().parse().ok()
    }
}

async fn add_member(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(input): Form<MemberInput>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    match service::add_member(&state.db, &user.principal, id, input.volunteer_id()).await {
        Ok(()) => Ok(Redirect::to(&format!("/teams/{id}#members")).into_response()),
        Err(e) => {
            let e = shown_on_form(AppError::from(e))?;
            show_detail(&state, ctx, &user, id, Refused::Member(e, input.volunteer)).await
        }
    }
}

/// Asks before taking a volunteer off the team (one tap on a phone must
/// not do it); only someone who may change the team is asked.
async fn remove_member_confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path((id, volunteer)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (id, volunteer) = (record_id(&id)?, record_id(&volunteer)?);
    let (team, members) = service::with_members(&state.db, &user.principal, id).await?;
    if !service::may_write(&user.principal, &team) {
        return Err(AppError::Forbidden);
    }
    let member = members
        .iter()
        .find(|m| m.volunteer_id == volunteer)
        .ok_or(AppError::NotFound)?;
    let question = crate::i18n::t_with(
        ctx.lang,
        "team.remove_question",
        &[("name", &member.full_name), ("team", &team.name)],
    );
    let mut consequences = vec![ctx.t("team.remove_warning").to_owned()];
    if team.leader_id == Some(member.volunteer_id) {
        consequences.insert(0, ctx.t("team.remove_leader").to_owned());
    }
    confirm::ask(
        ctx,
        question,
        consequences,
        format!("/teams/{id}/members/{volunteer}/remove"),
        "team.remove_confirm",
        format!("/teams/{id}#members"),
    )
}

async fn remove_member(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, volunteer)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    service::remove_member(&state.db, &user.principal, id, record_id(&volunteer)?).await?;
    Ok(Redirect::to(&format!("/teams/{id}#members")).into_response())
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct DayQuery {
    /// The day (`dd/mm/yyyy`); default today.
    pub date: String,
}

#[derive(Template)]
#[template(path = "teams/templates/callout.html")]
struct CalloutPage {
    ctx: PageCtx,
    team: Team,
    date: String,
    callout: Callout,
    export: String,
}

async fn callout_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<DayQuery>,
) -> Result<Response, AppError> {
    let (team, callout) = service::call_out(&state.db, &user.principal, record_id(&id)?, &q.date).await?;
    let date = crate::members::model::display_date(&callout.day);
    let export = crate::web::list::with_query(&format!("/teams/{}/callout.xlsx", team.id), &[("date", &date)]);
    render_status(
        StatusCode::OK,
        &CalloutPage {
            ctx,
            team,
            date,
            callout,
            export,
        },
    )
}

async fn callout_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<DayQuery>,
) -> Result<Response, AppError> {
    let (_, callout) = service::call_out(&state.db, &user.principal, record_id(&id)?, &q.date).await?;
    callout::xlsx_download(lang, callout, "huy_dong_doi_hinh.xlsx").await
}
