//! SQL of person imports: who already holds the CCCDs of a file, who of
//! the user's scope has the same names, and many persons created at once
//! under ids reserved for them.

use std::collections::HashMap;

use sqlx::{Any, Row, Transaction};

use super::field_cells;
use crate::access::{Access, ReadScope};
use crate::db::{self, Cell, Db};
use crate::org::service::placement;

/// Values asked about in one statement (within both databases' limits).
const LOOKUP_CHUNK: usize = 1000;

/// A person holding one of the CCCDs asked about.
pub struct CccdHolder {
    pub cccd: String,
    pub id: i64,
    pub full_name: String,
    /// Inside the user's read scope.
    pub visible: bool,
}

pub async fn cccd_holders(db: &Db, scope: &ReadScope, cccds: &[String]) -> Result<Vec<CccdHolder>, sqlx::Error> {
    let mut out = Vec::new();
    for chunk in cccds.chunks(LOOKUP_CHUNK) {
        let mut sql = db.bulk_sql("SELECT p.cccd, p.id, p.full_name, CASE WHEN ");
        scope.push_filter(&mut sql, "p");
        sql.push(" THEN 1 ELSE 0 END FROM persons p WHERE p.cccd IN (");
        sql.bind_list(chunk).push(")");
        for row in sql.fetch_all(db.pool()).await? {
            out.push(CccdHolder {
                cccd: row.try_get(0)?,
                id: row.try_get(1)?,
                full_name: row.try_get(2)?,
                visible: db::int(&row, 3) == 1,
            });
        }
    }
    Ok(out)
}

/// A person of the user's scope with one of the names asked about.
pub struct NameHolder {
    pub id: i64,
    pub full_name: String,
    pub name_folded: String,
    pub birth_year: Option<i64>,
    pub birth_date: Option<String>,
    /// The commune of residence, or else the commune the record sits in.
    pub commune_id: Option<i64>,
    pub cccd: Option<String>,
}

/// The persons of `scope` whose `sort_key` is one of `sort_keys`: a sort
/// key is one to one with the folded name (`model::sort_key`), so this
/// reads the name-ordered index rather than one more of its own.
pub async fn name_holders(db: &Db, scope: &ReadScope, sort_keys: &[String]) -> Result<Vec<NameHolder>, sqlx::Error> {
    let mut out = Vec::new();
    for chunk in sort_keys.chunks(LOOKUP_CHUNK) {
        let mut sql = db.bulk_sql(
            "SELECT p.id, p.full_name, p.name_folded, p.birth_year, p.birth_date, \
             COALESCE(p.address_commune_id, p.commune_id), p.cccd FROM persons p WHERE p.sort_key IN (",
        );
        sql.bind_list(chunk).push(") AND ");
        scope.push_filter(&mut sql, "p");
        for row in sql.fetch_all(db.pool()).await? {
            out.push(NameHolder {
                id: row.try_get(0)?,
                full_name: row.try_get(1)?,
                name_folded: row.try_get(2)?,
                birth_year: row.try_get(3)?,
                birth_date: row.try_get(4)?,
                commune_id: row.try_get(5)?,
                cccd: row.try_get(6)?,
            });
        }
    }
    Ok(out)
}

/// The sort keys of the persons `ids` (as the transaction sees them), for
/// records that are listed by their person's name.
pub async fn sort_keys(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    ids: &[i64],
) -> Result<HashMap<i64, String>, sqlx::Error> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        let mut sql = db.bulk_sql("SELECT p.id, p.sort_key FROM persons p WHERE p.id IN (");
        sql.bind_list(chunk).push(")");
        for row in sql.fetch_all(&mut **tx).await? {
            out.insert(db::int(&row, 0), row.try_get(1)?);
        }
    }
    Ok(out)
}

/// Creates `persons` in the unit of `access` (already locked by the
/// caller), a statement per chunk; a CCCD taken meanwhile fails it all.
/// Returns their ids, in order (reserved first, so nothing is read back).
pub async fn insert_imported(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    persons: &[(&crate::people::model::ValidPerson, Option<i64>)],
) -> Result<Vec<i64>, sqlx::Error> {
    let now = db::now();
    let ids = db.reserve_ids(tx, "persons", persons.len()).await?;
    // Many rows: the name index is built for them in a few statements
    // rather than by the trigger row by row (SQLite; a third of the time).
    let paused = if persons.len() >= 1000 {
        db.pause_text_index(tx, &super::NAME_INDEX).await?
    } else {
        None
    };
    let mut rows = super::person_rows(db.backend(), true);
    for ((person, address), id) in persons.iter().zip(&ids) {
        let mut cells = vec![Cell::from(*id)];
        cells.extend(field_cells(db.backend(), person, *address));
        cells.extend(placement::new_row_cells(access, &now));
        rows.push(cells);
    }
    db.insert_rows(tx, rows).await?;
    if let Some(trigger) = paused {
        db.build_text_index_of(tx, &super::NAME_INDEX, &trigger, &ids).await?;
    }
    Ok(ids)
}

/// Where `persons` are: person id → placement.
pub async fn placements_of(
    db: &Db,
    persons: &[i64],
) -> Result<std::collections::HashMap<i64, crate::org::tree::Placement>, sqlx::Error> {
    let mut out = std::collections::HashMap::new();
    for chunk in persons.chunks(LOOKUP_CHUNK) {
        let mut sql = db.bulk_sql("SELECT id, province_id, commune_id, branch_id FROM persons WHERE id IN (");
        sql.bind_list(chunk).push(")");
        for row in sql.fetch_all(db.pool()).await? {
            let placement = crate::org::service::placement::of_row(&row, 1)?;
            out.insert(db::int(&row, 0), placement);
        }
    }
    Ok(out)
}
