//! SQL of the organisation tree: units, the placement of records in it
//! (`placement`), and the per-unit counters (`counters`).

pub mod counters;
pub mod demographics;
pub mod misplaced;
pub mod placement;

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::model::{branch_code, BranchKind, Level, Unit, UnitStatus};
use super::reform::{self, ReformMatch, Resolution};
use super::tree::Placement;
use super::OrgError;
use crate::db::{self, Db, Sql};

pub const UNIT_COLUMNS: &str = "u.id, u.code, u.name, u.level, u.kind, u.parent_id, u.province_id, \
     u.commune_id, u.branch_id, u.status, u.merged_into_id, u.created_at, u.closed_at";

pub fn unit_from_row(row: &AnyRow) -> Result<Unit, sqlx::Error> {
    let level: String = row.try_get("level")?;
    let status: String = row.try_get("status")?;
    Ok(Unit {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        level: Level::parse(&level).ok_or_else(|| sqlx::Error::Decode("unknown unit level".into()))?,
        kind: row.try_get("kind")?,
        parent_id: row.try_get("parent_id")?,
        placement: Placement {
            province_id: row.try_get("province_id")?,
            commune_id: row.try_get("commune_id")?,
            branch_id: row.try_get("branch_id")?,
        },
        status: UnitStatus::parse(&status),
        merged_into_id: row.try_get("merged_into_id")?,
        created_at: row.try_get("created_at")?,
        closed_at: row.try_get("closed_at")?,
    })
}

fn units_from_rows(rows: Vec<AnyRow>) -> Result<Vec<Unit>, sqlx::Error> {
    rows.iter().map(unit_from_row).collect()
}

fn select_units() -> Sql {
    Sql::new(&format!("SELECT {UNIT_COLUMNS} FROM units u WHERE "))
}

pub async fn by_code(db: &Db, code: &str) -> Result<Option<Unit>, sqlx::Error> {
    let mut sql = select_units();
    sql.push("u.code = ").bind(code.to_owned());
    sql.read_row(db).await?.as_ref().map(unit_from_row).transpose()
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Unit>, sqlx::Error> {
    Ok(by_ids(db, &[id]).await?.into_iter().next())
}

pub async fn by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Unit>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = select_units();
    sql.push("u.id IN (").bind_list(ids).push(")");
    units_from_rows(sql.fetch_all(db.pool()).await?)
}

/// The units of `codes` (those that exist), in no particular order.
pub async fn by_codes(db: &Db, codes: &[String]) -> Result<Vec<Unit>, sqlx::Error> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = select_units();
    sql.push("u.code IN (");
    for (i, code) in codes.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(code.clone());
    }
    sql.push(")");
    units_from_rows(sql.fetch_all(db.pool()).await?)
}

/// Reads a unit inside a write transaction.
pub async fn by_id_in(tx: &mut Transaction<'static, Any>, id: i64) -> Result<Option<Unit>, sqlx::Error> {
    let mut sql = select_units();
    sql.push("u.id = ").bind(id);
    sql.fetch_optional(&mut **tx)
        .await?
        .as_ref()
        .map(unit_from_row)
        .transpose()
}

/// Units by id, read and locked for a change (rename, close, merge) until
/// the transaction ends: a concurrent change of the same units waits and
/// then sees this one. Locked in id order, so two merges cannot deadlock.
pub async fn lock_for_change(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    ids: &[i64],
) -> Result<Vec<Unit>, sqlx::Error> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut sql = select_units();
    sql.push("u.id IN (").bind_list(&ids).push(") ORDER BY u.id");
    sql.push(db.for_update());
    units_from_rows(sql.fetch_all(&mut **tx).await?)
}

/// Children of a unit, active ones first, each group by code.
pub async fn children(db: &Db, parent_id: i64) -> Result<Vec<Unit>, sqlx::Error> {
    let mut sql = select_units();
    sql.push("u.parent_id = ")
        .bind(parent_id)
        .push(" ORDER BY CASE WHEN u.status = 'active' THEN 0 ELSE 1 END, u.code");
    units_from_rows(sql.fetch_all(db.pool()).await?)
}

/// Units that were merged into `id` (the history of where it came from).
pub async fn merged_into(db: &Db, id: i64) -> Result<Vec<Unit>, sqlx::Error> {
    let mut sql = select_units();
    sql.push("u.merged_into_id = ").bind(id).push(" ORDER BY u.code");
    units_from_rows(sql.fetch_all(db.pool()).await?)
}

/// Active communes with their province's code, by code (demo data,
/// benchmarks). `provinces` narrows to those province codes.
pub async fn communes_with_province(
    db: &Db,
    provinces: Option<&[&str]>,
    without_branches: bool,
) -> Result<Vec<(Unit, String)>, sqlx::Error> {
    let mut sql = Sql::new(&format!(
        "SELECT {UNIT_COLUMNS}, pr.code AS province_code FROM units u JOIN units pr ON pr.id = u.province_id \
         WHERE u.level = 'commune' AND u.status = 'active'"
    ));
    if without_branches {
        sql.push(" AND NOT EXISTS (SELECT 1 FROM units b WHERE b.parent_id = u.id)");
    }
    if let Some(codes) = provinces {
        sql.push(" AND pr.code IN (");
        for (i, code) in codes.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind((*code).to_owned());
        }
        sql.push(")");
    }
    sql.push(" ORDER BY u.code");
    sql.fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Ok((unit_from_row(r)?, r.try_get::<String, _>("province_code")?)))
        .collect()
}

/// Active branches below each child of `unit`, keyed by child id.
pub async fn branch_counts_by_child(db: &Db, unit: &Unit) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let Some(child_column) = unit.level.child().and_then(Level::column) else {
        return Ok(Vec::new());
    };
    if unit.level == Level::Commune {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!(
        "SELECT {child_column}, COUNT(*) FROM units WHERE level = 'branch' AND status = 'active'"
    ));
    if let Some(column) = unit.level.column() {
        sql.push(&format!(" AND {column} = ")).bind(unit.id);
    }
    sql.push(&format!(" GROUP BY {child_column}"));
    Ok(sql
        .fetch_all(db.pool())
        .await?
        .iter()
        .filter_map(|r| Some((r.try_get::<Option<i64>, _>(0).ok()??, db::int(r, 1))))
        .collect())
}

/// Active branches inside the subtree of `unit`.
pub async fn active_branches_below(db: &Db, unit: &Unit) -> Result<i64, sqlx::Error> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM units u WHERE u.level = 'branch' AND u.status = 'active'");
    if let Some(column) = unit.level.column() {
        // A branch is not below itself.
        sql.push(&format!(" AND u.{column} = ")).bind(unit.id);
        sql.push(" AND u.id <> ").bind(unit.id);
    }
    sql.fetch_int(db.pool()).await
}

/// Active units directly below `unit_id`, as the transaction sees them.
pub async fn active_children_count(tx: &mut Transaction<'static, Any>, unit_id: i64) -> Result<i64, sqlx::Error> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM units WHERE status = 'active' AND parent_id = ");
    sql.bind(unit_id);
    sql.fetch_int(&mut **tx).await
}

/// Opens a branch under `commune` with the next free code.
pub async fn create_branch(
    tx: &mut Transaction<'static, Any>,
    commune: &Unit,
    name: &str,
    kind: BranchKind,
) -> Result<Unit, OrgError> {
    if commune.level != Level::Commune {
        return Err(OrgError::BranchOutsideCommune);
    }
    if !commune.is_active() {
        return Err(OrgError::Inactive(commune.code.clone()));
    }
    let prefix = format!("{}-", commune.code);
    // A range on the code index ('.' follows '-' in ASCII); LIKE would scan.
    let mut sql = Sql::new("SELECT code FROM units WHERE level = 'branch' AND code >= ");
    sql.bind(prefix.clone())
        .push(" AND code < ")
        .bind(format!("{}.", commune.code));
    let used: Vec<i64> = sql
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .filter_map(|r| r.try_get::<String, _>(0).ok())
        .filter_map(|code| code.strip_prefix(&prefix).and_then(|n| n.parse().ok()))
        .collect();
    let code = branch_code(&commune.code, used.iter().max().copied().unwrap_or(0) + 1);
    let mut sql = Sql::new(
        "INSERT INTO units (code, name, name_key, level, kind, parent_id, province_id, commune_id, created_at) VALUES (",
    );
    sql.bind(code.clone())
        .push(", ")
        .bind(name.to_owned())
        .push(", ")
        .bind(reform::commune_key(name));
    sql.push(", 'branch', ")
        .bind(kind.as_str().to_owned())
        .push(", ")
        .bind(commune.id);
    sql.push(", ")
        .bind(commune.placement.province_id)
        .push(", ")
        .bind(commune.id);
    sql.push(", ").bind(db::now()).push(") RETURNING id");
    let id = db::int(
        &sql.fetch_optional(&mut **tx).await?.ok_or(sqlx::Error::RowNotFound)?,
        0,
    );
    let mut sql = Sql::new("UPDATE units SET branch_id = id WHERE id = ");
    sql.bind(id);
    sql.execute(&mut **tx).await?;
    Ok(by_id_in(tx, id).await?.ok_or(sqlx::Error::RowNotFound)?)
}

pub async fn rename(tx: &mut Transaction<'static, Any>, unit_id: i64, name: &str) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("UPDATE units SET name = ");
    sql.bind(name.to_owned())
        .push(", name_key = ")
        .bind(reform::commune_key(name));
    sql.push(" WHERE id = ").bind(unit_id);
    sql.execute(&mut **tx).await.map(drop)
}

pub async fn close(tx: &mut Transaction<'static, Any>, unit_id: i64) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("UPDATE units SET status = 'closed', closed_at = ");
    sql.bind(db::now()).push(" WHERE id = ").bind(unit_id);
    sql.execute(&mut **tx).await.map(drop)
}

/// Resolves a commune as written in a list: a 2025 code or name, or a
/// pre-2025 code or name through the reform mapping. `province_code`
/// narrows the search (old and new names repeat across provinces).
pub async fn resolve_commune(db: &Db, written: &str, province_code: Option<&str>) -> Result<Resolution, sqlx::Error> {
    let written = reform::code_in_brackets(written).unwrap_or(written.trim());
    let is_code = !written.is_empty() && written.len() <= 5 && written.chars().all(|c| c.is_ascii_digit());
    let province_id = match province_code {
        Some(code) => by_code(db, code)
            .await?
            .filter(|u| u.level == Level::Province)
            .map(|u| u.id),
        None => None,
    };
    let key = reform::commune_key(written);
    let mut sql = Sql::new("SELECT u.code FROM units u WHERE u.level = 'commune' AND u.status = 'active' AND ");
    if is_code {
        sql.push("u.code = ").bind(format!("{written:0>5}"));
    } else {
        sql.push("u.name_key = ").bind(key.clone());
    }
    if let Some(id) = province_id {
        sql.push(" AND u.province_id = ").bind(id);
    }
    let current: Vec<String> = sql
        .fetch_all(db.pool())
        .await?
        .iter()
        .filter_map(|r| r.try_get(0).ok())
        .collect();
    let mut sql = Sql::new(
        "SELECT r.old_code, r.old_name, r.old_district_name, r.old_province_name, r.new_code, r.note \
         FROM reform_communes r JOIN units n ON n.code = r.new_code WHERE ",
    );
    if is_code {
        sql.push("r.old_code = ").bind(format!("{written:0>5}"));
    } else {
        sql.push("r.old_key = ").bind(key);
    }
    if let Some(id) = province_id {
        sql.push(" AND n.province_id = ").bind(id);
    }
    let mut reformed = Vec::new();
    for r in sql.fetch_all(db.pool()).await? {
        reformed.push(ReformMatch {
            old_code: r.try_get(0)?,
            old_name: r.try_get(1)?,
            old_district_name: r.try_get(2)?,
            old_province_name: r.try_get(3)?,
            new_code: r.try_get(4)?,
            note: r.try_get(5)?,
        });
    }
    Ok(reform::decide(current, reformed))
}

/// Marks the tree as changed (a rename, closure or merge): servers drop
/// what they cached about it.
pub async fn bump_tree_version(tx: &mut Transaction<'static, Any>) -> Result<(), sqlx::Error> {
    Sql::new("UPDATE versions SET value = value + 1 WHERE name = 'tree'")
        .execute(&mut **tx)
        .await
        .map(drop)
}
