//! Field errors: what validation reports, shared by every domain. Each
//! message is a catalogue key, translated at the edge (page or JSON).

use std::collections::BTreeMap;

/// Field name → catalogue key of the message for that field.
pub type FieldErrors = BTreeMap<String, String>;

/// One field's error.
pub fn field_error(field: &str, key: &str) -> FieldErrors {
    FieldErrors::from([(field.to_owned(), key.to_owned())])
}
