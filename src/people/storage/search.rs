//! Searching the registry: lists by sort key with keyset paging, CCCD
//! and phone look-ups, name matches ranked in `model::rank`, counts, and
//! the export stream.

use sqlx::Row;

use super::{person_from_row, COLUMNS, JOINS, NAME_INDEX, PERSON_COLUMNS};
use crate::access::ReadScope;
use crate::db::{self, Db, NameQuery, Sql};
use crate::people::model::{Person, SearchQuery};
use crate::web::paging::{CursorKey, Page};

/// Where the next page starts: after this sort key and id in a list, or
/// at a position of the ranked matches of a name. Each knows how many
/// rows came before it, so that a page can say "51–100".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cursor {
    Key { offset: usize, sort_key: String, id: i64 },
    At(usize),
}

impl Cursor {
    /// Rows before the page that starts here.
    pub fn offset(&self) -> usize {
        match self {
            Cursor::Key { offset, .. } | Cursor::At(offset) => *offset,
        }
    }

    /// The id a name export continues after (lists use the key).
    fn id(&self) -> i64 {
        match self {
            Cursor::Key { id, .. } => *id,
            Cursor::At(_) => 0,
        }
    }
}

impl CursorKey for Cursor {
    fn encode(&self) -> String {
        match self {
            Cursor::Key { offset, sort_key, id } => format!("{offset}.{id}~{sort_key}"),
            Cursor::At(offset) => offset.to_string(),
        }
    }

    fn decode(text: &str) -> Option<Cursor> {
        match text.split_once('~') {
            Some((position, sort_key)) => {
                let (offset, id) = position.split_once('.')?;
                Some(Cursor::Key {
                    offset: parse_offset(offset)?,
                    sort_key: sort_key.to_owned(),
                    id: id.parse().ok()?,
                })
            }
            None => parse_offset(text).map(Cursor::At),
        }
    }
}

/// A position as a cursor carries it: a count of rows, never near the
/// limits of the integer type whatever the text says.
fn parse_offset(text: &str) -> Option<usize> {
    text.parse::<u32>().ok().map(|n| n as usize)
}

/// The index tokens of the subtrees of `scope` (none for the country).
fn scope_tokens(scope: &ReadScope) -> Vec<String> {
    if scope.is_country() {
        return Vec::new();
    }
    scope
        .subtrees()
        .iter()
        .filter_map(|s| s.column())
        .map(|(column, id)| db::scope_token(column, id))
        .collect()
}

/// `p.cccd = … AND ` or `p.phone = … AND ` for look-ups; nothing for lists.
fn push_exact_match(sql: &mut Sql, query: &SearchQuery) {
    match query {
        SearchQuery::Cccd(cccd) => {
            sql.push("p.cccd = ").bind(cccd.clone()).push(" AND ");
        }
        SearchQuery::Phone(phone) => {
            sql.push("p.phone = ").bind(phone.clone()).push(" AND ");
        }
        SearchQuery::All | SearchQuery::Name(_) => {}
    }
}

/// A complete search statement: matches of `query` inside `scope`, after
/// `after`, in list order (id order for names, sort key otherwise), at
/// most `limit` rows.
async fn search_statement(
    db: &Db,
    scope: &ReadScope,
    query: &SearchQuery,
    after: Option<&Cursor>,
    limit: i64,
) -> Result<Sql, sqlx::Error> {
    let filter = |sql: &mut Sql| scope.push_filter(sql, "p");
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM "));
    if let SearchQuery::Name(words) = query {
        let tokens = scope_tokens(scope);
        let name_query = NameQuery {
            words,
            scope_tokens: &tokens,
            scope_filter: &filter,
            after: after.map(Cursor::id),
            limit,
        };
        db.push_name_matches(&mut sql, &NAME_INDEX, PERSON_COLUMNS, &name_query)
            .await?;
        sql.push(JOINS).push(" ORDER BY p.id LIMIT ").bind(limit);
        return Ok(sql);
    }
    sql.push("persons p").push(JOINS).push(" WHERE ");
    push_exact_match(&mut sql, query);
    filter(&mut sql);
    if let Some(Cursor::Key { sort_key, id, .. }) = after {
        // A row-value comparison is an index range on both backends.
        sql.push(" AND (p.sort_key, p.id) > (").bind(sort_key.clone());
        sql.push(", ").bind(*id).push(")");
    }
    sql.push(" ORDER BY p.sort_key, p.id LIMIT ").bind(limit);
    Ok(sql)
}

/// One page of persons inside `scope` that match a CCCD, a phone or
/// nothing (the whole list), by sort key (given name first) and id.
pub async fn search(
    db: &Db,
    scope: &ReadScope,
    query: &SearchQuery,
    after: Option<&Cursor>,
    limit: i64,
) -> Result<Page<Person>, sqlx::Error> {
    let sql = search_statement(db, scope, query, after, limit + 1).await?;
    let rows = sql.fetch_all(db.pool()).await?;
    let items: Vec<Person> = rows.iter().map(person_from_row).collect::<Result<_, _>>()?;
    let offset = after.map(|c| c.offset()).unwrap_or(0) + items.len().min(limit as usize);
    Ok(Page::from_rows(items, limit, |p| Cursor::Key {
        offset,
        sort_key: super::super::model::sort_key(&p.full_name),
        id: p.id,
    }))
}

/// How many persons inside `scope` match a CCCD, a phone or nothing,
/// counted up to `cap` (a count past it only says "more than").
pub async fn count(db: &Db, scope: &ReadScope, query: &SearchQuery, cap: i64) -> Result<i64, sqlx::Error> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM (SELECT 1 FROM persons p WHERE ");
    push_exact_match(&mut sql, query);
    scope.push_filter(&mut sql, "p");
    sql.push(" LIMIT ").bind(cap).push(") n");
    sql.fetch_int(db.pool()).await
}

/// The persons matching a name inside `scope`: id and sort key of at most
/// `cap` of them, in id order, for ranking (`model::rank`).
pub async fn ranked_names(
    db: &Db,
    scope: &ReadScope,
    words: &[String],
    cap: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let filter = |sql: &mut Sql| scope.push_filter(sql, "p");
    let tokens = scope_tokens(scope);
    let name_query = NameQuery {
        words,
        scope_tokens: &tokens,
        scope_filter: &filter,
        after: None,
        limit: cap,
    };
    let mut sql = Sql::new("SELECT p.id, p.sort_key FROM ");
    db.push_name_matches(&mut sql, &NAME_INDEX, "p.id, p.sort_key", &name_query)
        .await?;
    sql.push(" ORDER BY p.id LIMIT ").bind(cap);
    ids_and_keys(sql, db).await
}

/// The persons inside `scope` whose whole name is the one searched (its
/// sort key), at most `cap`, in id order: an index range on every backend.
pub async fn exact_names(
    db: &Db,
    scope: &ReadScope,
    sort_key: &str,
    cap: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let mut sql = Sql::new("SELECT p.id, p.sort_key FROM persons p WHERE p.sort_key = ");
    sql.bind(sort_key.to_owned()).push(" AND ");
    scope.push_filter(&mut sql, "p");
    sql.push(" ORDER BY p.id LIMIT ").bind(cap);
    ids_and_keys(sql, db).await
}

/// The ids of persons of `scope` with the name of `sort_key` born in
/// `birth_year`, by id.
pub async fn namesakes_born(
    db: &Db,
    scope: &ReadScope,
    sort_key: &str,
    birth_year: i64,
    cap: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let mut sql = Sql::new("SELECT p.id, p.sort_key FROM persons p WHERE p.sort_key = ");
    sql.bind(sort_key.to_owned())
        .push(" AND p.birth_year = ")
        .bind(birth_year);
    sql.push(" AND ");
    scope.push_filter(&mut sql, "p");
    sql.push(" ORDER BY p.id LIMIT ").bind(cap);
    Ok(ids_and_keys(sql, db).await?.into_iter().map(|(id, _)| id).collect())
}

/// Rows of (id, sort key), as ranking reads them.
async fn ids_and_keys(sql: Sql, db: &Db) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let rows = sql.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|row| Ok((row.try_get::<i64, _>(0)?, row.try_get::<String, _>(1)?)))
        .collect()
}

/// The persons of `ids` inside `scope`, in the order of `ids`.
pub async fn by_ids(db: &Db, scope: &ReadScope, ids: &[i64]) -> Result<Vec<Person>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM persons p{JOINS} WHERE p.id IN ("));
    sql.bind_list(ids).push(") AND ");
    scope.push_check(&mut sql, "p");
    let mut found: Vec<Person> = sql
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(person_from_row)
        .collect::<Result<_, _>>()?;
    found.sort_by_key(|p| ids.iter().position(|id| *id == p.id));
    Ok(found)
}

/// Every person inside `scope` matching `query` (up to `limit`), streamed
/// from one query in list order.
pub async fn export(
    db: &Db,
    scope: &ReadScope,
    query: &SearchQuery,
    limit: i64,
) -> Result<crate::db::RowStream<Person>, sqlx::Error> {
    let sql = search_statement(db, scope, query, None, limit).await?;
    Ok(sql.stream(db, |row| person_from_row(&row)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_carry_their_position() {
        let key = Cursor::Key {
            offset: 50,
            sort_key: "an nguyen van an".into(),
            id: 7,
        };
        assert_eq!(Cursor::decode(&key.encode()), Some(key));
        assert_eq!(Cursor::decode("100"), Some(Cursor::At(100)));
        assert_eq!(Cursor::decode("x~y"), None);
        assert_eq!(Cursor::decode("18446744073709551615.0~x"), None);
        assert_eq!(Cursor::decode("-1"), None);
    }
}
