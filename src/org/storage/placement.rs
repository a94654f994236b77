//! The one code path that places records in the tree. Every placed table
//! carries `unit_id` (the owning unit) and the placement columns
//! `province_id`, `commune_id`, `branch_id`, always equal to the owning
//! unit's own placement. New records take it from an `Access`; moves and
//! merges rewrite it here, and keep the per-unit counters in step.

use std::collections::HashMap;

use sqlx::{Any, Transaction};

use sqlx::Row;

use super::{counters, demographics};
use crate::access::Access;
use crate::db::{Cell, ColumnType, Db, Sql};
use crate::org::model::Unit;
use crate::org::placed::{OnlyAt, PlacedTable};
use crate::org::tree::{Level, Placement};

/// The columns that place a new row and stamp it, as `Db::insert_rows`
/// writes them.
pub const NEW_ROW_COLUMNS: [(&str, ColumnType); 6] = [
    ("unit_id", ColumnType::Int),
    ("province_id", ColumnType::Int),
    ("commune_id", ColumnType::Int),
    ("branch_id", ColumnType::Int),
    ("created_at", ColumnType::Text),
    ("updated_at", ColumnType::Text),
];

/// A new row's cells for `NEW_ROW_COLUMNS`: where `access` writes, at `now`.
pub fn new_row_cells(access: &Access, now: &str) -> [Cell; 6] {
    let place = access.placement();
    [
        Cell::from(access.unit_id()),
        Cell::from(place.province_id),
        Cell::from(place.commune_id),
        Cell::from(place.branch_id),
        Cell::from(now),
        Cell::from(now),
    ]
}

/// Takes a shared lock on the unit `access` points to and checks that it
/// is still active and where the check found it. A record created or moved
/// there after this cannot slip past a merge running at the same time: the
/// merge waits for this transaction, or this one sees the merge.
pub async fn lock_unit(db: &Db, tx: &mut Transaction<'static, Any>, access: &Access) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("SELECT u.id FROM units u WHERE u.status = 'active' AND u.id = ");
    sql.bind(access.unit_id()).push(" AND ");
    push_placement(&mut sql, "u", &access.placement());
    sql.push(db.for_share());
    Ok(sql.fetch_optional(&mut **tx).await?.is_some())
}

/// Locks the record `id` of `table` (its row, until the transaction ends)
/// and checks that it is still where `access` found it. A record that
/// stays where it is (a person enrolled at their own branch) is held this
/// way, so that it cannot be moved or deleted underneath the change.
pub async fn lock_record(
    tx: &mut Transaction<'static, Any>,
    table: &PlacedTable,
    id: i64,
    access: &Access,
) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new(&format!("UPDATE {0} SET unit_id = unit_id WHERE id = ", table.table));
    sql.bind(id).push(" AND ");
    access.push_guard(&mut sql, table.table);
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}

/// The placement read from a row's columns `first` (province), `first + 1`
/// (commune) and `first + 2` (branch), as every placed table selects them.
pub fn of_row(row: &sqlx::any::AnyRow, first: usize) -> Result<Placement, sqlx::Error> {
    Ok(Placement {
        province_id: row.try_get(first)?,
        commune_id: row.try_get(first + 1)?,
        branch_id: row.try_get(first + 2)?,
    })
}

fn push_placement(sql: &mut Sql, alias: &str, p: &Placement) {
    let mut first = true;
    for (column, value) in [
        ("province_id", p.province_id),
        ("commune_id", p.commune_id),
        ("branch_id", p.branch_id),
    ] {
        if !first {
            sql.push(" AND ");
        }
        first = false;
        match value {
            Some(id) => sql.push(&format!("{alias}.{column} = ")).bind(id),
            None => sql.push(&format!("{alias}.{column} IS NULL")),
        };
    }
}

/// Counts (`sign` 1) or uncounts (`sign` -1) the records `ids` of
/// `table` where they sit now, in every counter the table declares (its
/// total and, if declared, by sex and birth year). Creations count after
/// the insert; deletions uncount before the delete; a change of place or
/// of a counted field uncounts before and counts after. This is the one
/// place counters follow records.
pub async fn counted(
    tx: &mut Transaction<'static, Any>,
    table: &PlacedTable,
    ids: &[i64],
    sign: i64,
) -> Result<(), sqlx::Error> {
    for counter in table.counters {
        counted_in(tx, table, counter, ids, sign).await?;
    }
    Ok(())
}

async fn counted_in(
    tx: &mut Transaction<'static, Any>,
    table: &PlacedTable,
    counter: &crate::org::placed::Counter,
    ids: &[i64],
    sign: i64,
) -> Result<(), sqlx::Error> {
    let mut totals: HashMap<i64, i64> = HashMap::new();
    let mut groups = demographics::Deltas::new();
    let (extra, join) = match counter.demographics {
        Some(d) => (format!(", {}, COALESCE({}, 0)", d.sex, d.year), d.join),
        None => (String::new(), ""),
    };
    // Summed by place (and sex and year) in the database: a few rows back
    // per statement rather than one per record.
    for chunk in ids.chunks(500) {
        let mut sql = Sql::new(&format!(
            "SELECT t.province_id, t.commune_id, t.branch_id, CAST(SUM({}) AS BIGINT), COUNT(*){extra} \
             FROM {} t {join} WHERE t.id IN (",
            counter.measure("t"),
            counter.source(table.table)
        ));
        sql.bind_list(chunk)
            .push(") GROUP BY t.province_id, t.commune_id, t.branch_id")
            .push(&extra);
        for row in sql.fetch_all(&mut **tx).await? {
            let units: Vec<i64> = (0..3)
                .filter_map(|i| row.try_get::<Option<i64>, _>(i).ok().flatten())
                .collect();
            let (weight, rows) = (crate::db::int(&row, 3), crate::db::int(&row, 4));
            for unit in &units {
                *totals.entry(*unit).or_default() += sign * weight;
            }
            if counter.demographics.is_some() {
                let sex: String = row.try_get(5)?;
                let year = crate::db::int(&row, 6);
                for unit in units {
                    *groups.entry((unit, sex.clone(), year)).or_default() += sign * rows;
                }
            }
        }
    }
    counters::add(tx, counter.name, &totals).await?;
    demographics::add(tx, counter.name, &groups).await
}

/// The tables among `tables` holding rows that follow the record `id` of
/// `table` (its roles): while there are any, the record does not move or
/// go on its own.
pub async fn followers(
    tx: &mut Transaction<'static, Any>,
    tables: &[PlacedTable],
    table: &PlacedTable,
    id: i64,
) -> Result<Vec<&'static str>, sqlx::Error> {
    let mut out = Vec::new();
    for follower in tables {
        let Some(follows) = follower.follows.filter(|f| f.table == table.table) else {
            continue;
        };
        let mut sql = Sql::new(&format!("SELECT 1 FROM {} WHERE {} = ", follower.table, follows.column));
        sql.bind(id).push(" LIMIT 1");
        if sql.fetch_optional(&mut **tx).await?.is_some() {
            out.push(follower.table);
        }
    }
    Ok(out)
}

/// The tables among `tables` whose rows name the record `id` of `table`
/// (its roles and references, such as a cadre's position): while there are
/// any, the record is not deleted.
pub async fn referrers(
    tx: &mut Transaction<'static, Any>,
    tables: &[PlacedTable],
    table: &PlacedTable,
    id: i64,
) -> Result<Vec<&'static str>, sqlx::Error> {
    let mut out = Vec::new();
    for other in tables {
        let Some(column) = other.names(table.table) else {
            continue;
        };
        let mut sql = Sql::new(&format!("SELECT 1 FROM {} WHERE {column} = ", other.table));
        sql.bind(id).push(" LIMIT 1");
        if sql.fetch_optional(&mut **tx).await?.is_some() {
            out.push(other.table);
        }
    }
    Ok(out)
}

/// Rewrites the copies of the record `id`'s `sort_key` kept by the rows
/// naming it (`Follows::sort_key`), after a change of its name.
pub async fn copy_sort_key(
    tx: &mut Transaction<'static, Any>,
    tables: &[PlacedTable],
    table: &PlacedTable,
    id: i64,
) -> Result<(), sqlx::Error> {
    for other in tables {
        for follows in other.follows.iter().chain(&other.refers) {
            if follows.table != table.table || !follows.sort_key {
                continue;
            }
            let mut sql = Sql::new(&format!(
                "UPDATE {} SET sort_key = (SELECT r.sort_key FROM {} r WHERE r.id = ",
                other.table, table.table
            ));
            sql.bind(id).push(&format!(") WHERE {} = ", follows.column)).bind(id);
            sql.execute(&mut **tx).await?;
        }
    }
    Ok(())
}

/// Uncounts (`sign` -1) or counts (+1) the rows naming the record `id`
/// of `table` whose counters read its fields (a member's or a cadre's sex
/// and age are its person's): around a change of those fields, like
/// `counted`.
pub async fn followers_counted(
    tx: &mut Transaction<'static, Any>,
    tables: &[PlacedTable],
    table: &PlacedTable,
    id: i64,
    sign: i64,
) -> Result<(), sqlx::Error> {
    for other in tables {
        let Some(column) = other.names(table.table) else {
            continue;
        };
        if other.counters.iter().all(|c| c.demographics.is_none()) {
            continue;
        }
        let mut sql = Sql::new(&format!("SELECT id FROM {} WHERE {column} = ", other.table));
        sql.bind(id);
        let ids: Vec<i64> = sql
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| crate::db::int(r, 0))
            .collect();
        counted(tx, other, &ids, sign).await?;
    }
    Ok(())
}

/// Counts every record of `table` again (after a bulk load).
pub async fn recount(tx: &mut Transaction<'static, Any>, table: &PlacedTable) -> Result<(), sqlx::Error> {
    for counter in table.counters {
        let source = counter.source(table.table);
        counters::recount_all(tx, counter.name, &counter.aggregate("c"), &source).await?;
        if let Some(demo) = counter.demographics {
            demographics::recount_all(tx, counter.name, &source, &demo).await?;
        }
    }
    Ok(())
}

/// Moves one record of `table` from the unit of `from` to the unit of
/// `to`, both proven by the access check. False when the record is no
/// longer where `from` found it (changed or merged meanwhile).
pub async fn move_record(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    table: &PlacedTable,
    id: i64,
    from: &Access,
    to: &Access,
) -> Result<bool, sqlx::Error> {
    if from.unit_id() == to.unit_id() {
        return Ok(true);
    }
    if !lock_unit(db, tx, to).await? {
        return Ok(false);
    }
    counted(tx, table, &[id], -1).await?;
    let p = to.placement();
    let mut sql = Sql::new(&format!("UPDATE {} SET unit_id = ", table.table));
    sql.bind(to.unit_id())
        .push(", province_id = ")
        .bind(p.province_id)
        .push(", commune_id = ")
        .bind(p.commune_id);
    sql.push(", branch_id = ")
        .bind(p.branch_id)
        .push(" WHERE id = ")
        .bind(id);
    sql.push(" AND ");
    from.push_guard(&mut sql, table.table);
    if sql.execute(&mut **tx).await?.rows_affected() != 1 {
        return Ok(false);
    }
    counted(tx, table, &[id], 1).await?;
    Ok(true)
}

/// The rules of rows following records of `table` (`Follows::only_at`),
/// each with the follower's table and its column naming the record.
fn only_at_rules<'a>(
    tables: &'a [PlacedTable],
    table: &'a PlacedTable,
) -> impl Iterator<Item = (&'static str, &'static str, OnlyAt)> + 'a {
    tables.iter().filter_map(move |follower| {
        let follows = follower.follows.filter(|f| f.table == table.table)?;
        Some((follower.table, follows.column, follows.only_at?))
    })
}

/// Of the records `ids`, those followed by a row that `only` refuses at
/// the unit `to`.
fn refused_sql(follower: &str, column: &str, only: &OnlyAt, ids: &[i64], to: i64) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT DISTINCT f.{column} FROM {follower} f WHERE f.{column} IN ("
    ));
    sql.bind_list(ids)
        .push(&format!(
            ") AND {} AND NOT EXISTS (SELECT 1 FROM units u WHERE u.id = ",
            only.rows
        ))
        .bind(to)
        .push(&format!(" AND {})", only.condition));
    sql
}

/// The first rule of a row following the record `id` of `table` that the
/// unit `to` breaks (`Follows::only_at`), if any: the record cannot move
/// there with its roles.
pub async fn followers_refused_at(
    tx: &mut Transaction<'static, Any>,
    tables: &[PlacedTable],
    table: &PlacedTable,
    id: i64,
    to: i64,
) -> Result<Option<OnlyAt>, sqlx::Error> {
    for (follower, column, only) in only_at_rules(tables, table) {
        if refused_sql(follower, column, &only, &[id], to)
            .fetch_optional(&mut **tx)
            .await?
            .is_some()
        {
            return Ok(Some(only));
        }
    }
    Ok(None)
}

/// The first rule (`Follows::only_at`) that a merge of `source` into
/// `target` would break: rows held by the source itself move to the
/// target, and some may only sit at units of a kind (pupils at schools).
pub async fn merge_refused(
    tx: &mut Transaction<'static, Any>,
    tables: &[PlacedTable],
    source: i64,
    target: i64,
) -> Result<Option<OnlyAt>, sqlx::Error> {
    for follower in tables {
        let Some(only) = follower.follows.and_then(|f| f.only_at) else {
            continue;
        };
        let mut sql = Sql::new(&format!("SELECT 1 FROM {} f WHERE f.unit_id = ", follower.table));
        sql.bind(source).push(&format!(
            " AND {} AND NOT EXISTS (SELECT 1 FROM units u WHERE u.id = ",
            only.rows
        ));
        sql.bind(target).push(&format!(" AND {}) LIMIT 1", only.condition));
        if sql.fetch_optional(&mut **tx).await?.is_some() {
            return Ok(Some(only));
        }
    }
    Ok(None)
}

/// `followers_refused_at` for many records (an import's): the refused
/// ones, each with the rule it breaks.
pub async fn followers_refused_among(
    db: &Db,
    tables: &[PlacedTable],
    table: &PlacedTable,
    ids: &[i64],
    to: i64,
) -> Result<HashMap<i64, OnlyAt>, sqlx::Error> {
    let mut out = HashMap::new();
    for (follower, column, only) in only_at_rules(tables, table) {
        for chunk in ids.chunks(500) {
            for row in refused_sql(follower, column, &only, chunk, to)
                .fetch_all(db.pool())
                .await?
            {
                out.entry(crate::db::int(&row, 0)).or_insert(only);
            }
        }
    }
    Ok(out)
}

/// Moves the record `id` of `table` and every row following it (its
/// roles in `tables`: a person's membership and volunteer record) from the
/// unit of `from` to the unit of `to`: a record and its roles sit in one
/// place. False when any of them is no longer where `from` found it.
pub async fn move_with_followers(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    tables: &[PlacedTable],
    table: &PlacedTable,
    id: i64,
    from: &Access,
    to: &Access,
) -> Result<bool, sqlx::Error> {
    if !move_record(db, tx, table, id, from, to).await? {
        return Ok(false);
    }
    for follower in tables {
        let Some(follows) = follower.follows.filter(|f| f.table == table.table) else {
            continue;
        };
        let mut sql = Sql::new(&format!(
            "SELECT id FROM {} WHERE {} = ",
            follower.table, follows.column
        ));
        sql.bind(id).push(" ORDER BY id");
        let ids: Vec<i64> = sql
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| crate::db::int(r, 0))
            .collect();
        for row in ids {
            if !move_record(db, tx, follower, row, from, to).await? {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// Merges `source` into `target` (same level; checked by the caller): the
/// source is marked merged, its children move under the target, and every
/// unit and record below it is re-placed in all its placement columns —
/// the target's ancestors from the merged level up, its own below. Records
/// held by the source itself move to the target. Counters are recounted
/// for every unit whose subtree changed.
pub async fn merge(
    tx: &mut Transaction<'static, Any>,
    tables: &[PlacedTable],
    source: &Unit,
    target: &Unit,
    closed_at: &str,
) -> Result<(), sqlx::Error> {
    let level = source.level;
    let Some(column) = level.column() else {
        return Ok(());
    };
    let mut sql = Sql::new("UPDATE units SET status = 'merged', merged_into_id = ");
    sql.bind(target.id)
        .push(", closed_at = ")
        .bind(closed_at.to_owned())
        .push(" WHERE id = ")
        .bind(source.id);
    sql.execute(&mut **tx).await?;
    let mut sql = Sql::new("UPDATE units SET parent_id = ");
    sql.bind(target.id).push(" WHERE parent_id = ").bind(source.id);
    sql.execute(&mut **tx).await?;

    // The merged unit's own row keeps its place: it is history.
    let mut sql = replace_columns("units", level, &target.placement);
    sql.push(&format!(" WHERE {column} = ")).bind(source.id);
    sql.push(" AND id <> ").bind(source.id);
    sql.execute(&mut **tx).await?;

    for table in tables {
        let mut sql = Sql::new(&format!("UPDATE {} SET unit_id = ", table.table));
        sql.bind(target.id).push(" WHERE unit_id = ").bind(source.id);
        sql.execute(&mut **tx).await?;
        let mut sql = replace_columns(table.table, level, &target.placement);
        sql.push(&format!(" WHERE {column} = ")).bind(source.id);
        sql.execute(&mut **tx).await?;
    }

    let mut touched: Vec<(Level, i64)> = vec![(level, source.id), (level, target.id)];
    for l in [Level::Province, Level::Commune, Level::Branch]
        .into_iter()
        .filter(|l| *l < level)
    {
        touched.extend(source.placement.at(l).map(|id| (l, id)));
        touched.extend(target.placement.at(l).map(|id| (l, id)));
    }
    touched.sort();
    touched.dedup();
    for table in tables {
        for counter in table.counters {
            for (l, id) in &touched {
                let source = counter.source(table.table);
                counters::recount(tx, counter.name, &counter.aggregate("c"), &source, *l, *id).await?;
                if let Some(demo) = counter.demographics {
                    demographics::recount(tx, counter.name, &source, &demo, *l, *id).await?;
                }
            }
        }
    }
    Ok(())
}

/// `UPDATE table SET <every column at `level` and above> = the target's`.
fn replace_columns(table: &str, level: Level, target: &Placement) -> Sql {
    let mut sql = Sql::new(&format!("UPDATE {table} SET "));
    let mut first = true;
    for l in [Level::Province, Level::Commune, Level::Branch]
        .into_iter()
        .filter(|l| *l <= level)
    {
        if !first {
            sql.push(", ");
        }
        first = false;
        if let Some(column) = l.column() {
            sql.push(&format!("{column} = ")).bind(target.at(l));
        }
    }
    sql
}
