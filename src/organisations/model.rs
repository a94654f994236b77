//! Organisations as pages and the API see them, and the pure rules of
//! their fields.

use serde::Serialize;

use crate::validation::FieldErrors;
use crate::volunteers::model::{check_text, named_set};

named_set!(
    /// What an organisation is.
    Kind, "organisation.kind.", [
        Agency = "agency",
        School = "school",
        Enterprise = "enterprise",
        Association = "association",
        Religious = "religious",
        Other = "other",
    ]
);

/// An organisation of the registry.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    pub kind: Kind,
    pub tax_code: Option<String>,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub representative: String,
    pub representative_title: String,
    pub representative_phone: String,
    pub note: String,
    pub unit_code: String,
    pub unit_name: String,
    pub version: i64,
    #[serde(skip)]
    pub placement: crate::org::tree::Placement,
}

/// An organisation as typed.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OrganisationInput {
    pub name: String,
    /// `agency`, `school`, `enterprise`, `association`, `religious`, `other`.
    pub kind: String,
    /// Mã số thuế: 10 digits, or 13 (`0101234567-001`); optional.
    pub tax_code: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub representative: String,
    pub representative_title: String,
    pub representative_phone: String,
    pub note: String,
    /// The unit keeping it (its code).
    pub unit: String,
    /// On a change: the version the user saw.
    pub version: i64,
}

/// Input that passed the checks, normalised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidOrganisation {
    pub name: String,
    pub name_folded: String,
    pub kind: Kind,
    pub tax_code: Option<String>,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub representative: String,
    pub representative_title: String,
    pub representative_phone: String,
    pub note: String,
}

/// A tax code: 10 digits, or 10 and a 3-digit branch suffix.
pub fn tax_code(text: &str) -> Result<Option<String>, &'static str> {
    let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
    let other = text.chars().any(|c| !(c.is_ascii_digit() || c == '-' || c == ' '));
    match digits.len() {
        0 if text.trim().is_empty() => Ok(None),
        10 if !other => Ok(Some(digits)),
        13 if !other => Ok(Some(format!("{}-{}", &digits[..10], &digits[10..]))),
        _ => Err("organisation.error.tax_code"),
    }
}

fn phone(text: &str, field: &str, errors: &mut FieldErrors) -> String {
    match text.trim() {
        "" => String::new(),
        written => crate::people::phone::normalise_any(written).unwrap_or_else(|e| {
            errors.insert(field.to_owned(), e.message_key().to_owned());
            String::new()
        }),
    }
}

pub fn validate(input: &OrganisationInput) -> Result<ValidOrganisation, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = check_text(&input.name, "name", true, &mut errors);
    if name.chars().count() > 200 {
        errors.insert("name".into(), "member.error.reason_long".into());
    }
    let kind = Kind::parse(&input.kind);
    if kind.is_none() {
        errors.insert("kind".into(), "volunteer.error.choice".into());
    }
    let tax_code = tax_code(&input.tax_code).unwrap_or_else(|key| {
        errors.insert("tax_code".into(), key.into());
        None
    });
    let email = input.email.trim().to_owned();
    let email_ok = email.is_empty()
        || (email.len() <= 120
            && email
                .split_once('@')
                .is_some_and(|(a, d)| !a.is_empty() && d.contains('.'))
            && !email.contains(char::is_whitespace));
    if !email_ok {
        errors.insert("email".into(), "organisation.error.email".into());
    }
    let valid = ValidOrganisation {
        name_folded: crate::text::fold(&name),
        name,
        kind: kind.unwrap_or(Kind::Other),
        tax_code,
        address: check_text(&input.address, "address", false, &mut errors),
        phone: phone(&input.phone, "phone", &mut errors),
        email,
        representative: check_text(&input.representative, "representative", false, &mut errors),
        representative_title: check_text(&input.representative_title, "representative_title", false, &mut errors),
        representative_phone: phone(&input.representative_phone, "representative_phone", &mut errors),
        note: check_text(&input.note, "note", false, &mut errors),
    };
    if errors.is_empty() {
        Ok(valid)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_codes_have_ten_digits_or_a_branch_suffix() {
        assert_eq!(tax_code(""), Ok(None));
        assert_eq!(tax_code("0101234567"), Ok(Some("0101234567".into())));
        assert_eq!(tax_code("0101234567-001"), Ok(Some("0101234567-001".into())));
        assert_eq!(tax_code("0101234567001"), Ok(Some("0101234567-001".into())));
        assert!(tax_code("12345").is_err());
        assert!(tax_code("01012345AB").is_err());
    }

    #[test]
    fn an_organisation_needs_a_name_and_a_kind_and_normalises_its_contacts() {
        let input = OrganisationInput {
            name: "  Trường THPT   Phan Đình Phùng ".into(),
            kind: "school".into(),
            phone: "024 3823 4567".into(),
            email: "vanthu@pdp.edu.vn".into(),
            ..OrganisationInput::default()
        };
        let valid = validate(&input).expect("valid");
        assert_eq!(valid.name, "Trường THPT Phan Đình Phùng");
        assert_eq!(valid.name_folded, "truong thpt phan dinh phung");
        assert_eq!(valid.phone, "02438234567");
        let errors = validate(&OrganisationInput {
            email: "not an email".into(),
            ..OrganisationInput::default()
        })
        .expect_err("refused");
        assert!(errors.contains_key("name") && errors.contains_key("kind") && errors.contains_key("email"));
    }
}
