//! Memberships as the pages and the API see them, and the pure rules of
//! joining, status changes and member numbers.

use serde::Serialize;
use time::Date;

use crate::people::model::{parse_birth, Birth};
use crate::validation::FieldErrors;

/// Where a membership stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Suspended,
    Left,
    Deceased,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Active, Status::Suspended, Status::Left, Status::Deceased];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Suspended => "suspended",
            Status::Left => "left",
            Status::Deceased => "deceased",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Status::Active => "member.status.active",
            Status::Suspended => "member.status.suspended",
            Status::Left => "member.status.left",
            Status::Deceased => "member.status.deceased",
        }
    }

    /// A membership that ended (left, deceased) may be taken up again
    /// only as active; a deceased member's status is final.
    pub fn may_become(self, next: Status) -> bool {
        match (self, next) {
            (a, b) if a == b => false,
            (Status::Deceased, _) => false,
            _ => true,
        }
    }
}

/// A membership with its person's name and its branch.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Member {
    pub id: i64,
    pub member_no: String,
    pub person_id: i64,
    pub full_name: String,
    /// `M` or `F`.
    pub sex: String,
    /// `1985-03-07` or `1985`.
    pub birth: Option<String>,
    /// `07/03/1985` or `1985`.
    #[serde(skip)]
    pub birth_shown: String,
    /// ISO date.
    pub joined_on: String,
    pub status: Status,
    /// ISO date the status took effect.
    pub status_on: String,
    pub status_reason: String,
    pub branch_code: String,
    pub branch_name: String,
    pub version: i64,
    #[serde(skip)]
    pub placement: crate::org::tree::Placement,
}

impl Member {
    pub fn joined_display(&self) -> String {
        display_date(&self.joined_on)
    }

    pub fn status_on_display(&self) -> String {
        display_date(&self.status_on)
    }
}

/// One line of a membership's history.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Event {
    /// `joined`, `status` or `transfer`.
    pub kind: String,
    pub on_date: String,
    pub status: Option<Status>,
    pub reason: String,
    pub from_unit: Option<String>,
    pub to_unit: Option<String>,
    pub username: String,
}

impl Event {
    pub fn on_display(&self) -> String {
        display_date(&self.on_date)
    }
}

/// `2026-11-28` → `28/11/2026` (other text unchanged).
pub fn display_date(iso: &str) -> String {
    match parse_birth(iso, None) {
        Ok(Some(birth @ Birth::Date(_))) => birth.display(),
        _ => iso.to_owned(),
    }
}

/// The day the Vietnam Red Cross Society was founded: nothing of its
/// members happened before it.
pub const FOUNDED: Date = time::macros::date!(1946 - 11 - 23);

/// A full date typed by a user (`dd/mm/yyyy` or ISO), from the Society's
/// founding to `today`.
pub fn parse_day(input: &str, today: Date, field: &str, errors: &mut FieldErrors) -> Option<Date> {
    let key = match parse_birth(input, None) {
        Ok(Some(Birth::Date(d))) if d < FOUNDED => "member.error.date_too_old",
        Ok(Some(Birth::Date(d))) if d <= today => return Some(d),
        Ok(Some(Birth::Date(_))) => "member.error.date_future",
        Ok(None) => "member.error.date_missing",
        _ => "member.error.date_format",
    };
    errors.insert(field.to_owned(), key.to_owned());
    None
}

pub fn iso(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

/// Who a list of the members of a year shows: those who joined, or those
/// whose membership ended, that year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Joined,
    Left,
}

impl Flow {
    pub fn parse(text: &str) -> Option<Flow> {
        match text {
            "joined" => Some(Flow::Joined),
            "left" => Some(Flow::Left),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Flow::Joined => "joined",
            Flow::Left => "left",
        }
    }

    /// Catalogue key of its counter's label.
    pub fn label_key(self) -> &'static str {
        match self {
            Flow::Joined => "counter.members_joined",
            Flow::Left => "counter.members_left",
        }
    }
}

/// Longest search, in characters and in words.
const SEARCH_CHARS: usize = 100;
const SEARCH_WORDS: usize = 6;

/// What a member search asks for: the words a name holds (folded), or a
/// member number (a single word holding a digit; `hv42` reads as the
/// system's `HV00000042`) — which, when it is also a CCCD or a phone
/// number (in any spelling: `0912 345 678`, `+84…`), finds the members
/// holding that too: a caller gives a number, not its kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchTerms {
    pub name_words: Vec<String>,
    pub number: Option<String>,
    pub cccd: Option<String>,
    pub phone: Option<String>,
}

/// `None` when the search is too long to be a name or a number.
pub fn search_terms(q: &str) -> Option<SearchTerms> {
    use crate::people::{cccd, phone};
    let q = q.trim();
    if q.chars().count() > SEARCH_CHARS {
        return None;
    }
    let compact = cccd::normalise(q);
    let is_cccd = compact.len() == 12 && compact.bytes().all(|b| b.is_ascii_digit());
    let phone = (!is_cccd && phone::looks_like_phone(q))
        .then(|| phone::normalise(q).ok())
        .flatten();
    let one_word = !q.contains(char::is_whitespace) && q.chars().any(|c| c.is_ascii_digit());
    if one_word || is_cccd || phone.is_some() {
        let number = one_word.then(|| match (q.get(..2), q.get(2..)) {
            // "hv42" is HV00000042, as the system numbers.
            (Some(prefix), Some(digits)) if prefix.eq_ignore_ascii_case("hv") => match digits.parse::<i64>() {
                Ok(n) if digits.bytes().all(|b| b.is_ascii_digit()) => member_no(n),
                _ => q.to_ascii_uppercase(),
            },
            _ => q.to_owned(),
        });
        return Some(SearchTerms {
            number,
            cccd: is_cccd.then_some(compact),
            phone,
            ..SearchTerms::default()
        });
    }
    let mut words = crate::text::tokens(q);
    words.sort_unstable();
    words.dedup();
    (words.len() <= SEARCH_WORDS).then_some(SearchTerms {
        name_words: words,
        ..SearchTerms::default()
    })
}

/// A new membership's number: `HV` and eight digits of its id, which is
/// never reused, so the number is unique nationally and never changes.
pub fn member_no(id: i64) -> String {
    format!("HV{id:08}")
}

/// A reason is required for leaving and suspension, and kept short.
pub fn check_reason(next: Status, reason: &str, errors: &mut FieldErrors) {
    let needed = matches!(next, Status::Suspended | Status::Left);
    if needed && reason.trim().is_empty() {
        errors.insert("reason".into(), "member.error.reason_missing".into());
    } else if reason.chars().count() > 500 {
        errors.insert("reason".into(), "member.error.reason_long".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn number(n: &str) -> Option<SearchTerms> {
        Some(SearchTerms {
            number: Some(n.into()),
            ..SearchTerms::default()
        })
    }

    #[test]
    fn a_short_system_number_reads_as_the_full_one() {
        assert_eq!(search_terms("HV42"), number("HV00000042"));
        assert_eq!(search_terms("hv-7a"), number("HV-7A"));
    }

    #[test]
    fn a_search_is_a_member_number_or_the_words_of_a_name() {
        let words = |w: &[&str]| {
            Some(SearchTerms {
                name_words: w.iter().map(|s| s.to_string()).collect(),
                ..SearchTerms::default()
            })
        };
        assert_eq!(search_terms("hv00000042"), number("HV00000042"));
        assert_eq!(search_terms(" 2024/15 "), number("2024/15"));
        assert_eq!(search_terms("Nguyễn  Thị Hoà nguyen"), words(&["hoa", "nguyen", "thi"]));
        assert_eq!(search_terms("50% _x"), words(&["50", "x"]));
        assert_eq!(search_terms(""), words(&[]));
        assert_eq!(search_terms("a b c d e f g"), None, "seven words");
        assert_eq!(search_terms(&"a".repeat(101)), None);
    }

    #[test]
    fn a_cccd_or_a_phone_in_any_spelling_is_also_looked_for() {
        let found = search_terms("001085012345").expect("terms");
        assert_eq!(found.cccd.as_deref(), Some("001085012345"));
        assert_eq!(
            found.number.as_deref(),
            Some("001085012345"),
            "a card may carry any number"
        );
        let spaced = search_terms("001 085 012 345").expect("terms");
        assert_eq!((spaced.cccd.as_deref(), spaced.number), (Some("001085012345"), None));
        for typed in ["0912 345 678", "+84 912 345 678", "0912.345.678", "0912345678"] {
            let found = search_terms(typed).expect("terms");
            assert_eq!(found.phone.as_deref(), Some("0912345678"), "{typed}");
            assert!(found.name_words.is_empty() && found.cccd.is_none(), "{typed}");
        }
        assert_eq!(search_terms("2024/15").and_then(|t| t.phone), None);
    }

    #[test]
    fn numbers_are_national_and_fixed_width() {
        assert_eq!(member_no(42), "HV00000042");
        assert_eq!(member_no(123_456_789), "HV123456789");
    }

    #[test]
    fn a_deceased_member_stays_so_and_a_status_must_change() {
        assert!(Status::Active.may_become(Status::Left));
        assert!(Status::Left.may_become(Status::Active));
        assert!(!Status::Active.may_become(Status::Active));
        assert!(!Status::Deceased.may_become(Status::Active));
    }

    #[test]
    fn dates_are_full_and_not_in_the_future() {
        let today = date!(2026 - 11 - 28);
        let mut errors = FieldErrors::new();
        assert_eq!(
            parse_day("03/02/2020", today, "joined_on", &mut errors),
            Some(date!(2020 - 02 - 03))
        );
        assert!(errors.is_empty());
        assert_eq!(parse_day("2020", today, "joined_on", &mut errors), None);
        assert_eq!(errors["joined_on"], "member.error.date_format");
        assert_eq!(parse_day("01/01/2027", today, "on", &mut errors), None);
        assert_eq!(errors["on"], "member.error.date_future");
        assert_eq!(parse_day("22/11/1946", today, "y", &mut errors), None);
        assert_eq!(errors["y"], "member.error.date_too_old");
        assert_eq!(parse_day("", today, "x", &mut errors), None);
        assert_eq!(errors["x"], "member.error.date_missing");
    }

    #[test]
    fn leaving_needs_a_reason() {
        let mut errors = FieldErrors::new();
        check_reason(Status::Active, "", &mut errors);
        assert!(errors.is_empty());
        check_reason(Status::Left, "  ", &mut errors);
        assert_eq!(errors["reason"], "member.error.reason_missing");
    }
}
