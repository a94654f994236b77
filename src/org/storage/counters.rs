//! Per-unit counters, kept on write in the same transaction as the change
//! (`placement`), so that unit pages and dashboards read a handful of rows
//! instead of counting a million. A row counts the records placed anywhere
//! in its unit's subtree; the country's count is the sum of its provinces.

use std::collections::HashMap;

use sqlx::{Any, Row, Transaction};

use crate::db::{self, Db, Sql};
use crate::org::tree::Level;

/// Adds `deltas` (unit id → change) to `counter`.
pub async fn add(
    tx: &mut Transaction<'static, Any>,
    counter: &str,
    deltas: &HashMap<i64, i64>,
) -> Result<(), sqlx::Error> {
    let mut deltas: Vec<(i64, i64)> = deltas.iter().filter(|(_, d)| **d != 0).map(|(u, d)| (*u, *d)).collect();
    // One order for every writer: concurrent transactions lock rows alike.
    deltas.sort_unstable();
    for chunk in deltas.chunks(300) {
        let mut sql = Sql::new("INSERT INTO unit_counts (unit_id, counter, value) VALUES ");
        for (i, (unit_id, delta)) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(*unit_id)
                .push(", ")
                .bind(counter.to_owned())
                .push(", ")
                .bind(*delta)
                .push(")");
        }
        sql.push(" ON CONFLICT (unit_id, counter) DO UPDATE SET value = unit_counts.value + excluded.value");
        sql.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Counts again, from the records themselves, what `unit_id` (of `level`)
/// holds in `table` (a table, or the counter's `source` of it).
pub async fn recount(
    tx: &mut Transaction<'static, Any>,
    counter: &str,
    aggregate: &str,
    table: &str,
    level: Level,
    unit_id: i64,
) -> Result<(), sqlx::Error> {
    let Some(column) = level.column() else {
        return Ok(());
    };
    // The counter's row lock first: a record written meanwhile either
    // committed before the count (and is counted) or adds its one after it.
    let mut lock = Sql::new("UPDATE unit_counts SET value = value WHERE unit_id = ");
    lock.bind(unit_id).push(" AND counter = ").bind(counter.to_owned());
    lock.execute(&mut **tx).await?;
    let mut sql = Sql::new(&format!("SELECT {aggregate} FROM {table} c WHERE {column} = "));
    sql.bind(unit_id);
    let value = sql.fetch_int(&mut **tx).await?;
    let mut sql = Sql::new("INSERT INTO unit_counts (unit_id, counter, value) VALUES (");
    sql.bind(unit_id)
        .push(", ")
        .bind(counter.to_owned())
        .push(", ")
        .bind(value);
    sql.push(") ON CONFLICT (unit_id, counter) DO UPDATE SET value = excluded.value");
    sql.execute(&mut **tx).await.map(drop)
}

/// Counts every unit's records of `table` again from scratch (after a
/// bulk load: one pass per level instead of an update per row).
pub async fn recount_all(
    tx: &mut Transaction<'static, Any>,
    counter: &str,
    aggregate: &str,
    table: &str,
) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM unit_counts WHERE counter = ");
    sql.bind(counter.to_owned());
    sql.execute(&mut **tx).await?;
    for column in ["province_id", "commune_id", "branch_id"] {
        let mut sql = Sql::new(&format!(
            "INSERT INTO unit_counts (unit_id, counter, value) SELECT {column}, "
        ));
        sql.bind(counter.to_owned());
        sql.push(&format!(
            ", {aggregate} FROM {table} c WHERE {column} IS NOT NULL GROUP BY {column}"
        ));
        sql.execute(&mut **tx).await?;
    }
    Ok(())
}

/// The counters a statement asks about: their names to bind, and the
/// counter a row's name column stands for.
pub(super) struct CounterNames<'a> {
    counters: &'a [&'static str],
    pub texts: Vec<String>,
}

impl<'a> CounterNames<'a> {
    pub fn new(counters: &'a [&'static str]) -> CounterNames<'a> {
        let texts = counters.iter().map(|c| (*c).to_owned()).collect();
        CounterNames { counters, texts }
    }

    /// The counter named in column `column` of `row`, if asked about.
    pub fn of(&self, row: &sqlx::any::AnyRow, column: usize) -> Result<Option<&'static str>, sqlx::Error> {
        let name: String = row.try_get(column)?;
        Ok(self.counters.iter().find(|c| **c == name).copied())
    }

    /// Runs `sql` into `out`: rows of (counter, unit id, count), or for the
    /// country (`country`) rows of (counter, count), every counter asked
    /// about being 0 where no row names it.
    pub async fn fetch_into(
        &self,
        db: &Db,
        sql: Sql,
        country: bool,
        out: &mut HashMap<(&'static str, Option<i64>), i64>,
    ) -> Result<(), sqlx::Error> {
        if country {
            for counter in self.counters {
                out.insert((*counter, None), 0);
            }
        }
        for row in sql.fetch_all(db.pool()).await? {
            let Some(name) = self.of(&row, 0)? else { continue };
            if country {
                out.insert((name, None), db::int(&row, 1));
            } else {
                out.insert((name, Some(db::int(&row, 1))), db::int(&row, 2));
            }
        }
        Ok(())
    }
}

/// The counts of `counters` for `units` (ids; `None` is the whole
/// country), keyed by (counter, unit): two statements for every counter
/// of a page (a round trip per counter was most of a unit page's time on
/// PostgreSQL).
pub async fn read(
    db: &Db,
    counters: &[&'static str],
    units: &[Option<i64>],
) -> Result<HashMap<(&'static str, Option<i64>), i64>, sqlx::Error> {
    let mut out = HashMap::new();
    if counters.is_empty() {
        return Ok(out);
    }
    let names = CounterNames::new(counters);
    let ids: Vec<i64> = units.iter().flatten().copied().collect();
    if !ids.is_empty() {
        let mut sql = Sql::new("SELECT counter, unit_id, value FROM unit_counts WHERE counter IN (");
        sql.bind_list(&names.texts)
            .push(") AND unit_id IN (")
            .bind_list(&ids)
            .push(")");
        names.fetch_into(db, sql, false, &mut out).await?;
    }
    if units.contains(&None) {
        // The country: the sum of the provinces, the children of the centre.
        let mut sql = Sql::new(
            "SELECT c.counter, CAST(COALESCE(SUM(c.value), 0) AS BIGINT) FROM units u \
             JOIN unit_counts c ON c.unit_id = u.id WHERE u.parent_id = (SELECT t.id FROM units t WHERE t.code = ",
        );
        sql.bind(crate::org::model::CENTRAL_CODE.to_owned())
            .push(") AND c.counter IN (")
            .bind_list(&names.texts)
            .push(") GROUP BY c.counter");
        names.fetch_into(db, sql, true, &mut out).await?;
    }
    Ok(out)
}

/// Every count of `counter` recomputed from the records (a consistency
/// check for tests and operators): (unit id, stored, actual) where they
/// differ.
pub async fn drift(db: &Db, counter: &str, aggregate: &str, table: &str) -> Result<Vec<(i64, i64, i64)>, sqlx::Error> {
    let mut actual: HashMap<i64, i64> = HashMap::new();
    for column in ["province_id", "commune_id", "branch_id"] {
        let sql = Sql::new(&format!(
            "SELECT {column}, {aggregate} FROM {table} c WHERE {column} IS NOT NULL GROUP BY {column}"
        ));
        for row in sql.fetch_all(db.pool()).await? {
            actual.insert(row.try_get(0)?, db::int(&row, 1));
        }
    }
    let mut sql = Sql::new("SELECT unit_id, value FROM unit_counts WHERE counter = ");
    sql.bind(counter.to_owned());
    let mut stored: HashMap<i64, i64> = HashMap::new();
    for row in sql.fetch_all(db.pool()).await? {
        stored.insert(row.try_get(0)?, db::int(&row, 1));
    }
    let mut units: Vec<i64> = actual.keys().chain(stored.keys()).copied().collect();
    units.sort_unstable();
    units.dedup();
    Ok(units
        .into_iter()
        .filter_map(|u| {
            let (s, a) = (
                stored.get(&u).copied().unwrap_or(0),
                actual.get(&u).copied().unwrap_or(0),
            );
            (s != a).then_some((u, s, a))
        })
        .collect())
}
