//! `/api/v1/imports`: upload, preview, mapping, commit and discard as
//! JSON, through the same service calls as the pages.

use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::model::{Import, ImportStatus, Issue};
use super::service::{self, Upload};
use super::{ImportError, MAX_FILE_BYTES};
use crate::i18n::{self, Lang};
use crate::toolkit::jobs::{self, api::JobView};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Json as JsonBody, Path};
use crate::web::openapi::{ReadErrors, WriteErrors};
use crate::web::AppState;

/// Errors and duplicates shown at most in one answer.
pub const SHOWN_ISSUES: i64 = 500;

pub fn router() -> OpenApiRouter<AppState> {
    // Uploads may be larger than other requests.
    let upload = OpenApiRouter::new()
        .routes(routes!(upload_import))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_FILE_BYTES + 64 * 1024));
    OpenApiRouter::new()
        .merge(upload)
        .routes(routes!(list_imports))
        .routes(routes!(show_import, discard_import))
        .routes(routes!(map_import))
        .routes(routes!(commit_import))
}

/// Reads the multipart fields `kind`, `unit`, `target` (for kinds that
/// ask for one) and `file`.
pub async fn read_upload(
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Upload, ImportError> {
    let mut multipart = multipart.map_err(|_| ImportError::NoFile)?;
    let mut upload = Upload {
        kind: String::new(),
        unit: String::new(),
        target: String::new(),
        file_name: String::new(),
        bytes: Vec::new(),
    };
    let too_large = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ImportError::TooLarge
        } else {
            ImportError::NoFile
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        match field.name().unwrap_or_default() {
            "kind" => upload.kind = field.text().await.map_err(too_large)?,
            "unit" => upload.unit = field.text().await.map_err(too_large)?,
            "target" => upload.target = field.text().await.map_err(too_large)?,
            "file" => {
                upload.file_name = field.file_name().unwrap_or("tep").to_owned();
                upload.bytes = field.bytes().await.map_err(too_large)?.to_vec();
            }
            _ => {}
        }
        if upload.bytes.len() > MAX_FILE_BYTES {
            return Err(ImportError::TooLarge);
        }
    }
    Ok(upload)
}

/// One column of the sheet and what it fills.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ColumnView {
    pub index: usize,
    pub header: String,
    /// What it fills (`full_name`, `sex@Nữ`, `birth_date+sex@Nam`: see
    /// the mapping input); absent when ignored.
    pub key: Option<String>,
}

/// An import and its preview.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ImportView {
    pub id: i64,
    pub kind: String,
    pub unit: String,
    pub file_name: String,
    pub file_hash: String,
    pub status: ImportStatus,
    /// Sheet row of the headers, as Excel numbers rows.
    pub header_row: i64,
    pub columns: Vec<ColumnView>,
    pub row_count: i64,
    pub error_count: i64,
    pub duplicate_count: i64,
    pub created_count: i64,
    /// The job checking or committing it.
    pub job: Option<JobView>,
    pub message: Option<String>,
    /// The first errors (row, column key, message key), by row.
    pub errors: Vec<Issue>,
    /// The first likely duplicates; their rows are skipped at commit.
    pub duplicates: Vec<Issue>,
}

pub async fn view(state: &AppState, lang: Lang, mut import: Import, unit_code: String) -> Result<ImportView, AppError> {
    let job = match import.job_id {
        Some(id) => jobs::get(&state.db, id).await?.map(|j| JobView::of(&j, lang)),
        None => None,
    };
    // A job ends after its work is written: an import read just before its
    // job ended still says "checking", and its page would wait for a job
    // that is over. Read it again.
    let working = matches!(import.status, ImportStatus::Checking | ImportStatus::Committing);
    if working && job.as_ref().is_some_and(|j| j.status.is_over()) {
        if let Some(fresh) = super::storage::get(&state.db, import.id).await? {
            import = fresh;
        }
    }
    let errors = service::issues(&state.db, import.id, false, SHOWN_ISSUES).await?;
    let duplicates = service::issues(&state.db, import.id, true, SHOWN_ISSUES).await?;
    Ok(ImportView {
        columns: import
            .headers
            .iter()
            .enumerate()
            .map(|(index, header)| ColumnView {
                index,
                header: header.clone(),
                key: import.mapping.get(index).cloned().flatten(),
            })
            .collect(),
        id: import.id,
        kind: import.kind,
        unit: unit_code,
        file_name: import.file_name,
        file_hash: import.file_hash,
        status: import.status,
        header_row: import.header_row + 1,
        row_count: import.row_count,
        error_count: import.error_count,
        duplicate_count: import.duplicate_count,
        created_count: import.created_count,
        job,
        message: import
            .message
            .as_deref()
            .map(|k| i18n::t(lang, k).replace("{days}", &service::KEPT_DAYS.to_string())),
        errors,
        duplicates,
    })
}

async fn shown(state: &AppState, user: &CurrentUser, lang: Lang, id: i64) -> Result<ImportView, AppError> {
    let (import, unit) = service::get(state, &user.principal, id).await?;
    view(state, lang, import, unit.code).await
}

/// One of the user's imports, as listed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    pub id: i64,
    pub kind: String,
    pub unit: String,
    pub file_name: String,
    pub status: ImportStatus,
    pub row_count: i64,
    pub error_count: i64,
    pub duplicate_count: i64,
    pub created_count: i64,
    /// When it was uploaded (UTC, RFC 3339).
    pub created_at: String,
    /// When an import still waiting for its commit is discarded, with its rows.
    pub expires_at: Option<String>,
}

/// The user's latest imports (200 at most), newest first, into units
/// they may still write in.
#[utoipa::path(get, path = "/imports", tag = "imports",
    responses((status = 200, description = "OK", body = [ImportSummary]), ReadErrors))]
async fn list_imports(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Vec<ImportSummary>>, AppError> {
    let mine = service::mine(&state, &user.principal).await?;
    Ok(Json(
        mine.into_iter()
            .map(|(import, unit)| ImportSummary {
                expires_at: service::expires_at(&import),
                id: import.id,
                kind: import.kind,
                unit: unit.code,
                file_name: import.file_name,
                status: import.status,
                row_count: import.row_count,
                error_count: import.error_count,
                duplicate_count: import.duplicate_count,
                created_count: import.created_count,
                created_at: import.created_at,
            })
            .collect(),
    ))
}

/// Upload a spreadsheet (`.xlsx`, `.xls`, `.ods`, `.csv`; multipart fields
/// `kind`, `unit`, `file`): its rows are checked by a job; nothing is
/// written until the import is committed.
#[utoipa::path(post, path = "/imports", tag = "imports",
    request_body(content_type = "multipart/form-data", description = "kind, unit (code), file"),
    responses((status = 201, description = "Created; checking", body = ImportView), WriteErrors,
        (status = 413, description = "File too large")))]
async fn upload_import(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let upload = read_upload(multipart).await?;
    let import = service::upload(&state, &user.principal, upload).await?;
    let location = format!("/api/v1/imports/{}", import.id);
    let body = shown(&state, &user, lang, import.id).await?;
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response())
}

/// An import: status, the job's progress, columns, errors and duplicates.
#[utoipa::path(get, path = "/imports/{import}", tag = "imports", params(("import" = i64, Path, description = "Import id")),
    responses((status = 200, description = "OK", body = ImportView), ReadErrors))]
async fn show_import(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    Path(id): Path<String>,
) -> Result<Json<ImportView>, AppError> {
    Ok(Json(shown(&state, &user, lang, record_id(&id)?).await?))
}

/// What each sheet column fills: one entry per column, `null` to ignore.
/// An entry is a column key (`full_name`); `key@value` for a column whose
/// filled cells mean that value (`sex@Nữ`: a tick under "Nữ"); or
/// `key+mark@value` for a column filling `key` whose filled cells also
/// mean the value (`birth_date+sex@Nam`: a birth year written under "Nam").
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MappingInput {
    #[serde(default)]
    pub mapping: Vec<Option<String>>,
}

/// Map columns by hand (remembered for the unit); the rows are checked again.
#[utoipa::path(put, path = "/imports/{import}/mapping", tag = "imports", params(("import" = i64, Path, description = "Import id")),
    request_body = MappingInput, responses((status = 200, description = "Checking again", body = ImportView), WriteErrors))]
async fn map_import(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<MappingInput>,
) -> Result<Json<ImportView>, AppError> {
    let id = record_id(&id)?;
    service::set_mapping(&state, &user.principal, id, input.mapping).await?;
    Ok(Json(shown(&state, &user, lang, id).await?))
}

/// Commit: every row without a likely duplicate is created in one
/// transaction, or none is. Refused (422, errors by `row.column`) while
/// errors remain.
#[utoipa::path(post, path = "/imports/{import}/commit", tag = "imports", params(("import" = i64, Path, description = "Import id")),
    responses((status = 202, description = "Committing", body = ImportView), WriteErrors))]
async fn commit_import(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    service::commit(&state, &user.principal, id).await?;
    Ok((StatusCode::ACCEPTED, Json(shown(&state, &user, lang, id).await?)).into_response())
}

/// Discard an import that was not committed.
#[utoipa::path(delete, path = "/imports/{import}", tag = "imports", params(("import" = i64, Path, description = "Import id")),
    responses((status = 204, description = "Discarded"), WriteErrors))]
async fn discard_import(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    service::discard(&state, &user.principal, record_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
