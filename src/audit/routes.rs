//! The audit view for supervisors: every change in their subtree, newest
//! first, narrowed by user, unit, dates and action; and the history part
//! of every record page. Values read as a user reads them (`Nữ`,
//! `15/08/1985`, unit names), as each capability declared its fields.
//! Read-only: there is no route that changes an entry.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::model::{show_value, Entry, FieldKind, RecordLink, Shape, ShownValue};
use super::service::{self, Wanted};
use crate::access::Permission;
use crate::i18n;
use crate::org::picker::{self, Choice};
use crate::org::service as org;
use crate::org::Unit;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::Query;
use crate::web::list::with_query;
use crate::web::page::{datetime_vi, render, PageCtx};
use crate::web::AppState;

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(super) struct ListParams {
    /// The `next` of the previous page.
    pub after: Option<String>,
    /// Only entries made by this username.
    pub user: String,
    /// Only entries about records in this unit's subtree (its code).
    pub unit: String,
    /// From this day on (`dd/mm/yyyy` or `yyyy-mm-dd`, Vietnam time).
    pub from: String,
    /// Up to and including this day.
    pub to: String,
    /// Only this action (`create`, `update`, `merge` …).
    pub action: String,
}

impl ListParams {
    pub(super) fn wanted(&self) -> Wanted<'_> {
        Wanted {
            user: &self.user,
            action: &self.action,
            from: &self.from,
            to: &self.to,
        }
    }
}

/// The unit a list is narrowed to: one the user may read, else not found.
pub(super) async fn unit_filter(state: &AppState, user: &CurrentUser, code: &str) -> Result<Option<Unit>, AppError> {
    match code.trim() {
        "" => Ok(None),
        code => Ok(Some(org::readable_unit(&state.db, &user.principal, code).await?)),
    }
}

/// One field of an entry as shown: its label and its values.
pub struct ShownField {
    pub label: String,
    pub old: Vec<ShownValue>,
    pub new: Vec<ShownValue>,
}

/// An entry as pages show it: labels in the user's language, the record
/// named and linked, values readable.
pub struct ShownRow {
    pub entry: Entry,
    pub when: String,
    pub action: &'static str,
    pub entity: &'static str,
    pub record: ShownValue,
    pub shape: Shape,
    pub fields: Vec<ShownField>,
}

impl ShownRow {
    pub fn is_changes(&self) -> bool {
        self.shape == Shape::Changes
    }
    pub fn is_removed(&self) -> bool {
        self.shape == Shape::Removed
    }
}

/// Entries with their labels, links and readable values, for pages (the
/// audit view and every record's history). Units named in them are read
/// in two queries for the whole page.
pub async fn shown_rows(state: &AppState, ctx: &PageCtx, entries: Vec<Entry>) -> Result<Vec<ShownRow>, AppError> {
    let registry = &state.registry;
    let mut codes: Vec<String> = Vec::new();
    let mut unit_ids: Vec<i64> = Vec::new();
    for entry in &entries {
        let Some(kind) = registry.audit_entity(&entry.entity) else {
            continue;
        };
        if matches!(kind.link, RecordLink::Unit) {
            unit_ids.extend(entry.entity_id);
        }
        for (field, old, new) in entry.fields() {
            if matches!(kind.kind_of(&field), FieldKind::Unit) {
                for value in [old, new].into_iter().flatten() {
                    match value {
                        serde_json::Value::String(code) => codes.push(code),
                        serde_json::Value::Array(items) => {
                            codes.extend(items.into_iter().filter_map(|i| i.as_str().map(str::to_owned)))
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    codes.sort();
    codes.dedup();
    let names: HashMap<String, String> = org::units_by_codes(&state.db, &codes)
        .await?
        .into_iter()
        .map(|u| (u.code, u.name))
        .collect();
    let unit_codes: HashMap<i64, String> = org::units_by_ids(&state.db, &unit_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u.code))
        .collect();
    let lang = ctx.lang;
    let t = |key: &str| Some(i18n::t(lang, key)).filter(|text| *text != key);
    let unit_name = |code: &str| names.get(code).cloned();
    Ok(entries
        .into_iter()
        .map(|entry| {
            let kind = registry.audit_entity(&entry.entity);
            let link = match (kind.map(|k| k.link), entry.entity_id) {
                // A deleted record has no page any more.
                _ if entry.action == "delete" => None,
                (Some(RecordLink::ById(prefix)), Some(id)) if id > 0 => Some(format!("{prefix}{id}")),
                (Some(RecordLink::Unit), Some(id)) => unit_codes.get(&id).map(|code| format!("/units/{code}")),
                _ => None,
            };
            let fields = entry
                .fields()
                .into_iter()
                .filter_map(|(field, old, new)| {
                    let field_kind = kind.map(|k| k.kind_of(&field)).unwrap_or(FieldKind::Text);
                    if matches!(field_kind, FieldKind::Hidden) {
                        return None;
                    }
                    let prefix = kind.map(|k| k.field_prefix).unwrap_or("");
                    Some(ShownField {
                        label: i18n::t_or(lang, &format!("{prefix}{field}"), &field).to_owned(),
                        old: show_value(field_kind, old.as_ref(), &t, &unit_name),
                        new: show_value(field_kind, new.as_ref(), &t, &unit_name),
                    })
                })
                .collect();
            ShownRow {
                when: datetime_vi(&entry.at),
                action: ctx.t(registry.audit_action_key(&entry.action)),
                entity: kind.map(|k| ctx.t(k.label_key)).unwrap_or("—"),
                record: ShownValue {
                    text: entry.summary.clone(),
                    link,
                },
                shape: entry.shape(),
                fields,
                entry,
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "audit/templates/list.html")]
struct AuditPage {
    ctx: PageCtx,
    rows: Vec<ShownRow>,
    params: ListParams,
    actions: Vec<(&'static str, &'static str)>,
    units: Vec<Choice>,
    older: Option<String>,
    newest: Option<String>,
    filtered: bool,
}

pub(super) async fn page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(p): Query<ListParams>,
) -> Result<Response, AppError> {
    let actions = state.registry.audit_actions();
    let names: Vec<&str> = actions.iter().map(|(a, _)| *a).collect();
    let filter = service::filter(&p.wanted(), &names)?;
    let units = picker::choices(&state.db, &user.principal, Permission::Supervise).await?;
    let unit = unit_filter(&state, &user, &picker::code_of(&p.unit, &units)).await?;
    let page = service::list(&state.db, &user.principal, unit.as_ref(), &filter, p.after.as_deref()).await?;
    let link = |after: &str| {
        with_query(
            "/audit",
            &[
                ("user", &p.user),
                ("unit", &p.unit),
                ("from", &p.from),
                ("to", &p.to),
                ("action", &p.action),
                ("after", after),
            ],
        )
    };
    let older = page.next.as_deref().map(link);
    let newest = p.after.as_deref().filter(|a| !a.is_empty()).map(|_| link(""));
    let rows = shown_rows(&state, &ctx, page.items).await?;
    let filtered = [&p.user, &p.unit, &p.from, &p.to, &p.action]
        .iter()
        .any(|v| !v.trim().is_empty());
    Ok(render(&AuditPage {
        ctx,
        rows,
        params: p,
        actions,
        units,
        older,
        newest,
        filtered,
    })?
    .into_response())
}
