//! Audit entries as the domains hand them over, and as pages show them.

use serde::Serialize;
use serde_json::Value;

use crate::org::tree::Placement;

/// One change to record.
#[derive(Clone, Debug)]
pub struct Change {
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: Option<i64>,
    pub summary: String,
    /// Where the changed record sits now: decides who may read the entry.
    pub placement: Placement,
    /// Where it sat before, when the change moved it: the supervisors of
    /// the old place read the entry too.
    pub previous: Option<Placement>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Change {
    pub fn new(
        action: &'static str,
        entity: &'static str,
        entity_id: i64,
        summary: String,
        placement: Placement,
    ) -> Change {
        Change {
            action,
            entity,
            entity_id: Some(entity_id),
            summary,
            placement,
            previous: None,
            before: None,
            after: None,
        }
    }
}

/// A stored entry, as read back.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Entry {
    pub id: i64,
    /// UTC, RFC 3339.
    pub at: String,
    pub username: String,
    pub actor_unit_name: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub summary: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
}

impl Entry {
    /// What the entry shows: a record's values when it was created (or
    /// what a deletion removed), else the fields that changed.
    pub fn shape(&self) -> Shape {
        let empty = |v: Option<&Value>| v.and_then(Value::as_object).is_none_or(|o| o.is_empty());
        match (empty(self.before.as_ref()), empty(self.after.as_ref())) {
            (true, false) => Shape::Values,
            (false, true) => Shape::Removed,
            _ => Shape::Changes,
        }
    }

    /// The fields the entry shows, flattened (`grant.role`): every value
    /// for `Values` and `Removed`, the differing ones for `Changes`, as
    /// (field, before, after).
    pub fn fields(&self) -> Vec<(String, Option<Value>, Option<Value>)> {
        let before = flatten(self.before.as_ref());
        let after = flatten(self.after.as_ref());
        let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
        names.sort();
        names.dedup();
        names
            .into_iter()
            .filter(|n| before.get(*n) != after.get(*n))
            .map(|n| ((*n).clone(), before.get(n).cloned(), after.get(n).cloned()))
            .filter(|(_, b, a)| !(is_blank(b.as_ref()) && is_blank(a.as_ref())))
            .collect()
    }
}

/// How an entry reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A creation: the record's values.
    Values,
    /// A deletion: what was removed.
    Removed,
    /// Old → new for each changed field.
    Changes,
}

fn is_blank(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(_) => false,
    }
}

/// An object's fields, a nested object's fields named `outer.inner`.
fn flatten(value: Option<&Value>) -> std::collections::BTreeMap<String, Value> {
    let mut out = std::collections::BTreeMap::new();
    if let Some(object) = value.and_then(Value::as_object) {
        for (name, value) in object {
            match value.as_object() {
                Some(inner) => {
                    for (sub, v) in inner {
                        out.insert(format!("{name}.{sub}"), v.clone());
                    }
                }
                None => {
                    out.insert(name.clone(), value.clone());
                }
            }
        }
    }
    out
}

/// How one field of an audit entry's values reads.
#[derive(Clone, Copy, Debug)]
pub enum FieldKind {
    /// As stored.
    Text,
    /// `yyyy-mm-dd` (or a bare year) shown `dd/mm/yyyy`.
    Date,
    /// A coded value (`F`, `closed`, `agency`): the catalogue key of its
    /// label, if it is one of the codes.
    Choice(fn(&str) -> Option<&'static str>),
    /// A unit code (or a list of them): the unit's name, linked.
    Unit,
    /// Not shown (internals).
    Hidden,
    /// A list of `{username, role}`: who holds which role (`ngocha (Cán bộ)`).
    Roles,
}

/// Where the page of an audited record is.
#[derive(Clone, Copy, Debug)]
pub enum RecordLink {
    /// `{prefix}{id}` (`/persons/`).
    ById(&'static str),
    /// The record is a unit: `/units/{its code}`.
    Unit,
    None,
}

impl RecordLink {
    /// The address of record `id`'s page: `unit_code` is the code of the
    /// unit it is (for `Unit`); a record that is `gone` has no page.
    pub fn href(self, id: Option<i64>, unit_code: Option<&str>, gone: bool) -> Option<String> {
        match (self, id) {
            _ if gone => None,
            (RecordLink::ById(prefix), Some(id)) if id > 0 => Some(format!("{prefix}{id}")),
            (RecordLink::Unit, Some(_)) => unit_code.map(|code| format!("/units/{code}")),
            _ => None,
        }
    }
}

/// A value as a page shows it, and where it links (a unit's page).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShownValue {
    pub text: String,
    pub link: Option<String>,
}

/// Shows a stored value as a user reads it: dates day first, codes by
/// their label (`t` looks up the catalogue), units by name (`unit_name`
/// knows the units of the page). A list shows each of its items.
pub fn show_value(
    kind: FieldKind,
    value: Option<&Value>,
    t: &dyn Fn(&str) -> Option<&'static str>,
    unit_name: &dyn Fn(&str) -> Option<String>,
) -> Vec<ShownValue> {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Object(holder) if matches!(kind, FieldKind::Roles) => {
            let field = |name: &str| holder.get(name).and_then(Value::as_str).unwrap_or_default();
            let role = crate::access::Role::label_key_of(field("role"))
                .and_then(t)
                .unwrap_or(field("role"));
            format!("{} ({role})", field("username"))
        }
        other => other.to_string(),
    };
    let items: Vec<String> = match value {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items.iter().map(text).collect(),
        Some(v) => vec![text(v)],
    };
    items
        .into_iter()
        .filter(|item| !item.is_empty())
        .map(|item| match kind {
            FieldKind::Text | FieldKind::Hidden | FieldKind::Roles => ShownValue { text: item, link: None },
            FieldKind::Date => ShownValue {
                text: day_first(&item),
                link: None,
            },
            FieldKind::Choice(key_of) => ShownValue {
                text: key_of(&item).and_then(t).map(str::to_owned).unwrap_or(item),
                link: None,
            },
            FieldKind::Unit => ShownValue {
                text: unit_name(&item).unwrap_or_else(|| item.clone()),
                link: Some(format!("/units/{item}")),
            },
        })
        .collect()
}

/// `1985-08-15` → `15/08/1985`; anything else as it is.
fn day_first(iso: &str) -> String {
    match iso.split('-').collect::<Vec<_>>().as_slice() {
        [y, m, d] if y.len() == 4 => format!("{d}/{m}/{y}"),
        _ => iso.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(before: Option<Value>, after: Option<Value>) -> Entry {
        Entry {
            id: 1,
            at: String::new(),
            username: "badinh".into(),
            actor_unit_name: None,
            action: "update".into(),
            entity: "person".into(),
            entity_id: Some(7),
            summary: "Lê Văn Tám".into(),
            before,
            after,
        }
    }

    #[test]
    fn an_update_lists_only_what_changed() {
        let e = entry(
            Some(json!({"full_name": "Lê Văn Tám", "phone": "0912345678"})),
            Some(json!({"full_name": "Lê Văn Tám", "phone": "0987654321", "cccd": "001085012345"})),
        );
        assert_eq!(e.shape(), Shape::Changes);
        let names: Vec<String> = e.fields().into_iter().map(|f| f.0).collect();
        assert_eq!(names, vec!["cccd", "phone"]);
    }

    #[test]
    fn a_creation_shows_its_values_without_the_empty_ones() {
        let e = entry(
            None,
            Some(json!({"full_name": "Lê Văn Tám", "cccd": null, "grant": {"role": "staff"}})),
        );
        assert_eq!(e.shape(), Shape::Values);
        let names: Vec<String> = e.fields().into_iter().map(|f| f.0).collect();
        assert_eq!(names, vec!["full_name", "grant.role"]);
        assert_eq!(entry(Some(json!({"a": 1})), Some(json!({}))).shape(), Shape::Removed);
    }

    #[test]
    fn records_link_to_their_page_while_they_exist() {
        let persons = RecordLink::ById("/persons/");
        assert_eq!(persons.href(Some(7), None, false).as_deref(), Some("/persons/7"));
        assert_eq!(persons.href(Some(7), None, true), None, "a deleted record has no page");
        assert_eq!(persons.href(Some(0), None, false), None, "not a record");
        assert_eq!(persons.href(None, None, false), None);
        let units = RecordLink::Unit;
        assert_eq!(
            units.href(Some(12), Some("00004"), false).as_deref(),
            Some("/units/00004")
        );
        assert_eq!(units.href(Some(12), None, false), None, "an unknown unit");
        assert_eq!(RecordLink::None.href(Some(7), None, false), None);
    }

    #[test]
    fn values_read_as_a_user_reads_them() {
        let t = |key: &str| match key {
            "person.sex.female" => Some("Nữ"),
            _ => None,
        };
        let units = |code: &str| (code == "00004").then(|| "Phường Ba Đình".to_owned());
        let sex = FieldKind::Choice(|v| (v == "F").then_some("person.sex.female"));
        let shown = |kind, v: Value| show_value(kind, Some(&v), &t, &units);
        assert_eq!(shown(sex, json!("F"))[0].text, "Nữ");
        assert_eq!(shown(sex, json!("X"))[0].text, "X", "an unknown code stays as stored");
        assert_eq!(shown(FieldKind::Date, json!("1985-08-15"))[0].text, "15/08/1985");
        assert_eq!(shown(FieldKind::Date, json!("1985"))[0].text, "1985");
        let unit = &shown(FieldKind::Unit, json!("00004"))[0];
        assert_eq!(
            (unit.text.as_str(), unit.link.as_deref()),
            ("Phường Ba Đình", Some("/units/00004"))
        );
        let listed = shown(FieldKind::Unit, json!(["00004", "00008"]));
        assert_eq!(listed.len(), 2);
        assert_eq!(
            (listed[1].text.as_str(), listed[1].link.as_deref()),
            ("00008", Some("/units/00008")),
            "a unit not found keeps its code"
        );
        let active = FieldKind::Choice(|v| (v == "false").then_some("person.sex.female"));
        assert_eq!(
            shown(active, json!(false))[0].text,
            "Nữ",
            "a stored boolean is a code too"
        );
        assert_eq!(shown(FieldKind::Text, json!(3))[0].text, "3");
        assert!(show_value(FieldKind::Text, None, &t, &units).is_empty());
        let staff = |key: &str| (key == "role.staff").then_some("Cán bộ");
        let moved = show_value(
            FieldKind::Roles,
            Some(&json!([{"username": "ngocha", "role": "staff"}])),
            &staff,
            &units,
        );
        assert_eq!(moved[0].text, "ngocha (Cán bộ)");
    }
}
