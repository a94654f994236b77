//! Rows whose placement copies disagree with their unit. The copies
//! (`province_id`, `commune_id`, `branch_id`) are written only by
//! `placement`, and PostgreSQL keeps no foreign keys on them (migration
//! 0020), so `nhanai check placement` reads them against the units.

use crate::db::{self, Db, Sql};

/// Examples of misplaced rows listed at most, per table.
pub const SHOWN: i64 = 100;

/// How many rows of `table` (a placed table's name, never user input)
/// sit at a unit that does not exist or whose placement is not theirs,
/// and the first `SHOWN` of them: (row id, unit id).
pub async fn misplaced(db: &Db, table: &'static str) -> Result<(i64, Vec<(i64, i64)>), sqlx::Error> {
    let same = |column: &str| format!("(t.{column} = u.{column} OR (t.{column} IS NULL AND u.{column} IS NULL))");
    let wrong = format!(
        " FROM {table} t LEFT JOIN units u ON u.id = t.unit_id WHERE u.id IS NULL OR NOT ({} AND {} AND {})",
        same("province_id"),
        same("commune_id"),
        same("branch_id")
    );
    let total = Sql::new(&format!("SELECT COUNT(*){wrong}"))
        .fetch_int(db.pool())
        .await?;
    let mut sql = Sql::new(&format!("SELECT t.id, t.unit_id{wrong} ORDER BY t.id LIMIT "));
    sql.bind(SHOWN);
    let rows = sql.fetch_all(db.pool()).await?;
    Ok((total, rows.iter().map(|r| (db::int(r, 0), db::int(r, 1))).collect()))
}
