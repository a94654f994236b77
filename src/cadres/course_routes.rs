//! Pages of training courses: the list with the form to create one, and a
//! course's page with its attendance, the form to record a result, and
//! the removal (after a confirmation) of a person recorded by mistake.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::courses::{self, AttendanceInput, CourseInput};
use super::model::{Attendance, Course, CourseLevel, Outcome};
use super::routes::{unit_of, ListQuery};
use crate::access::Permission;
use crate::i18n;
use crate::org::picker::{self, Choice};
use crate::org::Unit;
use crate::web::auth::CurrentUser;
use crate::web::confirm;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Form, Path, Query};
use crate::web::page::{render_status, shown_on_form, FormState, PageCtx};
use crate::web::routes::Pages;
use crate::web::AppState;

pub fn pages() -> Pages {
    Pages::default()
        .get("/courses", list_page)
        .post("/courses", create)
        .get("/courses/{course}", detail)
        .post("/courses/{course}/attendance", attend)
        .get("/courses/{course}/attendance/{person}/remove", unattend_confirm)
        .post("/courses/{course}/attendance/{person}/remove", unattend)
}

#[derive(Template)]
#[template(path = "cadres/templates/courses.html")]
struct ListPage {
    ctx: PageCtx,
    unit: Option<Unit>,
    items: Vec<Course>,
    units: Vec<Choice>,
    form: FormState,
}

impl ListPage {
    fn levels(&self) -> &'static [CourseLevel] {
        CourseLevel::ALL
    }
}

async fn show_list(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    unit: Option<Unit>,
    refused: Option<(AppError, CourseInput)>,
) -> Result<Response, AppError> {
    let items = courses::list(&state.db, &user.principal, unit.as_ref()).await?;
    let units = picker::choices(&state.db, &user.principal, Permission::Write).await?;
    let mut form = FormState::new(ctx.lang);
    let mut status = StatusCode::OK;
    if let Some((e, input)) = refused {
        status = e.status();
        form = form
            .with_values([
                ("title", input.title),
                ("level", input.level),
                ("starts_on", input.starts_on),
                ("ends_on", input.ends_on),
                ("organiser", input.organiser),
                ("trainers", input.trainers),
                ("unit", picker::shown(&input.unit, &units)),
            ])
            .with_error(&e);
    }
    render_status(
        status,
        &ListPage {
            ctx,
            unit,
            items,
            units,
            form,
        },
    )
}

async fn list_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let unit = unit_of(&state, &user, q.unit.as_deref()).await?;
    show_list(&state, ctx, &user, unit, None).await
}

async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(mut input): Form<CourseInput>,
) -> Result<Response, AppError> {
    let units = picker::choices(&state.db, &user.principal, Permission::Write).await?;
    input.unit = picker::code_of(&input.unit, &units);
    match courses::create(&state.db, &user.principal, &input).await {
        Ok(c) => Ok(Redirect::to(&format!("/courses/{}", c.id)).into_response()),
        Err(e) => {
            let e = shown_on_form(AppError::from(e))?;
            show_list(&state, ctx, &user, None, Some((e, input))).await
        }
    }
}

#[derive(Template)]
#[template(path = "cadres/templates/course.html")]
struct DetailPage {
    ctx: PageCtx,
    course: Course,
    attendance: Vec<Attendance>,
    can_write: bool,
    form: FormState,
}

impl DetailPage {
    fn outcomes(&self) -> &'static [Outcome] {
        Outcome::ALL
    }
}

async fn show_detail(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    id: i64,
    refused: Option<(AppError, AttendanceInput)>,
) -> Result<Response, AppError> {
    let (course, attendance) = courses::with_attendance(&state.db, &user.principal, id).await?;
    let can_write = courses::may_write(&user.principal, &course);
    let (form, status) = match refused {
        Some((e, input)) => (
            FormState::new(ctx.lang)
                .with_values([("person", input.person), ("result", input.result)])
                .with_error(&e),
            e.status(),
        ),
        None => (
            FormState::new(ctx.lang).with_values([("result", "passed".to_owned())]),
            StatusCode::OK,
        ),
    };
    render_status(
        status,
        &DetailPage {
            ctx,
            course,
            attendance,
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

async fn attend(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(input): Form<AttendanceInput>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    match courses::attend(&state.db, &user.principal, id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/courses/{id}#attendance")).into_response()),
        Err(e) => {
            let e = shown_on_form(AppError::from(e))?;
            show_detail(&state, ctx, &user, id, Some((e, input))).await
        }
    }
}

/// Asks before removing a person from a course; only someone who may
/// change the course is asked.
async fn unattend_confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path((id, person)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (id, person) = (record_id(&id)?, record_id(&person)?);
    let (course, entry) = courses::attendance(&state.db, &user.principal, id, person).await?;
    if !courses::may_write(&user.principal, &course) {
        return Err(AppError::Forbidden);
    }
    let question = i18n::t_with(
        ctx.lang,
        "course.remove_question",
        &[("name", &entry.full_name), ("title", &course.title)],
    );
    let consequences = vec![
        format!("{}: {}", ctx.t("course.result"), ctx.t(entry.result.label_key())),
        ctx.t("course.remove_warning").to_owned(),
    ];
    confirm::ask(
        ctx,
        question,
        consequences,
        format!("/courses/{id}/attendance/{person}/remove"),
        "course.remove",
        format!("/courses/{id}#attendance"),
    )
}

async fn unattend(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, person)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    courses::unattend(&state.db, &user.principal, id, record_id(&person)?).await?;
    Ok(Redirect::to(&format!("/courses/{id}#attendance")).into_response())
}
