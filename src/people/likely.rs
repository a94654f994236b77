//! Who among the registered may be the person a form describes: the same
//! phone, or the same name born the same year. Members of a household
//! share a phone, so each match says why it matched and staff decide; the
//! matches are only those the user may read.

use super::model::{sort_key, Person, SearchQuery};
use super::storage;
use crate::access::ReadScope;
use crate::db::Db;

/// Matches shown at most.
const SHOWN: usize = 5;

/// Why a registered person may be the one described.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Likeness {
    SamePhone,
    SameNameAndBirthYear,
}

impl Likeness {
    pub fn label_key(self) -> &'static str {
        match self {
            Likeness::SamePhone => "likely.same_phone",
            Likeness::SameNameAndBirthYear => "likely.same_name_birth",
        }
    }
}

/// Persons of `scope` who may be `full_name`, born in `birth_year`, on
/// `phone` (normalised): those with the same name and birth year first,
/// each once, at most five.
pub async fn likely_same(
    db: &Db,
    scope: &ReadScope,
    full_name: &str,
    birth_year: Option<i64>,
    phone: &str,
) -> Result<Vec<(Person, Likeness)>, sqlx::Error> {
    let mut found: Vec<(Person, Likeness)> = Vec::new();
    if let Some(year) = birth_year {
        let namesakes = storage::exact_names(db, scope, &sort_key(full_name), 50).await?;
        let ids: Vec<i64> = namesakes.into_iter().map(|(id, _)| id).collect();
        for person in storage::by_ids(db, scope, &ids).await? {
            if person.birth.map(|b| i64::from(b.year())) == Some(year) {
                found.push((person, Likeness::SameNameAndBirthYear));
            }
        }
    }
    if !phone.is_empty() {
        let query = SearchQuery::Phone(phone.to_owned());
        let page = storage::search(db, scope, &query, None, SHOWN as i64).await?;
        for person in page.items {
            if !found.iter().any(|(p, _)| p.id == person.id) {
                found.push((person, Likeness::SamePhone));
            }
        }
    }
    found.truncate(SHOWN);
    Ok(found)
}
