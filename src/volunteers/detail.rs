//! A volunteer's page: their record, certificates and hours, where the
//! record is changed and certificates and hours are added (or removed,
//! after a confirmation, when entered by mistake).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::activity::{self, CertificateInput, HoursInput};
use super::model::{Certificate, Hours, Skill, Slot, Status, Volunteer};
use super::routes::{form_of, read_form, ticked};
use super::service::{self, VolunteerInput};
use crate::i18n;
use crate::web::auth::CurrentUser;
use crate::web::confirm;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Form, Path};
use crate::web::page::{render_status, shown_on_form, FormState, PageCtx};
use crate::web::routes::Pages;
use crate::web::AppState;

pub fn pages() -> Pages {
    Pages::default()
        .get("/volunteers/{volunteer}", detail)
        .post("/volunteers/{volunteer}", update)
        .post("/volunteers/{volunteer}/certificates", add_certificate)
        .post("/volunteers/{volunteer}/hours", add_hours)
        .get(
            "/volunteers/{volunteer}/certificates/{certificate}/remove",
            remove_certificate_confirm,
        )
        .post(
            "/volunteers/{volunteer}/certificates/{certificate}/remove",
            remove_certificate,
        )
        .get("/volunteers/{volunteer}/hours/{hours}/remove", remove_hours_confirm)
        .post("/volunteers/{volunteer}/hours/{hours}/remove", remove_hours)
}

#[derive(Template)]
#[template(path = "volunteers/templates/detail.html")]
struct DetailPage {
    ctx: PageCtx,
    volunteer: Volunteer,
    certificates: Vec<Certificate>,
    hours: Vec<Hours>,
    can_write: bool,
    today: String,
    form: FormState,
    certificate_form: FormState,
    hours_form: FormState,
}

impl DetailPage {
    fn skills(&self) -> &'static [Skill] {
        Skill::ALL
    }

    fn slots(&self) -> &'static [Slot] {
        Slot::ALL
    }

    fn statuses(&self) -> &'static [Status] {
        Status::ALL
    }

    fn ticked(&self, field: &str, value: &str) -> bool {
        ticked(&self.form, field, value)
    }
}

/// Which of the page's forms an error is about.
enum Refused {
    None,
    Record(AppError, VolunteerInput),
    Certificate(AppError, CertificateInput),
    Hours(AppError, HoursInput),
}

async fn show_detail(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    id: i64,
    refused: Refused,
) -> Result<Response, AppError> {
    let (volunteer, certificates, hours) = service::with_details(&state.db, &user.principal, id).await?;
    let can_write = service::may_write(&user.principal, &volunteer);
    let current = VolunteerInput {
        status: volunteer.status.as_str().to_owned(),
        skills: volunteer.skills.iter().map(|s| s.as_str().to_owned()).collect(),
        availability: volunteer.availability.iter().map(|s| s.as_str().to_owned()).collect(),
        away_until: volunteer.away_display(),
        emergency_name: volunteer.emergency_name.clone(),
        emergency_phone: volunteer.emergency_phone.clone(),
        note: volunteer.note.clone(),
        version: volunteer.version,
        ..VolunteerInput::default()
    };
    let mut form = form_of(ctx.lang, &current, &[]);
    let mut certificate_form = FormState::new(ctx.lang);
    let mut hours_form = FormState::new(ctx.lang);
    let mut status = StatusCode::OK;
    match refused {
        Refused::None => {}
        Refused::Record(e, input) => {
            status = e.status();
            form = form_of(ctx.lang, &input, &[]).with_error(&e);
        }
        Refused::Certificate(e, c) => {
            status = e.status();
            certificate_form = certificate_form
                .with_values([
                    ("skill", c.skill),
                    ("title", c.title),
                    ("issuer", c.issuer),
                    ("issued_on", c.issued_on),
                    ("expires_on", c.expires_on),
                ])
                .with_error(&e);
        }
        Refused::Hours(e, h) => {
            status = e.status();
            hours_form = hours_form
                .with_values([
                    ("on_date", h.on_date),
                    ("place", h.place),
                    ("activity", h.activity),
                    ("hours", h.hours),
                ])
                .with_error(&e);
        }
    }
    let page = DetailPage {
        ctx,
        volunteer,
        certificates,
        hours,
        can_write,
        today: crate::members::model::iso(service::today()),
        form,
        certificate_form,
        hours_form,
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
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let input = read_form(pairs)?;
    match service::update(&state.db, &user.principal, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/volunteers/{id}")).into_response()),
        Err(e) => {
            let e = shown_on_form(AppError::from(e))?;
            show_detail(&state, ctx, &user, id, Refused::Record(e, input)).await
        }
    }
}

async fn add_certificate(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(input): Form<CertificateInput>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    match activity::add_certificate(&state.db, &user.principal, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/volunteers/{id}#certificates")).into_response()),
        Err(e) => {
            let e = shown_on_form(AppError::from(e))?;
            show_detail(&state, ctx, &user, id, Refused::Certificate(e, input)).await
        }
    }
}

async fn add_hours(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(input): Form<HoursInput>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    match activity::add_hours(&state.db, &user.principal, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/volunteers/{id}#hours")).into_response()),
        Err(e) => {
            let e = shown_on_form(AppError::from(e))?;
            show_detail(&state, ctx, &user, id, Refused::Hours(e, input)).await
        }
    }
}

/// Asks before removing; only someone who may change the volunteer is asked.
async fn remove_certificate_confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path((id, certificate)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (id, certificate) = (record_id(&id)?, record_id(&certificate)?);
    let (volunteer, c) = activity::certificate_of(&state.db, &user.principal, id, certificate).await?;
    service::held_by(&state.db, &user.principal, &volunteer).await?;
    let question = i18n::t_with(
        ctx.lang,
        "certificate.remove_question",
        &[("title", &c.title), ("name", &volunteer.full_name)],
    );
    let facts = format!(
        "{} · {} {}",
        ctx.t(c.skill.label_key()),
        ctx.t("certificate.issued_on"),
        c.issued_display()
    );
    let consequences = vec![facts, ctx.t("certificate.remove_warning").to_owned()];
    confirm::ask(
        ctx,
        question,
        consequences,
        format!("/volunteers/{id}/certificates/{certificate}/remove"),
        "certificate.remove",
        format!("/volunteers/{id}#certificates"),
    )
}

async fn remove_certificate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, certificate)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    activity::remove_certificate(&state.db, &user.principal, id, record_id(&certificate)?).await?;
    Ok(Redirect::to(&format!("/volunteers/{id}#certificates")).into_response())
}

async fn remove_hours_confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path((id, hours)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (id, hours) = (record_id(&id)?, record_id(&hours)?);
    let (volunteer, h) = activity::hours_of(&state.db, &user.principal, id, hours).await?;
    service::held_by(&state.db, &user.principal, &volunteer).await?;
    let question = i18n::t_with(
        ctx.lang,
        "hours.remove_question",
        &[
            ("hours", &h.hours_display()),
            ("date", &h.on_display()),
            ("name", &volunteer.full_name),
        ],
    );
    let activity = format!("{}: {}", ctx.t("hours.activity"), h.activity);
    let consequences = vec![activity, ctx.t("hours.remove_warning").to_owned()];
    confirm::ask(
        ctx,
        question,
        consequences,
        format!("/volunteers/{id}/hours/{hours}/remove"),
        "hours.remove",
        format!("/volunteers/{id}#hours"),
    )
}

async fn remove_hours(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, hours)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    activity::remove_hours(&state.db, &user.principal, id, record_id(&hours)?).await?;
    Ok(Redirect::to(&format!("/volunteers/{id}#hours")).into_response())
}
