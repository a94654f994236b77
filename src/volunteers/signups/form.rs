//! Sign-ups as sent and checked: the pure rules of the public form.

use serde::Serialize;

use crate::members::model::display_date;
use crate::people;
use crate::people::model::{Birth, PersonInput};
use crate::validation::FieldErrors;
use crate::volunteers::model::{self, Skill, Slot};

/// The youngest age at which one signs up alone.
const MIN_AGE: i32 = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignupStatus {
    Pending,
    Approved,
    Declined,
}

impl SignupStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SignupStatus::Pending => "pending",
            SignupStatus::Approved => "approved",
            SignupStatus::Declined => "declined",
        }
    }

    pub fn parse(text: &str) -> Option<SignupStatus> {
        [SignupStatus::Pending, SignupStatus::Approved, SignupStatus::Declined]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// A sign-up as staff of its commune see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Signup {
    pub id: i64,
    pub full_name: String,
    pub sex: String,
    /// ISO date or year.
    pub birth_date: String,
    pub phone: String,
    pub address_detail: String,
    pub skills: Vec<Skill>,
    pub availability: Vec<Slot>,
    pub emergency_name: String,
    pub emergency_phone: String,
    pub note: String,
    pub status: SignupStatus,
    pub received_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub reason: String,
    pub volunteer_id: Option<i64>,
    pub commune_code: String,
    pub commune_name: String,
    #[serde(skip)]
    pub placement: crate::org::tree::Placement,
}

impl Signup {
    pub fn birth_display(&self) -> String {
        display_date(&self.birth_date)
    }

    pub fn received_display(&self) -> String {
        crate::web::page::datetime_vi(&self.received_at)
    }
}

/// The public form as sent.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SignupInput {
    pub full_name: String,
    pub sex: String,
    pub birth_date: String,
    pub phone: String,
    /// Only to narrow the communes shown.
    pub province: String,
    /// The commune's code.
    pub commune: String,
    pub address_detail: String,
    pub skills: Vec<String>,
    pub availability: Vec<String>,
    pub emergency_name: String,
    pub emergency_phone: String,
    pub note: String,
    /// The sender agrees that the commune keeps and uses their data.
    pub consent: String,
    /// Hidden from people: a value means a robot filled the form.
    pub website: String,
}

/// Age on `today`: exact for a full date, by the year alone otherwise.
fn age(birth: Birth, today: time::Date) -> i32 {
    match birth {
        Birth::Date(d) => {
            let before_birthday = (u8::from(today.month()), today.day()) < (u8::from(d.month()), d.day());
            today.year() - d.year() - i32::from(before_birthday)
        }
        Birth::Year(y) => today.year() - y,
    }
}

/// Checks a sign-up against the person rules and the volunteer rules;
/// `commune` is the chosen commune's code, known to exist.
pub(super) fn checked(input: &SignupInput, commune: &str, today: time::Date) -> Result<Signup, FieldErrors> {
    let person = PersonInput {
        full_name: input.full_name.clone(),
        sex: input.sex.clone(),
        birth_date: input.birth_date.clone(),
        cccd: String::new(),
        phone: input.phone.clone(),
        address_commune: String::new(),
        address_detail: input.address_detail.clone(),
        unit: commune.to_owned(),
    };
    let (mut errors, valid) = match people::model::validate(&person, today) {
        Ok(valid) => (FieldErrors::new(), Some(valid)),
        Err(errors) => (errors, None),
    };
    match valid.as_ref().map(|v| v.birth) {
        Some(None) => {
            errors.insert("birth_date".into(), "volunteer.error.birth_needed".into());
        }
        Some(Some(birth)) if age(birth, today) < MIN_AGE => {
            errors.insert("birth_date".into(), "volunteer.error.too_young".into());
        }
        _ => {}
    }
    if input.phone.trim().is_empty() {
        errors.insert("phone".into(), "volunteer.error.phone_needed".into());
    }
    let skills = model::parse_choices(&input.skills, Skill::parse, "skills", &mut errors);
    let availability = model::parse_choices(&input.availability, Slot::parse, "availability", &mut errors);
    let (emergency_name, emergency_phone) =
        model::check_emergency(&input.emergency_name, &input.emergency_phone, &mut errors);
    let note = model::check_text(&input.note, "note", false, &mut errors);
    if input.consent != "yes" {
        errors.insert("consent".into(), "volunteer.error.consent".into());
    }
    let Some(valid) = valid.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };
    Ok(Signup {
        id: 0,
        full_name: valid.full_name,
        sex: valid.sex.as_str().to_owned(),
        birth_date: valid.birth.map(Birth::iso).unwrap_or_default(),
        phone: valid.phone.unwrap_or_default(),
        address_detail: valid.address_detail,
        skills,
        availability,
        emergency_name,
        emergency_phone,
        note,
        status: SignupStatus::Pending,
        received_at: String::new(),
        decided_by: None,
        decided_at: None,
        reason: String::new(),
        volunteer_id: None,
        commune_code: commune.to_owned(),
        commune_name: String::new(),
        placement: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input() -> SignupInput {
        SignupInput {
            full_name: "Trần Thị Hoa".into(),
            sex: "F".into(),
            birth_date: "12/05/2001".into(),
            phone: "0912 345 678".into(),
            commune: "00004".into(),
            skills: vec!["first_aid".into()],
            availability: vec!["weekends".into()],
            consent: "yes".into(),
            ..SignupInput::default()
        }
    }

    #[test]
    fn sixteen_is_counted_from_the_birthday() {
        let today = date!(2026 - 11 - 29);
        assert_eq!(age(Birth::Date(date!(2010 - 11 - 29)), today), 16);
        assert_eq!(age(Birth::Date(date!(2010 - 11 - 30)), today), 15);
        assert_eq!(age(Birth::Year(2010), today), 16);
    }

    #[test]
    fn a_complete_sign_up_is_normalised() {
        let signup = checked(&input(), "00004", date!(2026 - 11 - 29)).expect("valid");
        assert_eq!(signup.phone, "0912345678");
        assert_eq!(signup.birth_date, "2001-05-12");
        assert_eq!(signup.skills, vec![Skill::FirstAid]);
    }

    #[test]
    fn consent_a_phone_and_an_age_of_sixteen_are_required() {
        let today = date!(2026 - 11 - 29);
        let errors = checked(
            &SignupInput {
                consent: String::new(),
                phone: String::new(),
                birth_date: "2015".into(),
                ..input()
            },
            "00004",
            today,
        )
        .expect_err("refused");
        assert_eq!(errors["consent"], "volunteer.error.consent");
        assert_eq!(errors["phone"], "volunteer.error.phone_needed");
        assert_eq!(errors["birth_date"], "volunteer.error.too_young");
    }
}
