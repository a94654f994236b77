//! Audit entries as pages show them (the audit view and every record's
//! history): labels in the user's language, the record named and linked,
//! values as each capability declared its fields (`Nữ`, `15/08/1985`,
//! units by name and linked).

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::model::{show_value, Entry, FieldKind, RecordLink, Shape, ShownValue};
use super::service;
use crate::i18n;
use crate::org::service as org;
use crate::web::error::AppError;
use crate::web::page::{datetime_vi, PageCtx};
use crate::web::AppState;

/// One field of an entry as shown: its label and its values.
pub struct ShownField {
    pub label: String,
    pub old: Vec<ShownValue>,
    pub new: Vec<ShownValue>,
}

/// An entry as pages show it.
pub struct ShownRow {
    pub entry: Entry,
    pub when: String,
    pub action: &'static str,
    pub entity: &'static str,
    /// The record, by its name (the entry's summary), linked to its page
    /// while it has one.
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

/// Unit codes a value names (a code, or a list of them).
fn codes_in(value: Value, out: &mut Vec<String>) {
    match value {
        Value::String(code) => out.push(code),
        Value::Array(items) => out.extend(items.into_iter().filter_map(|i| i.as_str().map(str::to_owned))),
        _ => {}
    }
}

/// Entries with their labels, links and readable values. Whatever the
/// page holds costs three queries: the units named in values (by code),
/// the units that are the records (by id, for their codes), and which
/// records were deleted. A record is linked unless a `delete` entry names
/// it anywhere in the trail (its page would be 404), so the older entries
/// of a deleted person are not linked either.
pub async fn shown_rows(state: &AppState, ctx: &PageCtx, entries: Vec<Entry>) -> Result<Vec<ShownRow>, AppError> {
    let registry = &state.registry;
    let mut codes: Vec<String> = Vec::new();
    let mut unit_ids: Vec<i64> = Vec::new();
    let mut records: Vec<(String, i64)> = Vec::new();
    for entry in &entries {
        let Some(kind) = registry.audit_entity(&entry.entity) else {
            continue;
        };
        match (kind.link, entry.entity_id) {
            (RecordLink::Unit, Some(id)) => unit_ids.push(id),
            (RecordLink::ById(_), Some(id)) if id > 0 => records.push((entry.entity.clone(), id)),
            _ => {}
        }
        for (field, old, new) in entry.fields() {
            if matches!(kind.kind_of(&field), FieldKind::Unit) {
                for value in [old, new].into_iter().flatten() {
                    codes_in(value, &mut codes);
                }
            }
        }
    }
    codes.sort();
    codes.dedup();
    records.sort();
    records.dedup();
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
    let gone: HashSet<(String, i64)> = service::deleted_among(&state.db, &records).await?.into_iter().collect();
    let lang = ctx.lang;
    let t = |key: &str| Some(i18n::t_or(lang, key, "")).filter(|text| !text.is_empty());
    let unit_name = |code: &str| names.get(code).cloned();
    Ok(entries
        .into_iter()
        .map(|entry| {
            let kind = registry.audit_entity(&entry.entity);
            let link = kind.and_then(|k| {
                let id = entry.entity_id;
                let code = id.and_then(|id| unit_codes.get(&id)).map(String::as_str);
                let deleted = id.is_some_and(|id| gone.contains(&(entry.entity.clone(), id)));
                k.link.href(id, code, deleted)
            });
            let prefix = kind.map(|k| k.field_prefix).unwrap_or("");
            let fields = entry
                .fields()
                .into_iter()
                .filter_map(|(field, old, new)| {
                    let field_kind = kind.map(|k| k.kind_of(&field)).unwrap_or(FieldKind::Text);
                    if matches!(field_kind, FieldKind::Hidden) {
                        return None;
                    }
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
