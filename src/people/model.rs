//! A person as the registry holds them, and the validation of what users
//! type. Pure: no HTTP, no database.

use serde::{Deserialize, Serialize};
use time::Date;
use unicode_normalization::UnicodeNormalization;

use super::{cccd, phone};
use crate::org::tree::Placement;
use crate::text;
use crate::validation::FieldErrors;

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_ADDRESS_CHARS: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub enum Sex {
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "F")]
    Female,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
        }
    }

    /// Accepts the codes and the words lists use: M/F, nam/nữ, male/female.
    pub fn parse(text: &str) -> Option<Sex> {
        match text::fold(text.trim()).as_str() {
            "m" | "nam" | "male" => Some(Sex::Male),
            "f" | "nu" | "female" => Some(Sex::Female),
            _ => None,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Sex::Male => "person.sex.male",
            Sex::Female => "person.sex.female",
        }
    }
}

/// A birth date as lists give it: a full date, or only the year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Birth {
    Year(i32),
    Date(Date),
}

impl Birth {
    pub fn year(self) -> i32 {
        match self {
            Birth::Year(y) => y,
            Birth::Date(d) => d.year(),
        }
    }

    /// ISO form for storage and the API: `1985-03-07` or `1985`.
    pub fn iso(self) -> String {
        match self {
            Birth::Year(y) => format!("{y:04}"),
            Birth::Date(d) => format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
        }
    }

    /// Day-first form for people: `07/03/1985` or `1985`.
    pub fn display(self) -> String {
        match self {
            Birth::Year(y) => format!("{y:04}"),
            Birth::Date(d) => format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year()),
        }
    }

    pub fn from_stored(year: Option<i64>, date: Option<&str>) -> Option<Birth> {
        match (date.and_then(|d| parse_birth(d, None).ok().flatten()), year) {
            (Some(b), _) => Some(b),
            (None, Some(y)) => i32::try_from(y).ok().map(Birth::Year),
            (None, None) => None,
        }
    }
}

/// Parses `dd/mm/yyyy` (also `d/m/yyyy`, `dd-mm-yyyy`, `dd.mm.yyyy`),
/// `yyyy-mm-dd` or `yyyy`. Empty means unknown. With `today`, dates in the
/// future and before 1900 are refused.
pub fn parse_birth(input: &str, today: Option<Date>) -> Result<Option<Birth>, &'static str> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    let numbers: Vec<&str> = input.split(['/', '-', '.']).collect();
    let parse = |s: &str| {
        s.trim()
            .parse::<i32>()
            .ok()
            .filter(|_| s.chars().all(|c| c.is_ascii_digit()))
    };
    let birth = match numbers.as_slice() {
        [y] if y.len() == 4 => Birth::Year(parse(y).ok_or("person.error.birth_format")?),
        [y, m, d] if y.len() == 4 => date(parse(y), parse(m), parse(d))?,
        [d, m, y] if y.len() == 4 && d.len() <= 2 && m.len() <= 2 => date(parse(y), parse(m), parse(d))?,
        _ => return Err("person.error.birth_format"),
    };
    if let Some(today) = today {
        if birth.year() < 1900 {
            return Err("person.error.birth_too_old");
        }
        let future = match birth {
            Birth::Year(y) => y > today.year(),
            Birth::Date(d) => d > today,
        };
        if future {
            return Err("person.error.birth_future");
        }
    }
    Ok(Some(birth))
}

fn date(y: Option<i32>, m: Option<i32>, d: Option<i32>) -> Result<Birth, &'static str> {
    let (Some(y), Some(m), Some(d)) = (y, m, d) else {
        return Err("person.error.birth_format");
    };
    let month = u8::try_from(m).ok().and_then(|m| time::Month::try_from(m).ok());
    let day = u8::try_from(d).ok();
    match (month, day) {
        (Some(month), Some(day)) => Date::from_calendar_date(y, month, day)
            .map(Birth::Date)
            .map_err(|_| "person.error.birth_invalid"),
        _ => Err("person.error.birth_invalid"),
    }
}

/// What a user typed or an API client sent. Every field is text, checked by
/// `validate`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PersonInput {
    pub full_name: String,
    pub sex: String,
    pub birth_date: String,
    pub cccd: String,
    pub phone: String,
    /// The commune of residence: a 2025 or pre-2025 code or name.
    pub address_commune: String,
    pub address_detail: String,
    /// Code of the owning org unit.
    pub unit: String,
}

/// Input that passed validation, normalised for storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidPerson {
    pub full_name: String,
    pub name_folded: String,
    pub sort_key: String,
    pub sex: Sex,
    pub birth: Option<Birth>,
    pub cccd: Option<String>,
    pub phone: Option<String>,
    pub address_commune: String,
    pub address_detail: String,
    pub unit_code: String,
}

fn is_name_char(c: char) -> bool {
    c.is_alphabetic() || unicode_normalization::char::is_combining_mark(c) || " '’-.".contains(c)
}

fn has_control(text: &str) -> bool {
    crate::text::has_hidden_characters(text, true)
}

/// Sort key of a name the Vietnamese way: by given name, then the rest.
pub fn sort_key(full_name: &str) -> String {
    sort_key_of_folded(&text::fold(full_name))
}

/// The sort key of a name already folded (`name_folded`).
fn sort_key_of_folded(folded: &str) -> String {
    let given = folded.rsplit(' ').next().unwrap_or_default();
    format!("{given} {folded}")
}

/// Checks every field and reports each problem against its field.
pub fn validate(input: &PersonInput, today: Date) -> Result<ValidPerson, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut fail = |field: &str, key: &str| {
        errors.entry(field.to_owned()).or_insert_with(|| key.to_owned());
    };

    let full_name: String = text::squash_spaces(&input.full_name).nfc().collect();
    if full_name.is_empty() {
        fail("full_name", "person.error.name_required");
    } else if full_name.chars().count() > MAX_NAME_CHARS {
        fail("full_name", "person.error.name_long");
    } else if !full_name.chars().all(is_name_char) || !full_name.chars().any(char::is_alphabetic) {
        fail("full_name", "person.error.name_chars");
    }

    let sex = Sex::parse(&input.sex);
    if sex.is_none() {
        fail("sex", "person.error.sex");
    }

    let birth = match parse_birth(&input.birth_date, Some(today)) {
        Ok(b) => b,
        Err(key) => {
            fail("birth_date", key);
            None
        }
    };

    let cccd = match (input.cccd.trim(), sex) {
        ("", _) => None,
        (raw, Some(sex)) => match cccd::validate(raw, sex, birth.map(Birth::year)) {
            Ok(c) => Some(c),
            Err(e) => {
                fail("cccd", e.message_key());
                None
            }
        },
        (raw, None) => match cccd::validate(raw, Sex::Male, None).or_else(|_| cccd::validate(raw, Sex::Female, None)) {
            Ok(c) => Some(c),
            Err(e) => {
                fail("cccd", e.message_key());
                None
            }
        },
    };

    let phone = match input.phone.trim() {
        "" => None,
        raw => match phone::normalise(raw) {
            Ok(p) => Some(p),
            Err(e) => {
                fail("phone", e.message_key());
                None
            }
        },
    };

    let address_detail = input.address_detail.trim().to_owned();
    if address_detail.chars().count() > MAX_ADDRESS_CHARS || has_control(&address_detail) {
        fail("address_detail", "person.error.address_long");
    }
    let address_commune = text::squash_spaces(&input.address_commune);
    if address_commune.chars().count() > MAX_NAME_CHARS {
        fail("address_commune", "person.error.commune_unknown");
    }
    let unit_code = input.unit.trim().to_owned();
    if unit_code.is_empty() || unit_code.len() > 20 {
        fail("unit", "person.error.unit_unknown");
    }

    match sex {
        Some(sex) if errors.is_empty() => {
            let name_folded = text::fold(&full_name);
            Ok(ValidPerson {
                sort_key: sort_key_of_folded(&name_folded),
                name_folded,
                full_name,
                sex,
                birth,
                cccd,
                phone,
                address_commune,
                address_detail,
                unit_code,
            })
        }
        _ => Err(errors),
    }
}

/// A reference to an org unit as shown beside a record.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UnitRef {
    #[serde(skip)]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub active: bool,
}

impl UnitRef {
    /// `Phường Ba Đình (00004)`: how forms show a unit.
    pub fn display(&self) -> String {
        format!("{} ({})", self.name, self.code)
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Address {
    /// The 2025 commune of residence.
    pub commune: Option<UnitRef>,
    /// House number, hamlet or residential group.
    pub detail: String,
}

/// A person as read back, and as the API shows them.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub id: i64,
    pub full_name: String,
    pub sex: Sex,
    /// `1985-03-07`, or the year alone when only the year is known.
    #[serde(rename = "birth_date", serialize_with = "birth_iso")]
    #[schema(value_type = Option<String>)]
    pub birth: Option<Birth>,
    pub cccd: Option<String>,
    pub phone: Option<String>,
    pub address: Address,
    /// The unit that holds the record.
    pub unit: UnitRef,
    #[serde(skip)]
    pub placement: Placement,
    /// Send it back with an edit: a stale one is refused.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

fn birth_iso<S: serde::Serializer>(birth: &Option<Birth>, s: S) -> Result<S::Ok, S::Error> {
    match birth {
        Some(b) => s.serialize_str(&b.iso()),
        None => s.serialize_none(),
    }
}

impl Person {
    /// The record as a form would show it: the starting point of an edit.
    pub fn to_input(&self) -> PersonInput {
        PersonInput {
            full_name: self.full_name.clone(),
            sex: self.sex.as_str().to_owned(),
            birth_date: self.birth.map(Birth::display).unwrap_or_default(),
            cccd: self.cccd.clone().unwrap_or_default(),
            phone: self.phone.clone().unwrap_or_default(),
            address_commune: self.address.commune.as_ref().map(UnitRef::display).unwrap_or_default(),
            address_detail: self.address.detail.clone(),
            unit: self.unit.code.clone(),
        }
    }

    /// The audited view of the record (before/after values).
    pub fn audit_view(&self) -> serde_json::Value {
        serde_json::json!({
            "full_name": self.full_name,
            "sex": self.sex.as_str(),
            "birth_date": self.birth.map(Birth::iso),
            "cccd": self.cccd,
            "phone": self.phone,
            "address_commune": self.address.commune.as_ref().map(|u| u.code.clone()),
            "address_detail": self.address.detail,
            "unit": self.unit.code,
        })
    }
}

/// What a search box holds: a CCCD, a phone number, or name words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SearchQuery {
    All,
    Cccd(String),
    Phone(String),
    Name(Vec<String>),
}

pub fn parse_query(q: &str) -> SearchQuery {
    let q = q.trim();
    let compact = cccd::normalise(q);
    if compact.len() == 12 && compact.bytes().all(|b| b.is_ascii_digit()) {
        return SearchQuery::Cccd(compact);
    }
    if phone::looks_like_phone(q) {
        if let Ok(p) = phone::normalise(q) {
            return SearchQuery::Phone(p);
        }
    }
    let mut tokens = text::tokens(q);
    tokens.truncate(8);
    if tokens.is_empty() {
        SearchQuery::All
    } else {
        SearchQuery::Name(tokens)
    }
}
