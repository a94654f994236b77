//! Per-unit counts by sex and birth year (`unit_demographics`), kept in
//! the same transaction as the change by `placement`, like `unit_counts`.
//! A row counts the records placed anywhere in its unit's subtree; birth
//! year 0 stands for unknown. The country is the sum of its provinces.

use std::collections::HashMap;

use sqlx::{Any, Row, Transaction};

use super::counters::CounterNames;
use crate::db::{self, Backend, Db, Sql};
use crate::org::demography::birth_year_ranges;
use crate::org::model::CENTRAL_CODE;
use crate::org::placed::Demographics;
use crate::org::tree::Level;

/// (unit id, sex, birth year) → change.
pub type Deltas = HashMap<(i64, String, i64), i64>;

pub async fn add(tx: &mut Transaction<'static, Any>, counter: &str, deltas: &Deltas) -> Result<(), sqlx::Error> {
    let mut rows: Vec<(&(i64, String, i64), &i64)> = deltas.iter().filter(|(_, d)| **d != 0).collect();
    // One order for every writer: concurrent transactions lock rows alike.
    rows.sort_unstable();
    for chunk in rows.chunks(200) {
        let mut sql = Sql::new("INSERT INTO unit_demographics (unit_id, counter, sex, birth_year, value) VALUES ");
        for (i, ((unit, sex, year), delta)) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(*unit).push(", ").bind(counter.to_owned()).push(", ");
            sql.bind(sex.clone())
                .push(", ")
                .bind(*year)
                .push(", ")
                .bind(**delta)
                .push(")");
        }
        sql.push(
            " ON CONFLICT (unit_id, counter, sex, birth_year) DO UPDATE SET value = unit_demographics.value + excluded.value",
        );
        sql.execute(&mut **tx).await?;
    }
    Ok(())
}

fn select_groups(demo: &Demographics, table: &str, column: &str) -> String {
    format!(
        "SELECT t.{column}, {sex}, COALESCE({year}, 0), COUNT(*){from} WHERE t.{column} IS NOT NULL",
        sex = demo.sex,
        year = demo.year,
        from = demo.from(table)
    )
}

fn group_by(demo: &Demographics, column: &str) -> String {
    format!(
        " GROUP BY t.{column}, {sex}, COALESCE({year}, 0)",
        sex = demo.sex,
        year = demo.year
    )
}

/// Counts one unit's records again from the rows (merges). The caller
/// holds the unit's `unit_counts` row lock (`counters::recount` first).
pub async fn recount(
    tx: &mut Transaction<'static, Any>,
    counter: &str,
    table: &str,
    demo: &Demographics,
    level: Level,
    unit_id: i64,
) -> Result<(), sqlx::Error> {
    let Some(column) = level.column() else {
        return Ok(());
    };
    let mut sql = Sql::new("DELETE FROM unit_demographics WHERE unit_id = ");
    sql.bind(unit_id).push(" AND counter = ").bind(counter.to_owned());
    sql.execute(&mut **tx).await?;
    let mut sql = Sql::new("INSERT INTO unit_demographics (unit_id, counter, sex, birth_year, value) SELECT ");
    sql.bind(unit_id).push(", ").bind(counter.to_owned());
    sql.push(&format!(
        ", {sex}, COALESCE({year}, 0), COUNT(*){from} WHERE t.{column} = ",
        sex = demo.sex,
        year = demo.year,
        from = demo.from(table)
    ));
    sql.bind(unit_id);
    sql.push(&format!(
        " GROUP BY {sex}, COALESCE({year}, 0)",
        sex = demo.sex,
        year = demo.year
    ));
    sql.execute(&mut **tx).await.map(drop)
}

/// Counts every unit again (after a bulk load).
pub async fn recount_all(
    tx: &mut Transaction<'static, Any>,
    counter: &str,
    table: &str,
    demo: &Demographics,
) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM unit_demographics WHERE counter = ");
    sql.bind(counter.to_owned());
    sql.execute(&mut **tx).await?;
    for column in ["province_id", "commune_id", "branch_id"] {
        let mut sql = Sql::new("INSERT INTO unit_demographics (unit_id, counter, sex, birth_year, value) SELECT ");
        sql.push(&format!("t.{column}, "))
            .bind(counter.to_owned())
            .push(&format!(
                ", {sex}, COALESCE({year}, 0), COUNT(*){from} WHERE t.{column} IS NOT NULL",
                sex = demo.sex,
                year = demo.year,
                from = demo.from(table)
            ))
            .push(&group_by(demo, column));
        sql.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Counts by sex and band (`None`: unknown year, or born after this year)
/// of each unit asked for.
pub type Rows = Vec<(String, Option<usize>, i64)>;

/// The counts of `units` (ids; `None`: the country, the sum of its
/// provinces) by sex and age band as of `this_year`, for each of
/// `counters`, keyed by (counter, unit), summed by the database (see
/// `banded`): one statement for every counter of a page, two for the
/// country.
pub async fn read(
    db: &Db,
    counters: &[&'static str],
    units: &[Option<i64>],
    this_year: i64,
) -> Result<HashMap<(&'static str, Option<i64>), Rows>, sqlx::Error> {
    let mut out: HashMap<(&'static str, Option<i64>), Rows> = HashMap::new();
    if counters.is_empty() {
        return Ok(out);
    }
    let ids: Vec<i64> = units.iter().flatten().copied().collect();
    if !ids.is_empty() {
        let units = |sql: &mut Sql| {
            sql.bind_list(&ids);
        };
        banded(db, counters, units, this_year, |counter, unit, row| {
            out.entry((counter, Some(unit))).or_default().push(row)
        })
        .await?;
    }
    if units.contains(&None) {
        let provinces = |sql: &mut Sql| {
            sql.push("SELECT p.id FROM units p WHERE p.parent_id = (SELECT c.id FROM units c WHERE c.code = ")
                .bind(CENTRAL_CODE.to_owned())
                .push(")");
        };
        for counter in counters {
            out.entry((*counter, None)).or_default();
        }
        banded(db, counters, provinces, this_year, |counter, _, row| {
            out.entry((counter, None)).or_default().push(row)
        })
        .await?;
    }
    Ok(out)
}

/// Runs the banded sums of `counters` over the units `push_units` names
/// (the inside of an `IN (…)`), handing each (counter, unit, (sex, band,
/// count)) to `each`. Each engine gets the plan it runs fastest (a
/// province with 127 communes, ~21,700 rows a counter): SQLite sums each
/// (unit, sex, band) as one range of the primary key (5 ms, where sorting
/// the rows into groups took 10 ms); PostgreSQL hashes the rows into
/// groups (10 ms, where 2,540 range subqueries took 13 ms), read through
/// the primary key with the units in the `IN` itself (joined to a list of
/// 169 wards, it scanned the whole table: 200 ms).
async fn banded(
    db: &Db,
    counters: &[&'static str],
    push_units: impl FnOnce(&mut Sql),
    this_year: i64,
    mut each: impl FnMut(&'static str, i64, (String, Option<usize>, i64)),
) -> Result<(), sqlx::Error> {
    let ranges = birth_year_ranges(this_year);
    let band = |band: Option<usize>| band.map_or(-1, |b| b as i64);
    let names = CounterNames::new(counters);
    // The ranges are numbers of our own making, written into the text.
    let sql = match db.backend() {
        Backend::Sqlite => {
            let values: Vec<String> = ranges
                .iter()
                .map(|(b, lo, hi)| format!("({}, {lo}, {hi})", band(*b)))
                .collect();
            // Only the sums that are not zero cross to Rust: most are,
            // and each row read costs more than summing it. Materialised,
            // so that the filter does not compute each sum twice.
            let mut sql = Sql::new(&format!(
                "WITH s(sex) AS (VALUES ('M'), ('F')), b(band, lo, hi) AS (VALUES {}), \
                 k(counter) AS (VALUES ",
                values.join(", ")
            ));
            for (i, name) in names.texts.iter().enumerate() {
                sql.push(if i == 0 { "(" } else { ", (" }).bind(name.clone()).push(")");
            }
            sql.push("), u AS (SELECT u.id FROM units u WHERE u.id IN (");
            push_units(&mut sql);
            sql.push(
                ")), sums AS MATERIALIZED (SELECT u.id, s.sex, CAST(b.band AS BIGINT), (SELECT \
                 CAST(COALESCE(SUM(d.value), 0) AS BIGINT) FROM unit_demographics d WHERE d.unit_id = u.id \
                 AND d.counter = k.counter AND d.sex = s.sex AND d.birth_year BETWEEN b.lo AND b.hi) AS n, k.counter \
                 FROM u, s, b, k) SELECT * FROM sums WHERE n <> 0",
            );
            sql
        }
        Backend::Postgres => {
            let case: String = ranges
                .iter()
                .map(|(b, lo, hi)| format!(" WHEN d.birth_year BETWEEN {lo} AND {hi} THEN {}", band(*b)))
                .collect();
            let mut sql = Sql::new(&format!(
                "SELECT d.unit_id, d.sex, CAST(CASE{case} ELSE -1 END AS BIGINT) AS band, \
                 CAST(SUM(d.value) AS BIGINT), d.counter FROM unit_demographics d WHERE d.counter IN ("
            ));
            sql.bind_list(&names.texts).push(") AND d.unit_id IN (");
            push_units(&mut sql);
            sql.push(") GROUP BY d.counter, d.unit_id, d.sex, band");
            sql
        }
    };
    for row in sql.fetch_all(db.pool()).await? {
        let count = db::int(&row, 3);
        let Some(counter) = names.of(&row, 4)? else {
            continue;
        };
        if count != 0 {
            let band = usize::try_from(db::int(&row, 2)).ok();
            each(counter, db::int(&row, 0), (row.try_get(1)?, band, count));
        }
    }
    Ok(())
}

/// The counts under `year` of `units` (ids; `None` is the whole country)
/// for each of `counters`, keyed by (counter, unit): this year's events
/// for counters of events.
pub async fn read_year(
    db: &Db,
    counters: &[&'static str],
    units: &[Option<i64>],
    year: i64,
) -> Result<HashMap<(&'static str, Option<i64>), i64>, sqlx::Error> {
    let mut out = HashMap::new();
    if counters.is_empty() {
        return Ok(out);
    }
    let names = CounterNames::new(counters);
    let ids: Vec<i64> = units.iter().flatten().copied().collect();
    if !ids.is_empty() {
        let mut sql = Sql::new(
            "SELECT d.counter, d.unit_id, CAST(SUM(d.value) AS BIGINT) FROM unit_demographics d WHERE d.counter IN (",
        );
        sql.bind_list(&names.texts)
            .push(") AND d.birth_year = ")
            .bind(year)
            .push(" AND d.unit_id IN (")
            .bind_list(&ids)
            .push(") GROUP BY d.counter, d.unit_id");
        names.fetch_into(db, sql, false, &mut out).await?;
    }
    if units.contains(&None) {
        let mut sql = Sql::new(
            "SELECT d.counter, CAST(COALESCE(SUM(d.value), 0) AS BIGINT) FROM units u \
             JOIN unit_demographics d ON d.unit_id = u.id WHERE u.parent_id = (SELECT c.id FROM units c WHERE c.code = ",
        );
        sql.bind(CENTRAL_CODE.to_owned())
            .push(") AND d.counter IN (")
            .bind_list(&names.texts)
            .push(") AND d.birth_year = ")
            .bind(year)
            .push(" GROUP BY d.counter");
        names.fetch_into(db, sql, true, &mut out).await?;
    }
    Ok(out)
}

/// Stored counts that differ from the rows: (unit, sex, year, stored, actual).
pub async fn drift(
    db: &Db,
    counter: &str,
    table: &str,
    demo: &Demographics,
) -> Result<Vec<(i64, String, i64, i64, i64)>, sqlx::Error> {
    let mut actual: HashMap<(i64, String, i64), i64> = HashMap::new();
    for column in ["province_id", "commune_id", "branch_id"] {
        let sql = Sql::new(&(select_groups(demo, table, column) + &group_by(demo, column)));
        for row in sql.fetch_all(db.pool()).await? {
            actual.insert((row.try_get(0)?, row.try_get(1)?, db::int(&row, 2)), db::int(&row, 3));
        }
    }
    let mut sql = Sql::new("SELECT unit_id, sex, birth_year, value FROM unit_demographics WHERE counter = ");
    sql.bind(counter.to_owned());
    let mut stored: HashMap<(i64, String, i64), i64> = HashMap::new();
    for row in sql.fetch_all(db.pool()).await? {
        stored.insert((row.try_get(0)?, row.try_get(1)?, db::int(&row, 2)), db::int(&row, 3));
    }
    let mut keys: Vec<&(i64, String, i64)> = actual.keys().chain(stored.keys()).collect();
    keys.sort();
    keys.dedup();
    Ok(keys
        .into_iter()
        .filter_map(|k| {
            let (s, a) = (stored.get(k).copied().unwrap_or(0), actual.get(k).copied().unwrap_or(0));
            (s != a).then(|| (k.0, k.1.clone(), k.2, s, a))
        })
        .collect())
}
