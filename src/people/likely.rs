//! Who among the registered may be the person a form describes: the same
//! phone, or the same name born the same year. Members of a household
//! share a phone, so each match says why it matched and staff decide; the
//! matches are only those in the scope given (the persons the user may
//! change, where a match is to be reused).

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
    SameNameBirthYearAndPhone,
}

impl Likeness {
    fn rank(self) -> u8 {
        match self {
            Likeness::SameNameBirthYearAndPhone => 0,
            Likeness::SameNameAndBirthYear => 1,
            Likeness::SamePhone => 2,
        }
    }

    /// As the API names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Likeness::SamePhone => "same_phone",
            Likeness::SameNameAndBirthYear => "same_name_birth",
            Likeness::SameNameBirthYearAndPhone => "same_name_birth_phone",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Likeness::SamePhone => "likely.same_phone",
            Likeness::SameNameAndBirthYear => "likely.same_name_birth",
            Likeness::SameNameBirthYearAndPhone => "likely.same_all",
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
        let ids = storage::namesakes_born(db, scope, &sort_key(full_name), year, SHOWN as i64).await?;
        for person in storage::by_ids(db, scope, &ids).await? {
            found.push((person, Likeness::SameNameAndBirthYear));
        }
    }
    if !phone.is_empty() {
        let query = SearchQuery::Phone(phone.to_owned());
        let page = storage::search(db, scope, &query, None, SHOWN as i64).await?;
        for person in page.items {
            match found.iter_mut().find(|(p, _)| p.id == person.id) {
                Some((_, likeness)) => *likeness = Likeness::SameNameBirthYearAndPhone,
                None => found.push((person, Likeness::SamePhone)),
            }
        }
    }
    // The strongest first: name, birth and phone, then name and birth.
    found.sort_by_key(|(p, likeness)| (likeness.rank(), p.id));
    found.truncate(SHOWN);
    Ok(found)
}
