//! SQL of collective members: an organisation's membership of a branch.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::Collective;
use crate::access::{Access, ReadScope};
use crate::db::{self, Db, Sql};

const COLUMNS: &str = "SELECT c.id, c.organisation_id, o.name, o.kind, c.joined_on, c.head_count, c.status, \
     c.status_on, c.reason, u.code, u.name, c.version, c.province_id, c.commune_id, c.branch_id \
     FROM collective_members c JOIN organisations o ON o.id = c.organisation_id JOIN units u ON u.id = c.unit_id WHERE ";

fn from_row(row: &AnyRow) -> Result<Collective, sqlx::Error> {
    Ok(Collective {
        id: row.try_get(0)?,
        organisation_id: row.try_get(1)?,
        organisation: row.try_get(2)?,
        kind: row.try_get(3)?,
        joined_on: row.try_get(4)?,
        head_count: db::int(row, 5),
        status: row.try_get(6)?,
        status_on: row.try_get(7)?,
        reason: row.try_get(8)?,
        branch_code: row.try_get(9)?,
        branch_name: row.try_get(10)?,
        version: row.try_get(11)?,
        placement: crate::org::service::placement::of_row(row, 12)?,
    })
}

pub async fn get(db: &Db, scope: &ReadScope, id: i64) -> Result<Option<Collective>, sqlx::Error> {
    let mut sql = Sql::new(COLUMNS);
    sql.push("c.id = ").bind(id).push(" AND ");
    scope.push_filter(&mut sql, "c");
    sql.fetch_optional(db.pool()).await?.as_ref().map(from_row).transpose()
}

/// Collective members in scope (and `within`), active first, by name.
pub async fn list(
    db: &Db,
    scope: &ReadScope,
    within: Option<(&'static str, i64)>,
) -> Result<Vec<Collective>, sqlx::Error> {
    let mut sql = Sql::new(COLUMNS);
    scope.push_filter(&mut sql, "c");
    if let Some((column, id)) = within {
        sql.push(&format!(" AND c.{column} = ")).bind(id);
    }
    sql.push(" ORDER BY c.status, o.name_folded, c.id LIMIT 2000");
    sql.fetch_all(db.pool()).await?.iter().map(from_row).collect()
}

/// The collective membership of an organisation, wherever it is.
pub async fn id_of_organisation(
    tx: &mut Transaction<'static, Any>,
    organisation_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id FROM collective_members WHERE organisation_id = ");
    sql.bind(organisation_id);
    Ok(sql.fetch_optional(&mut **tx).await?.map(|r| db::int(&r, 0)))
}

pub async fn insert(
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    organisation_id: i64,
    joined_on: &str,
    head_count: i64,
) -> Result<i64, sqlx::Error> {
    let p = access.placement();
    let now = db::now();
    let mut sql = Sql::new(
        "INSERT INTO collective_members (organisation_id, joined_on, head_count, status, status_on, unit_id, \
         province_id, commune_id, branch_id, created_at, updated_at) VALUES (",
    );
    sql.bind(organisation_id).push(", ").bind(joined_on.to_owned());
    sql.push(", ")
        .bind(head_count)
        .push(", 'active', ")
        .bind(joined_on.to_owned());
    sql.push(", ").bind(access.unit_id()).push(", ").bind(p.province_id);
    sql.push(", ").bind(p.commune_id).push(", ").bind(p.branch_id);
    sql.push(", ")
        .bind(now.clone())
        .push(", ")
        .bind(now)
        .push(") RETURNING id");
    sql.fetch_int(&mut **tx).await
}

/// What a change of a collective membership writes.
pub struct Change<'a> {
    pub head_count: i64,
    pub status: &'a str,
    pub status_on: &'a str,
    pub reason: &'a str,
}

/// Writes head-count and status; false when changed meanwhile.
pub async fn update(
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    id: i64,
    version: i64,
    c: &Change<'_>,
) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("UPDATE collective_members SET head_count = ");
    sql.bind(c.head_count).push(", status = ").bind(c.status.to_owned());
    sql.push(", status_on = ")
        .bind(c.status_on.to_owned())
        .push(", reason = ")
        .bind(c.reason.to_owned());
    sql.push(", version = version + 1, updated_at = ").bind(db::now());
    sql.push(" WHERE id = ")
        .bind(id)
        .push(" AND version = ")
        .bind(version)
        .push(" AND ");
    access.push_guard(&mut sql, "collective_members");
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}

/// Demo collective members: every organisation kept by a commune joins
/// the commune's first branch, with a head-count of 20 to 99. Chosen by
/// organisation, so a second run adds nothing.
pub async fn insert_demo(tx: &mut Transaction<'static, Any>) -> Result<(), sqlx::Error> {
    let now = db::now();
    let mut sql = Sql::new(
        "INSERT INTO collective_members (organisation_id, joined_on, head_count, status, status_on, unit_id, \
         province_id, commune_id, branch_id, created_at, updated_at) SELECT o.id, '2022-09-05', 20 + o.id % 80, \
         'active', '2022-09-05', b.id, b.province_id, b.commune_id, b.id, ",
    );
    sql.bind(now.clone()).push(", ").bind(now);
    sql.push(
        " FROM organisations o JOIN units b ON b.id = (SELECT MIN(x.id) FROM units x WHERE x.parent_id = o.unit_id \
         AND x.level = 'branch' AND x.status = 'active') \
         WHERE NOT EXISTS (SELECT 1 FROM collective_members c WHERE c.organisation_id = o.id)",
    );
    sql.execute(&mut **tx).await.map(drop)
}
