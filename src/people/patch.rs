//! Partial changes to a person (PATCH, and full form submissions).

use serde::Deserialize;

use super::model::{PersonInput, UnitRef};
use crate::text;

/// The fields a PATCH may carry; absent fields keep their stored value,
/// and a stored unit or commune is kept by identity unless the user wrote
/// another one.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PersonPatch {
    pub full_name: Option<String>,
    pub sex: Option<String>,
    pub birth_date: Option<String>,
    pub cccd: Option<String>,
    pub phone: Option<String>,
    pub address_commune: Option<String>,
    pub address_detail: Option<String>,
    pub unit: Option<String>,
    /// The version the edit started from; a stale one is refused (409).
    pub version: Option<i64>,
}

impl PersonPatch {
    /// The record's input with the patch's fields over it.
    pub fn apply(&self, mut input: PersonInput) -> PersonInput {
        let fields = [
            (&self.full_name, &mut input.full_name),
            (&self.sex, &mut input.sex),
            (&self.birth_date, &mut input.birth_date),
            (&self.cccd, &mut input.cccd),
            (&self.phone, &mut input.phone),
            (&self.address_commune, &mut input.address_commune),
            (&self.address_detail, &mut input.address_detail),
            (&self.unit, &mut input.unit),
        ];
        for (new, old) in fields {
            if let Some(value) = new {
                value.clone_into(old);
            }
        }
        input
    }

    /// What the patch says, fields it leaves out empty (a form shown again).
    pub fn as_input(&self) -> PersonInput {
        self.apply(PersonInput::default())
    }
}

/// Whether what the user sent for a unit field still names the stored
/// unit (its code, or the `Name (code)` a form shows): then the stored
/// unit is kept as it is, never looked up again by name.
pub fn names_stored(written: &str, stored: Option<&UnitRef>) -> bool {
    let written = text::squash_spaces(written);
    match stored {
        None => written.is_empty(),
        Some(unit) => {
            written == unit.code
                || written == unit.display()
                || crate::org::reform::code_in_brackets(&written) == Some(unit.code.as_str())
        }
    }
}
