//! Per-unit counts by sex and birth year (`unit_demographics`), kept in
//! the same transaction as the change by `placement`, like `unit_counts`.
//! A row counts the records placed anywhere in its unit's subtree; birth
//! year 0 stands for unknown. The country is the sum of its provinces.

use std::collections::HashMap;

use sqlx::{Any, Row, Transaction};

use crate::db::{self, Db, Sql};
use crate::org::demography::BAND_STARTS;
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
        year = demo.birth_year,
        from = demo.from(table)
    )
}

fn group_by(demo: &Demographics, column: &str) -> String {
    format!(
        " GROUP BY t.{column}, {sex}, COALESCE({year}, 0)",
        sex = demo.sex,
        year = demo.birth_year
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
        year = demo.birth_year,
        from = demo.from(table)
    ));
    sql.bind(unit_id);
    sql.push(&format!(
        " GROUP BY {sex}, COALESCE({year}, 0)",
        sex = demo.sex,
        year = demo.birth_year
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
                year = demo.birth_year,
                from = demo.from(table)
            ))
            .push(&group_by(demo, column));
        sql.execute(&mut **tx).await?;
    }
    Ok(())
}

/// (sex, band, count) rows of each of `units` (`None`: the country), the
/// band of each birth year computed by the database as of `this_year`
/// (`None`: unknown year, or born after it). One expression picks a row's
/// band and the rows are summed per band: a few hundred groups for the
/// whole country, where a sum per band would evaluate every band's test on
/// every row.
pub type Rows = Vec<(String, Option<usize>, i64)>;

/// The band index of `d.birth_year` (-1: unknown or not born yet).
fn push_band(sql: &mut Sql, this_year: i64) {
    sql.push("CAST(CASE WHEN d.birth_year <= 0 OR d.birth_year > ")
        .bind(this_year)
        .push(" THEN -1");
    for (band, next) in BAND_STARTS.iter().skip(1).enumerate() {
        // Younger than the next band's start: born after this_year - next.
        sql.push(" WHEN d.birth_year > ")
            .bind(this_year - next)
            .push(&format!(" THEN {band}"));
    }
    sql.push(&format!(" ELSE {} END AS BIGINT)", BAND_STARTS.len() - 1));
}

fn banded(row: &sqlx::any::AnyRow, sex_at: usize) -> Result<(String, Option<usize>, i64), sqlx::Error> {
    let band = usize::try_from(db::int(row, sex_at + 1)).ok();
    Ok((row.try_get(sex_at)?, band, db::int(row, sex_at + 2)))
}

pub async fn read(
    db: &Db,
    counter: &str,
    units: &[Option<i64>],
    this_year: i64,
) -> Result<HashMap<Option<i64>, Rows>, sqlx::Error> {
    let mut out: HashMap<Option<i64>, Rows> = HashMap::new();
    let ids: Vec<i64> = units.iter().flatten().copied().collect();
    if !ids.is_empty() {
        let mut sql = Sql::new("SELECT d.unit_id, d.sex, ");
        push_band(&mut sql, this_year);
        sql.push(" AS band, CAST(SUM(d.value) AS BIGINT) FROM unit_demographics d WHERE d.counter = ")
            .bind(counter.to_owned())
            .push(" AND d.unit_id IN (")
            .bind_list(&ids)
            .push(") GROUP BY d.unit_id, d.sex, band");
        for row in sql.fetch_all(db.pool()).await? {
            out.entry(Some(db::int(&row, 0))).or_default().push(banded(&row, 1)?);
        }
    }
    if units.contains(&None) {
        // The country: the sum of the provinces, the children of the centre.
        let mut sql = Sql::new("SELECT d.sex, ");
        push_band(&mut sql, this_year);
        sql.push(
            " AS band, CAST(SUM(d.value) AS BIGINT) FROM units u JOIN unit_demographics d ON d.unit_id = u.id \
             WHERE u.parent_id = (SELECT c.id FROM units c WHERE c.code = ",
        )
        .bind(CENTRAL_CODE.to_owned())
        .push(") AND d.counter = ")
        .bind(counter.to_owned())
        .push(" GROUP BY d.sex, band");
        let mut country = Rows::new();
        for row in sql.fetch_all(db.pool()).await? {
            country.push(banded(&row, 0)?);
        }
        out.insert(None, country);
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
