//! Stored data read against the records it derives from (`nhanai check`):
//! counters against a count of the rows, placement copies against the
//! units.

use super::placed::PlacedTable;
use super::storage;
use crate::db::Db;

pub use super::storage::misplaced::Misplaced;

/// Stored counts that differ from the records: (counter, unit id, stored, actual).
pub async fn counter_drift(db: &Db, table: &PlacedTable) -> Result<Vec<(&'static str, i64, i64, i64)>, sqlx::Error> {
    let mut out = Vec::new();
    for counter in table.counters {
        let source = counter.source(table.table);
        for (unit, stored, actual) in
            storage::counters::drift(db, counter.name, &counter.aggregate("c"), &source).await?
        {
            out.push((counter.name, unit, stored, actual));
        }
    }
    Ok(out)
}

/// Rows of `table` placed unlike their unit, or away from the record
/// they follow: how many, and the first of them.
pub async fn misplaced(db: &Db, table: &PlacedTable) -> Result<(i64, Vec<Misplaced>), sqlx::Error> {
    let follows = table.follows.map(|f| (f.table, f.column));
    storage::misplaced::misplaced(db, table.table, follows).await
}

/// Stored counts by sex and birth year that differ from the records:
/// (counter, unit id, sex, birth year (0: unknown), stored, actual).
pub async fn demographic_drift(
    db: &Db,
    table: &PlacedTable,
) -> Result<Vec<(&'static str, i64, String, i64, i64, i64)>, sqlx::Error> {
    let mut out = Vec::new();
    for counter in table.counters {
        let Some(demo) = counter.demographics else { continue };
        let source = counter.source(table.table);
        for (unit, sex, year, stored, actual) in storage::demographics::drift(db, counter.name, &source, &demo).await? {
            out.push((counter.name, unit, sex, year, stored, actual));
        }
    }
    Ok(out)
}
