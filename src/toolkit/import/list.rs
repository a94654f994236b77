//! "My imports": the user's latest uploads with where each stands and how
//! long an unconfirmed one is kept; where to start a new import of each
//! kind; and each kind's template, a sheet whose headers the import reads.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::kind::{CellKind, ImportKind};
use super::model::{Import, ImportStatus};
use super::service;
use crate::access::Permission;
use crate::i18n::{self, Lang};
use crate::org::Unit;
use crate::toolkit::xlsx::{self, Column, ColumnType};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::Query;
use crate::web::page::{datetime_vi, number, render, PageCtx};
use crate::web::AppState;

/// One upload as listed.
pub struct ImportLine {
    pub id: i64,
    pub uploaded: String,
    pub file_name: String,
    pub kind_label: &'static str,
    pub unit_name: String,
    pub rows: String,
    /// Errors of the last check, while they matter (not yet committed).
    pub errors: Option<String>,
    pub status_label: &'static str,
    /// Records added, once committed.
    pub created: Option<String>,
    /// When an unconfirmed upload is discarded.
    pub kept_until: Option<String>,
}

impl ImportLine {
    pub fn of(state: &AppState, lang: Lang, import: &Import, unit: &Unit) -> ImportLine {
        let kind_label = state
            .registry
            .import_kind(&import.kind)
            .map_or("", |k| i18n::t(lang, k.label_key()));
        ImportLine {
            id: import.id,
            uploaded: datetime_vi(&import.created_at),
            file_name: import.file_name.clone(),
            kind_label,
            unit_name: unit.name.clone(),
            rows: number(import.row_count),
            errors: (import.status.is_open() && import.error_count > 0).then(|| number(import.error_count)),
            status_label: if import.message.as_deref() == Some("import.expired") {
                i18n::t(lang, "import.status.expired")
            } else {
                i18n::t(lang, import.status.label_key())
            },
            created: (import.status == ImportStatus::Committed).then(|| number(import.created_count)),
            kept_until: service::kept_until(import),
        }
    }
}

/// A kind of list that can be imported, as offered.
pub struct KindLine {
    pub kind: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "toolkit/import/templates/list.html")]
struct ListPage {
    ctx: PageCtx,
    imports: Vec<ImportLine>,
    /// What the user may import (none for those who only read).
    kinds: Vec<KindLine>,
    kept_days: i64,
}

pub async fn list(State(state): State<AppState>, ctx: PageCtx, user: CurrentUser) -> Result<Response, AppError> {
    let mine = service::mine(&state, &user.principal).await?;
    let imports = mine
        .iter()
        .map(|(import, unit)| ImportLine::of(&state, ctx.lang, import, unit))
        .collect();
    let writes = !user.principal.scope(Permission::Write).is_empty();
    let kinds = state
        .registry
        .import_kinds()
        .iter()
        // A kind that goes into a record (a statement into its account) is
        // offered from that record's page, which knows the record.
        .filter(|k| writes && k.target_key().is_none())
        .map(|k| KindLine {
            kind: k.kind(),
            label: ctx.t(k.label_key()),
        })
        .collect();
    let page = ListPage {
        ctx,
        imports,
        kinds,
        kept_days: service::KEPT_DAYS,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TemplateParams {
    kind: String,
}

/// The template's columns: the kind's columns under their Vietnamese
/// labels, which the import recognises (the lists are Vietnamese
/// documents, whatever the language of the screen), required ones
/// marked; digits (CCCD, phones) as text so that Excel keeps their
/// leading zeros.
pub fn template_columns(kind: &dyn ImportKind) -> Vec<Column> {
    kind.columns()
        .iter()
        .map(|spec| {
            let mut header = i18n::t(Lang::Vi, spec.label_key).to_owned();
            if spec.required {
                header = format!("{header} {}", i18n::t(Lang::Vi, "import.required_mark"));
            }
            let (kind, width) = match spec.cell {
                CellKind::Digits { .. } => (ColumnType::Digits, 16.0),
                CellKind::Date => (ColumnType::Text, 14.0),
                CellKind::Text => (ColumnType::Text, 24.0),
            };
            Column::new(header, kind, width)
        })
        .collect()
}

pub async fn template(
    State(state): State<AppState>,
    _user: CurrentUser,
    Query(p): Query<TemplateParams>,
) -> Result<Response, AppError> {
    let kind = service::kind_of(&state, &p.kind)?;
    let columns = template_columns(kind.as_ref());
    let sheet = i18n::t(Lang::Vi, "import.template_sheet");
    let file = format!("mau-{}.xlsx", kind.kind());
    xlsx::download(&file, move |path| {
        xlsx::write(path, sheet, &columns, std::iter::empty())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::toolkit::import::headers::guess;

    #[test]
    fn every_kinds_template_headers_read_back_as_their_columns() {
        let registry = crate::app::registry();
        assert!(registry.import_kinds().len() >= 4);
        for kind in registry.import_kinds() {
            let columns = template_columns(kind.as_ref());
            assert_eq!(columns.len(), kind.columns().len());
            for (column, spec) in columns.iter().zip(kind.columns()) {
                let read = guess(&column.header, kind.columns());
                assert_eq!(read, Some(spec.key), "{}: {}", kind.kind(), column.header);
            }
        }
    }
}
