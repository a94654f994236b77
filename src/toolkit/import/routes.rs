//! Import pages: the upload form, the preview (progress, columns that can
//! be mapped by hand, errors by row and column, likely duplicates, commit
//! and discard), and the error list as `.xlsx`.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::handler::Handler;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::api::{read_upload, view, ImportView};
use super::kind::{ColumnSpec, ImportKind};
use super::model::ImportStatus;
use super::service;
use crate::access::Permission;
use crate::i18n;
use crate::org::picker::{self, Choice};
use crate::toolkit::xlsx::{self, Column, ColumnType, Value};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Form, Path, Query};
use crate::web::page::{number, render, render_status, FormState, PageCtx};
use crate::web::routes::Pages;
use crate::web::AppState;

pub fn pages() -> Pages {
    let limit = DefaultBodyLimit::max(super::MAX_FILE_BYTES + 64 * 1024);
    Pages::default()
        .get("/imports", super::list::list)
        .get("/imports/template.xlsx", super::list::template)
        .get("/imports/new", upload_form)
        .post("/imports", upload.layer(limit))
        .get("/imports/{import}", preview)
        .post("/imports/{import}/mapping", remap)
        .post("/imports/{import}/commit", commit)
        .post("/imports/{import}/delete", discard)
        .get("/imports/{import}/errors.xlsx", errors_xlsx)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewParams {
    kind: String,
    unit: String,
    /// The record the import goes into, for kinds that ask for one.
    #[serde(default)]
    target: String,
}

#[derive(Template)]
#[template(path = "toolkit/import/templates/upload.html")]
struct UploadPage {
    ctx: PageCtx,
    form: FormState,
    kind: String,
    /// Kept through a refusal: the record the import goes into.
    target: String,
    kind_label: &'static str,
    columns: Vec<&'static str>,
    units: Vec<Choice>,
    max_mb: usize,
}

async fn show_upload(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    kind: &dyn ImportKind,
    (unit, target): (&str, &str),
    error: Option<AppError>,
) -> Result<Response, AppError> {
    let units = picker::choices(&state.db, &user.principal, Permission::Write).await?;
    let mut form = FormState::new(ctx.lang).with_values([("unit", picker::shown(unit, &units))]);
    let status = match &error {
        Some(e) => {
            form = form.with_error(e);
            e.status()
        }
        None => axum::http::StatusCode::OK,
    };
    let page = UploadPage {
        form,
        kind: kind.kind().to_owned(),
        target: target.to_owned(),
        kind_label: ctx.t(kind.label_key()),
        columns: kind.columns().iter().map(|c| ctx.t(c.label_key)).collect(),
        units,
        max_mb: super::MAX_FILE_BYTES / (1024 * 1024),
        ctx,
    };
    render_status(status, &page)
}

async fn upload_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(p): Query<NewParams>,
) -> Result<Response, AppError> {
    let kind = service::kind_of(&state, &p.kind)?;
    show_upload(&state, ctx, &user, kind.as_ref(), (&p.unit, &p.target), None).await
}

async fn upload(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let mut upload = read_upload(multipart).await?;
    let kind = service::kind_of(&state, &upload.kind)?;
    let units = picker::choices(&state.db, &user.principal, Permission::Write).await?;
    let typed = upload.unit.clone();
    let target = upload.target.clone();
    upload.unit = picker::code_of(&typed, &units);
    match service::upload(&state, &user.principal, upload).await {
        Ok(import) => Ok(Redirect::to(&format!("/imports/{}", import.id)).into_response()),
        Err(e) => show_upload(&state, ctx, &user, kind.as_ref(), (&typed, &target), Some(e.into())).await,
    }
}

#[derive(Template)]
#[template(path = "toolkit/import/templates/preview.html")]
struct PreviewPage {
    ctx: PageCtx,
    import: ImportView,
    unit_name: String,
    specs: &'static [ColumnSpec],
    list_path: String,
    record_path: &'static str,
    /// "thêm {count} người" / "… hội viên".
    committed_key: &'static str,
    notice: Option<&'static str>,
    /// When the upload is discarded unless committed.
    kept_until: Option<String>,
}

impl PreviewPage {
    fn running(&self) -> bool {
        self.import.job.as_ref().is_some_and(|j| !j.status.is_over())
    }

    fn status_text(&self) -> &'static str {
        self.ctx.t(self.import.status.label_key())
    }

    fn is_preview(&self) -> bool {
        self.import.status == ImportStatus::Preview
    }

    fn is_open(&self) -> bool {
        self.import.status.is_open() && !self.running()
    }

    fn is_committed(&self) -> bool {
        self.import.status == ImportStatus::Committed
    }

    fn count(&self, n: &i64) -> String {
        number(*n)
    }

    /// What a mapping entry fills, as the user reads it.
    fn entry_label(&self, entry: &str) -> String {
        let target = super::target::Target::parse(entry);
        let label = |key: &str| self.column_label(key).to_owned();
        match (target.key, target.mark) {
            (Some(key), None) => label(key),
            (None, Some((marked, value))) => self
                .ctx
                .t("import.mark_tick")
                .replace("{column}", &label(marked))
                .replace("{value}", value),
            (Some(key), Some((marked, value))) => self
                .ctx
                .t("import.mark_split")
                .replace("{column}", &label(key))
                .replace("{mark}", &label(marked))
                .replace("{value}", value),
            (None, None) => String::new(),
        }
    }

    /// The columns split by a value a column may be mapped to ("Giới
    /// tính: Nữ (ô đánh dấu)", "Ngày sinh (ghi ở cột Giới tính: Nữ)").
    fn split_choices(&self) -> Vec<String> {
        super::target::mark_choices(self.specs)
    }

    /// A column's entry when it is one the choices do not list (mapped
    /// through the API), so that saving the form keeps it.
    fn other_entry(&self, key: &Option<String>) -> Option<String> {
        key.clone()
            .filter(|e| e.contains('@') && !self.split_choices().contains(e))
    }

    fn column_label(&self, key: &str) -> &'static str {
        match self.specs.iter().find(|s| s.key == key) {
            Some(spec) => self.ctx.t(spec.label_key),
            None => self.ctx.t("import.whole_file"),
        }
    }

    fn header_shown(&self, index: &usize, header: &str) -> String {
        if header.trim().is_empty() {
            i18n::t(self.ctx.lang, "import.column_n").replace("{n}", &(index + 1).to_string())
        } else {
            header.to_owned()
        }
    }

    fn job_failed(&self) -> Option<String> {
        let job = self.import.job.as_ref()?;
        (job.status == crate::toolkit::jobs::JobStatus::Failed).then(|| job.message.clone().unwrap_or_default())
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PreviewParams {
    done: Option<String>,
}

async fn preview(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(p): Query<PreviewParams>,
) -> Result<Response, AppError> {
    let (import, unit) = service::get(&state, &user.principal, record_id(&id)?).await?;
    let kind = service::kind_of(&state, &import.kind)?;
    let list_path = format!("{}?unit={}", kind.record_path().trim_end_matches('/'), unit.code);
    let kept_until = service::kept_until(&import);
    let import = view(&state, ctx.lang, import, unit.code.clone()).await?;
    let notice = p.done.map(|_| "import.mapping_saved");
    let page = PreviewPage {
        ctx,
        import,
        unit_name: unit.name,
        specs: kind.columns(),
        list_path,
        record_path: kind.record_path(),
        committed_key: kind.committed_key(),
        notice,
        kept_until,
    };
    Ok(render(&page)?.into_response())
}

/// Reads `col0`, `col1` … (`""`: ignore) into a mapping.
async fn remap(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let (import, _) = service::get(&state, &user.principal, id).await?;
    let mut mapping: Vec<Option<String>> = vec![None; import.headers.len()];
    for (name, value) in fields {
        let index = name.strip_prefix("col").and_then(|n| n.parse::<usize>().ok());
        match index.and_then(|i| mapping.get_mut(i)) {
            Some(slot) => *slot = (!value.is_empty()).then_some(value),
            None => return Err(AppError::bad_request("import.error.mapping_unknown")),
        }
    }
    service::set_mapping(&state, &user.principal, id, mapping).await?;
    Ok(Redirect::to(&format!("/imports/{id}?done=1")).into_response())
}

async fn commit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    service::commit(&state, &user.principal, id).await?;
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}

async fn discard(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let (import, unit) = service::get(&state, &user.principal, id).await?;
    let kind = service::kind_of(&state, &import.kind)?;
    service::discard(&state, &user.principal, id).await?;
    let list = format!("{}?unit={}", kind.record_path().trim_end_matches('/'), unit.code);
    Ok(Redirect::to(&list).into_response())
}

/// Every error of the last check, as a sheet: row, column, message.
async fn errors_xlsx(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (import, _) = service::get(&state, &user.principal, record_id(&id)?).await?;
    let kind = service::kind_of(&state, &import.kind)?;
    let errors = service::issues(&state.db, import.id, false, i64::from(xlsx::MAX_ROWS)).await?;
    let columns = vec![
        Column::new(ctx.t("import.row"), ColumnType::Number, 8.0),
        Column::new(ctx.t("import.column"), ColumnType::Text, 24.0),
        Column::new(ctx.t("import.error"), ColumnType::Text, 70.0),
    ];
    let lang = ctx.lang;
    let rows: Vec<Vec<Value>> = errors
        .into_iter()
        .map(|e| {
            let column = kind
                .columns()
                .iter()
                .find(|s| s.key == e.column)
                .map_or("", |s| i18n::t(lang, s.label_key));
            vec![
                Value::Number(e.row as f64),
                Value::from(column.to_owned()),
                Value::from(i18n::t(lang, &e.message).to_owned()),
            ]
        })
        .collect();
    let sheet = ctx.t("import.errors_sheet");
    xlsx::download("loi-nhap.xlsx", move |path| {
        xlsx::write(path, sheet, &columns, rows.into_iter())
    })
    .await
}
