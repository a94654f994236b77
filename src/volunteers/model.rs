//! Volunteers as the pages and the API see them, and the pure rules of
//! skills, availability, certificates and hours.

use serde::Serialize;
use time::Date;

use crate::members::model::display_date;
use crate::people::model::{parse_birth, Birth};
use crate::validation::FieldErrors;

/// Longest free text of a volunteer's fields (place, activity, note …).
pub const MAX_TEXT: usize = 500;

macro_rules! named_set {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, [$($variant:ident = $text:literal),+ $(,)?]) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(text: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|s| s.as_str() == text.trim())
            }

            pub fn label_key(self) -> &'static str {
                match self {
                    $($name::$variant => concat!($prefix, $text)),+
                }
            }

            /// A stored comma-separated list; unknown names are skipped.
            pub fn parse_list(text: &str) -> Vec<$name> {
                let mut out: Vec<$name> = text.split(',').filter_map($name::parse).collect();
                out.sort_unstable();
                out.dedup();
                out
            }

            pub fn join(items: &[$name]) -> String {
                items.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
            }
        }
    };
}

/// Lets other capabilities declare their own named sets (a team's kind).
pub(crate) use named_set;

named_set!(
    /// What a volunteer can do. Some skills are called on only with a
    /// certificate valid on the day (`needs_certificate`).
    Skill, "volunteer.skill.", [
        FirstAid = "first_aid",
        WaterRescue = "water_rescue",
        Medical = "medical",
        Driving = "driving",
        SearchRescue = "search_rescue",
        Psychosocial = "psychosocial",
        It = "it",
        Language = "language",
        Cooking = "cooking",
        Logistics = "logistics",
    ]
);

impl Skill {
    /// Skills that put lives at stake are proven by a certificate.
    pub fn needs_certificate(self) -> bool {
        matches!(
            self,
            Skill::FirstAid | Skill::WaterRescue | Skill::Medical | Skill::Driving | Skill::SearchRescue
        )
    }
}

named_set!(
    /// When a volunteer can usually come.
    Slot, "volunteer.slot.", [
        Weekdays = "weekdays",
        Evenings = "evenings",
        Weekends = "weekends",
        Emergencies = "emergencies",
    ]
);

named_set!(
    /// Where a volunteer stands: only active ones are called out.
    Status, "volunteer.status.", [
        Active = "active",
        Paused = "paused",
        Left = "left",
    ]
);

/// A volunteer with their person's name and where they are held.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Volunteer {
    pub id: i64,
    pub person_id: i64,
    pub full_name: String,
    /// `M` or `F`.
    pub sex: String,
    /// `1985-03-07` or `1985`.
    pub birth: Option<String>,
    pub status: Status,
    /// ISO date.
    pub joined_on: String,
    pub skills: Vec<Skill>,
    pub availability: Vec<Slot>,
    /// Not called out until this day (ISO), inclusive.
    pub away_until: Option<String>,
    pub emergency_name: String,
    pub emergency_phone: String,
    pub note: String,
    pub unit_code: String,
    pub unit_name: String,
    /// Hours given, in tenths.
    pub tenths: i64,
    pub version: i64,
    #[serde(skip)]
    pub placement: crate::org::tree::Placement,
}

impl Volunteer {
    pub fn joined_display(&self) -> String {
        display_date(&self.joined_on)
    }

    pub fn away_display(&self) -> String {
        self.away_until.as_deref().map(display_date).unwrap_or_default()
    }

    pub fn hours_display(&self) -> String {
        hours_display(self.tenths)
    }

    pub fn has_skill(&self, skill: &Skill) -> bool {
        self.skills.contains(skill)
    }

    pub fn offers(&self, slot: &Slot) -> bool {
        self.availability.contains(slot)
    }
}

/// A certificate of a volunteer's skill.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Certificate {
    pub id: i64,
    pub volunteer_id: i64,
    pub skill: Skill,
    pub title: String,
    pub issuer: String,
    pub issued_on: String,
    /// `None`: it does not expire.
    pub expires_on: Option<String>,
}

impl Certificate {
    pub fn valid_on(&self, day: &str) -> bool {
        self.issued_on.as_str() <= day && self.expires_on.as_deref().is_none_or(|e| e >= day)
    }

    pub fn issued_display(&self) -> String {
        display_date(&self.issued_on)
    }

    pub fn expires_display(&self) -> String {
        self.expires_on.as_deref().map(display_date).unwrap_or_default()
    }
}

/// Hours given on one activity.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Hours {
    pub id: i64,
    pub on_date: String,
    pub place: String,
    pub activity: String,
    pub tenths: i64,
    pub username: String,
}

impl Hours {
    pub fn on_display(&self) -> String {
        display_date(&self.on_date)
    }

    pub fn hours_display(&self) -> String {
        hours_display(self.tenths)
    }
}

/// `25` tenths → `2,5`; whole hours without a decimal.
pub fn hours_display(tenths: i64) -> String {
    if tenths % 10 == 0 {
        crate::web::page::number(tenths / 10)
    } else {
        format!("{},{}", crate::web::page::number(tenths / 10), tenths % 10)
    }
}

/// Hours as typed (`2`, `2,5`, `2.5`) → tenths, at most a day (24 h).
pub fn parse_hours(text: &str) -> Option<i64> {
    let text = text.trim().replace(',', ".");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 2 {
        return None;
    }
    if fraction.len() > 1 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let tenths = whole.parse::<i64>().ok()? * 10 + fraction.parse::<i64>().unwrap_or(0);
    (1..=240).contains(&tenths).then_some(tenths)
}

/// A full date (`dd/mm/yyyy` or ISO), past or future.
pub fn parse_date(input: &str, field: &str, errors: &mut FieldErrors) -> Option<Date> {
    match parse_birth(input, None) {
        Ok(Some(Birth::Date(d))) => Some(d),
        Ok(None) => {
            errors.insert(field.to_owned(), "member.error.date_missing".to_owned());
            None
        }
        _ => {
            errors.insert(field.to_owned(), "member.error.date_format".to_owned());
            None
        }
    }
}

/// Free text: trimmed, at most `MAX_TEXT` characters, no hidden characters.
pub fn check_text(text: &str, field: &str, required: bool, errors: &mut FieldErrors) -> String {
    let text = crate::text::squash_spaces(text);
    if required && text.is_empty() {
        errors.insert(field.to_owned(), "volunteer.error.required".to_owned());
    } else if text.chars().count() > MAX_TEXT {
        errors.insert(field.to_owned(), "member.error.reason_long".to_owned());
    } else if crate::text::has_hidden_characters(&text, false) {
        errors.insert(field.to_owned(), "volunteer.error.hidden_characters".to_owned());
    }
    text
}

/// Skills or slots ticked on a form: every one must be known.
pub fn parse_choices<T: Copy + Ord>(
    ticked: &[String],
    parse: fn(&str) -> Option<T>,
    field: &str,
    errors: &mut FieldErrors,
) -> Vec<T> {
    let mut out = Vec::new();
    for text in ticked.iter().filter(|t| !t.trim().is_empty()) {
        match parse(text) {
            Some(item) => out.push(item),
            None => {
                errors.insert(field.to_owned(), "volunteer.error.choice".to_owned());
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// An emergency contact: both a name and a phone, or neither.
pub fn check_emergency(name: &str, phone: &str, errors: &mut FieldErrors) -> (String, String) {
    let name = check_text(name, "emergency_name", false, errors);
    let phone = match phone.trim() {
        "" => String::new(),
        written => match crate::people::phone::normalise(written) {
            Ok(p) => p,
            Err(e) => {
                errors.insert("emergency_phone".into(), e.message_key().into());
                String::new()
            }
        },
    };
    if name.is_empty() != phone.is_empty() && !errors.contains_key("emergency_phone") {
        let field = if name.is_empty() {
            "emergency_name"
        } else {
            "emergency_phone"
        };
        errors.insert(field.into(), "volunteer.error.emergency_pair".into());
    }
    (name, phone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_typed_with_a_comma_or_a_point_and_kept_in_tenths() {
        assert_eq!(parse_hours("2"), Some(20));
        assert_eq!(parse_hours("2,5"), Some(25));
        assert_eq!(parse_hours(" 0.5 "), Some(5));
        assert_eq!(parse_hours("24"), Some(240));
        for bad in ["", "0", "24,5", "2,25", "-1", "abc", "1e2", ",5", "100"] {
            assert_eq!(parse_hours(bad), None, "{bad}");
        }
        assert_eq!(hours_display(25), "2,5");
        assert_eq!(hours_display(12_340), "1.234");
    }

    #[test]
    fn a_certificate_is_valid_from_its_issue_to_its_expiry_inclusive() {
        let cert = Certificate {
            id: 1,
            volunteer_id: 1,
            skill: Skill::FirstAid,
            title: "Sơ cấp cứu".into(),
            issuer: String::new(),
            issued_on: "2025-01-10".into(),
            expires_on: Some("2027-01-09".into()),
        };
        assert!(!cert.valid_on("2025-01-09"));
        assert!(cert.valid_on("2025-01-10"));
        assert!(cert.valid_on("2027-01-09"));
        assert!(!cert.valid_on("2027-01-10"));
        let forever = Certificate {
            expires_on: None,
            ..cert
        };
        assert!(forever.valid_on("2090-01-01"));
    }

    #[test]
    fn stored_lists_read_back_sorted_and_without_unknown_names() {
        assert_eq!(
            Skill::parse_list("cooking,first_aid,,nonsense,first_aid"),
            vec![Skill::FirstAid, Skill::Cooking]
        );
        assert_eq!(Skill::join(&[Skill::FirstAid, Skill::It]), "first_aid,it");
        assert!(Skill::WaterRescue.needs_certificate() && !Skill::Cooking.needs_certificate());
    }

    #[test]
    fn ticked_choices_must_be_known() {
        let mut errors = FieldErrors::new();
        let ticked = vec!["weekends".to_owned(), "weekdays".to_owned(), "weekends".to_owned()];
        assert_eq!(
            parse_choices(&ticked, Slot::parse, "availability", &mut errors),
            vec![Slot::Weekdays, Slot::Weekends]
        );
        assert!(errors.is_empty());
        parse_choices(&["sunday".to_owned()], Slot::parse, "availability", &mut errors);
        assert_eq!(errors["availability"], "volunteer.error.choice");
    }

    #[test]
    fn an_emergency_contact_needs_a_name_and_a_phone() {
        let mut errors = FieldErrors::new();
        assert_eq!(check_emergency("", "", &mut errors), (String::new(), String::new()));
        assert!(errors.is_empty());
        check_emergency("Nguyễn Văn B", "", &mut errors);
        assert_eq!(errors["emergency_phone"], "volunteer.error.emergency_pair");
        let mut errors = FieldErrors::new();
        let (_, phone) = check_emergency("Nguyễn Văn B", "0912 345 678", &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(phone, "0912345678");
    }
}
