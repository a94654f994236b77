//! A job's progress as JSON (what the progress bar polls) and its cancel
//! button. A job is its owner's: anyone else gets 404.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::model::{Job, JobStatus};
use crate::i18n::{self, Lang};
use crate::web::auth::CurrentUser;
use crate::web::capability::Capability;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Path};
use crate::web::openapi::{ReadErrors, WriteErrors};
use crate::web::page::safe_next;
use crate::web::routes::Pages;
use crate::web::AppState;

pub struct Jobs;

impl Capability for Jobs {
    fn name(&self) -> &'static str {
        "jobs"
    }

    fn pages(&self) -> Pages {
        Pages::default().post("/jobs/{job}/cancel", cancel_page)
    }

    fn api(&self) -> OpenApiRouter<AppState> {
        OpenApiRouter::new()
            .routes(routes!(show_job))
            .routes(routes!(cancel_job))
    }
}

/// A job's state and progress.
#[derive(Serialize, utoipa::ToSchema)]
pub struct JobView {
    pub id: i64,
    pub kind: String,
    pub status: JobStatus,
    /// The status in the caller's language.
    pub status_text: String,
    pub done: i64,
    pub total: i64,
    pub percent: i64,
    /// Seconds left at the pace so far, while running.
    pub eta_seconds: Option<i64>,
    /// Why it failed, in the caller's language.
    pub message: Option<String>,
    pub cancel_requested: bool,
}

impl JobView {
    pub fn of(job: &Job, lang: Lang) -> JobView {
        JobView {
            id: job.id,
            kind: job.kind.clone(),
            status: job.status,
            status_text: i18n::t(lang, job.status.label_key()).to_owned(),
            done: job.done,
            total: job.total,
            percent: job.percent(),
            eta_seconds: job.eta_seconds(),
            message: job.message.as_deref().map(|k| i18n::t(lang, k).to_owned()),
            cancel_requested: job.cancel_requested,
        }
    }
}

async fn own_job(state: &AppState, user: &CurrentUser, id: &str) -> Result<Job, AppError> {
    let user_id = user.principal.user_id().ok_or(AppError::NotFound)?;
    super::get_own(&state.db, user_id, record_id(id)?)
        .await?
        .ok_or(AppError::NotFound)
}

/// A job of the caller: state, rows done of the total, time left.
#[utoipa::path(get, path = "/jobs/{job}", tag = "jobs", params(("job" = i64, Path, description = "Job id")),
    responses((status = 200, description = "OK", body = JobView), ReadErrors))]
async fn show_job(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    Path(id): Path<String>,
) -> Result<Json<JobView>, AppError> {
    let job = own_job(&state, &user, &id).await?;
    Ok(Json(JobView::of(&job, lang)))
}

async fn cancel(state: &AppState, user: &CurrentUser, id: &str) -> Result<(), AppError> {
    let user_id = user.principal.user_id().ok_or(AppError::NotFound)?;
    super::cancel_own(&state.db, user_id, record_id(id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(())
}

/// Ask a job of the caller to stop; what it did so far is not kept.
#[utoipa::path(post, path = "/jobs/{job}/cancel", tag = "jobs", params(("job" = i64, Path, description = "Job id")),
    responses((status = 202, description = "Asked to stop"), WriteErrors))]
async fn cancel_job(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    cancel(&state, &user, &id).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

#[derive(serde::Deserialize)]
struct CancelForm {
    #[serde(default)]
    next: Option<String>,
}

async fn cancel_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    crate::web::extract::Form(form): crate::web::extract::Form<CancelForm>,
) -> Result<Response, AppError> {
    cancel(&state, &user, &id).await?;
    Ok(Redirect::to(&safe_next(form.next.as_deref())).into_response())
}
