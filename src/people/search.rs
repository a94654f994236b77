//! Finding persons: the scope of a search, name matches in ranked order,
//! lists by name, the count a page shows ("27 kết quả"), and exports.

use super::model::{self, Person, SearchQuery};
use super::storage::{self, Cursor};
use super::{rank, PeopleError, PERSONS};
use crate::access::{Permission, Principal, ReadScope};
use crate::db::Db;
use crate::org::service as org;
use crate::org::Unit;
use crate::web::paging::{Page, PAGE_SIZE};

/// Name matches ranked per search at most; past it the page asks for a
/// narrower search (a common name matches thousands in a province). The
/// whole name is looked up on its own, so its matches are never crowded
/// out by partial ones.
pub const RANKED_MATCHES: usize = 200;
/// Rows a list or look-up counts exactly; past it "more than 10.000".
const COUNTED_ROWS: i64 = 10_000;

/// One page of a search, and where it sits among all matches.
pub struct Found {
    pub page: Page<Person>,
    /// The unit the search was narrowed to.
    pub unit: Option<Unit>,
    /// Rows before this page.
    pub offset: usize,
    pub total: i64,
    /// More rows match than `total` says.
    pub more: bool,
    /// Name matches, paged by position (a page can step back).
    pub ranked: bool,
}

/// The scope of a search: everything the user reads, or one unit of it.
async fn search_scope(
    db: &Db,
    user: &Principal,
    unit_code: Option<&str>,
) -> Result<(ReadScope, Option<Unit>), PeopleError> {
    let scope = user.scope(Permission::Read);
    match unit_code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok((scope, None)),
        Some(code) => {
            let unit = org::unit_by_code(db, code).await?.ok_or(PeopleError::NotFound)?;
            let within = scope.within(&unit).ok_or(PeopleError::NotFound)?;
            Ok((within, Some(unit)))
        }
    }
}

/// Searches the persons the user may read, optionally inside one unit:
/// a name in ranked order, a CCCD or phone, or (nothing typed) the list
/// by name.
pub async fn search(
    db: &Db,
    user: &Principal,
    q: &str,
    unit_code: Option<&str>,
    after: Option<&str>,
) -> Result<Found, PeopleError> {
    let (scope, unit) = search_scope(db, user, unit_code).await?;
    let cursor: Option<Cursor> = crate::web::paging::after(after)?;
    let offset = cursor.as_ref().map(Cursor::offset).unwrap_or(0);
    let query = model::parse_query(q);
    if let SearchQuery::Name(words) = &query {
        // Name matches continue only from a position among them.
        if matches!(cursor, Some(Cursor::Key { .. })) || offset > RANKED_MATCHES {
            return Err(crate::web::paging::BadCursor.into());
        }
        let cap = RANKED_MATCHES as i64 + 1;
        let mut matches = storage::exact_names(db, &scope, &rank::exact_key(words), cap).await?;
        let partial = storage::ranked_names(db, &scope, words, cap).await?;
        let more = matches.len() > RANKED_MATCHES || partial.len() > RANKED_MATCHES;
        matches.extend(partial);
        let mut ranked = rank::rank(matches, words);
        ranked.truncate(RANKED_MATCHES);
        let ids: Vec<i64> = ranked
            .iter()
            .skip(offset)
            .take(PAGE_SIZE as usize)
            .map(|m| m.0)
            .collect();
        let items = storage::by_ids(db, &scope, &ids).await?;
        let end = offset + ids.len();
        let next = (end < ranked.len()).then(|| crate::web::paging::CursorKey::encode(&Cursor::At(end)));
        return Ok(Found {
            page: Page { items, next },
            unit,
            offset,
            total: ranked.len() as i64,
            more,
            ranked: true,
        });
    }
    if matches!(cursor, Some(Cursor::At(_))) {
        // A position in ranked name matches continues no list.
        return Err(crate::web::paging::BadCursor.into());
    }
    let page = storage::search(db, &scope, &query, cursor.as_ref(), PAGE_SIZE).await?;
    let (total, more) = match whole_unit(user, unit.as_ref(), &query) {
        Some(counted) => (counted_persons(db, &counted).await?, false),
        None => {
            let n = storage::count(db, &scope, &query, COUNTED_ROWS + 1).await?;
            (n.min(COUNTED_ROWS), n > COUNTED_ROWS)
        }
    };
    Ok(Found {
        page,
        unit,
        offset,
        total,
        more,
        ranked: false,
    })
}

/// The unit whose counter answers "how many": a list of a whole unit the
/// user reads entirely (the unit asked for, or the user's only unit).
fn whole_unit(user: &Principal, unit: Option<&Unit>, query: &SearchQuery) -> Option<Unit> {
    if !matches!(query, SearchQuery::All) {
        return None;
    }
    let unit = match (unit, user.grants()) {
        (Some(unit), _) => unit.clone(),
        (None, [only]) => only.unit.clone(),
        _ => return None,
    };
    user.may(Permission::Read, &unit.placement).then_some(unit)
}

async fn counted_persons(db: &Db, unit: &Unit) -> Result<i64, sqlx::Error> {
    let counters: Vec<_> = PERSONS.counters.to_vec();
    let counts = org::counts_of(db, &counters, unit).await?;
    Ok(counters
        .first()
        .map(|c| counts.get(c.name, org::count_key(unit)))
        .unwrap_or(0))
}

/// Every person of a search (up to `limit`), streamed from one query.
pub async fn export(
    db: &Db,
    user: &Principal,
    q: &str,
    unit_code: Option<&str>,
    limit: i64,
) -> Result<crate::db::RowStream<Person>, PeopleError> {
    let (scope, _) = search_scope(db, user, unit_code).await?;
    Ok(storage::export(db, &scope, &model::parse_query(q), limit).await?)
}
