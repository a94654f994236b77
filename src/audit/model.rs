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
    /// The entry with the fields it changed.
    pub fn shown(self) -> ShownEntry {
        let changes = changed_fields(self.before.as_ref(), self.after.as_ref());
        (self, changes)
    }
}

/// One changed field: (field, old value, new value).
pub type FieldChange = (String, String, String);

/// An entry with the fields it changed, as pages show it.
pub type ShownEntry = (Entry, Vec<FieldChange>);

/// The fields whose value differs between `before` and `after`.
pub fn changed_fields(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let as_map = |v: Option<&Value>| v.and_then(Value::as_object).cloned().unwrap_or_else(|| empty.clone());
    let (before, after) = (as_map(before), as_map(after));
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    let show = |v: Option<&Value>| match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    keys.into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| (k.clone(), show(before.get(k)), show(after.get(k))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_differing_fields_are_listed() {
        let before = json!({"full_name": "Lê Văn Tám", "phone": "0912345678"});
        let after = json!({"full_name": "Lê Văn Tám", "phone": "0987654321", "cccd": "001085012345"});
        let changed = changed_fields(Some(&before), Some(&after));
        assert_eq!(
            changed,
            vec![
                ("cccd".into(), String::new(), "001085012345".into()),
                ("phone".into(), "0912345678".into(), "0987654321".into()),
            ]
        );
    }
}
