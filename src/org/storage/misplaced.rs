//! Rows whose placement disagrees with the tree. The copies
//! (`province_id`, `commune_id`, `branch_id`) are written only by
//! `placement`, and PostgreSQL keeps no foreign keys on them (migration
//! 0020), so `nhanai check placement` reads them against the units; rows
//! that follow a record (a membership its person) must also sit at its
//! unit.

use sqlx::Row;

use crate::db::{self, Db, Sql};
use crate::org::tree::Placement;

/// Examples of misplaced rows listed at most, per table.
pub const SHOWN: i64 = 100;

/// A misplaced row: its copies, and what they should be (none when its
/// unit does not exist); or the unit of the record it follows, when that
/// is not its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Misplaced {
    pub id: i64,
    pub unit_id: i64,
    pub copies: Placement,
    pub unit: Option<Placement>,
    pub followed_unit: Option<i64>,
}

/// The same copy on both sides; NULL on one side only is a difference.
fn same(column: &str) -> String {
    format!("COALESCE(t.{column}, -1) = COALESCE(u.{column}, -1)")
}

/// How many rows of `table` (a placed table's name, never user input) are
/// placed unlike their unit, or away from the unit of the record they
/// follow (`follows`: the followed table and the column naming it), and
/// the first `SHOWN` of them.
pub async fn misplaced(
    db: &Db,
    table: &'static str,
    follows: Option<(&'static str, &'static str)>,
) -> Result<(i64, Vec<Misplaced>), sqlx::Error> {
    let (join, away) = match follows {
        Some((followed, column)) => (
            format!(" LEFT JOIN {followed} f ON f.id = t.{column}"),
            " OR (f.id IS NOT NULL AND f.unit_id <> t.unit_id)",
        ),
        None => (String::new(), ""),
    };
    let wrong = format!(
        " FROM {table} t LEFT JOIN units u ON u.id = t.unit_id{join} WHERE u.id IS NULL OR NOT ({} AND {} AND {}){away}",
        same("province_id"),
        same("commune_id"),
        same("branch_id"),
    );
    let total = Sql::new(&format!("SELECT COUNT(*){wrong}"))
        .fetch_int(db.pool())
        .await?;
    if total == 0 {
        return Ok((0, Vec::new()));
    }
    let followed = if follows.is_some() { "f.unit_id" } else { "NULL" };
    let mut sql = Sql::new(&format!(
        "SELECT t.id, t.unit_id, t.province_id, t.commune_id, t.branch_id, u.id, u.province_id, u.commune_id, \
         u.branch_id, CASE WHEN {followed} <> t.unit_id THEN {followed} END{wrong} ORDER BY t.id LIMIT "
    ));
    sql.bind(SHOWN);
    let mut out = Vec::new();
    for row in sql.fetch_all(db.pool()).await? {
        let unit: Option<i64> = row.try_get(5)?;
        out.push(Misplaced {
            id: db::int(&row, 0),
            unit_id: db::int(&row, 1),
            copies: crate::org::storage::placement::of_row(&row, 2)?,
            unit: match unit {
                Some(_) => Some(crate::org::storage::placement::of_row(&row, 6)?),
                None => None,
            },
            followed_unit: row.try_get(9)?,
        });
    }
    Ok((total, out))
}
