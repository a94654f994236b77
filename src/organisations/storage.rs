//! SQL of the organisations registry.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::model::{Kind, Organisation, ValidOrganisation};
use crate::access::{Access, ReadScope};
use crate::db::{self, Db, Sql};

const COLUMNS: &str = "SELECT o.id, o.name, o.kind, o.tax_code, o.address, o.phone, o.email, o.representative, \
     o.representative_title, o.representative_phone, o.note, u.code, u.name, o.version, o.province_id, \
     o.commune_id, o.branch_id FROM organisations o JOIN units u ON u.id = o.unit_id WHERE ";

fn from_row(row: &AnyRow) -> Result<Organisation, sqlx::Error> {
    let kind: String = row.try_get(2)?;
    Ok(Organisation {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        kind: Kind::parse(&kind).ok_or_else(|| sqlx::Error::Decode(format!("kind {kind}").into()))?,
        tax_code: row.try_get(3)?,
        address: row.try_get(4)?,
        phone: row.try_get(5)?,
        email: row.try_get(6)?,
        representative: row.try_get(7)?,
        representative_title: row.try_get(8)?,
        representative_phone: row.try_get(9)?,
        note: row.try_get(10)?,
        unit_code: row.try_get(11)?,
        unit_name: row.try_get(12)?,
        version: row.try_get(13)?,
        placement: crate::org::service::placement::of_row(row, 14)?,
    })
}

pub async fn get(db: &Db, scope: &ReadScope, id: i64) -> Result<Option<Organisation>, sqlx::Error> {
    let mut sql = Sql::new(COLUMNS);
    sql.push("o.id = ").bind(id).push(" AND ");
    scope.push_filter(&mut sql, "o");
    sql.fetch_optional(db.pool()).await?.as_ref().map(from_row).transpose()
}

/// Organisations in scope (and `within`) whose folded name holds `words`,
/// by name, `limit` of them.
pub async fn list(
    db: &Db,
    scope: &ReadScope,
    within: Option<(&'static str, i64)>,
    words: &[String],
    limit: i64,
) -> Result<Vec<Organisation>, sqlx::Error> {
    let mut sql = Sql::new(COLUMNS);
    scope.push_filter(&mut sql, "o");
    if let Some((column, id)) = within {
        sql.push(&format!(" AND o.{column} = ")).bind(id);
    }
    for word in words {
        sql.push(" AND o.name_folded LIKE ").bind(format!("%{word}%"));
    }
    sql.push(" ORDER BY o.name_folded, o.id LIMIT ").bind(limit);
    sql.fetch_all(db.pool()).await?.iter().map(from_row).collect()
}

/// The organisation holding `tax_code`, anywhere: its id, and whether it is in `scope`.
pub async fn tax_code_holder(db: &Db, scope: &ReadScope, tax_code: &str) -> Result<Option<(i64, bool)>, sqlx::Error> {
    let mut sql = Sql::new("SELECT o.id, CASE WHEN ");
    scope.push_filter(&mut sql, "o");
    sql.push(" THEN 1 ELSE 0 END FROM organisations o WHERE o.tax_code = ")
        .bind(tax_code.to_owned());
    Ok(sql
        .fetch_optional(db.pool())
        .await?
        .map(|r| (db::int(&r, 0), db::int(&r, 1) == 1)))
}

fn push_fields(sql: &mut Sql, v: &ValidOrganisation) {
    sql.bind(v.name.clone()).push(", ").bind(v.name_folded.clone());
    sql.push(", ")
        .bind(v.kind.as_str().to_owned())
        .push(", ")
        .bind(v.tax_code.clone());
    for text in [
        &v.address,
        &v.phone,
        &v.email,
        &v.representative,
        &v.representative_title,
        &v.representative_phone,
        &v.note,
    ] {
        sql.push(", ").bind(text.clone());
    }
}

pub async fn insert(
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    v: &ValidOrganisation,
) -> Result<i64, sqlx::Error> {
    let p = access.placement();
    let now = db::now();
    let mut sql = Sql::new(
        "INSERT INTO organisations (name, name_folded, kind, tax_code, address, phone, email, representative, \
         representative_title, representative_phone, note, unit_id, province_id, commune_id, branch_id, created_at, \
         updated_at) VALUES (",
    );
    push_fields(&mut sql, v);
    sql.push(", ").bind(access.unit_id()).push(", ").bind(p.province_id);
    sql.push(", ").bind(p.commune_id).push(", ").bind(p.branch_id);
    sql.push(", ")
        .bind(now.clone())
        .push(", ")
        .bind(now)
        .push(") RETURNING id");
    sql.fetch_int(&mut **tx).await
}

pub async fn update(
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    id: i64,
    version: i64,
    v: &ValidOrganisation,
) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new(
        "UPDATE organisations SET (name, name_folded, kind, tax_code, address, phone, email, representative, \
         representative_title, representative_phone, note) = (",
    );
    push_fields(&mut sql, v);
    sql.push("), version = version + 1, updated_at = ").bind(db::now());
    sql.push(" WHERE id = ")
        .bind(id)
        .push(" AND version = ")
        .bind(version)
        .push(" AND ");
    access.push_guard(&mut sql, "organisations");
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}

/// Communes (id, name, province id) that keep no organisation yet.
pub async fn communes_without(tx: &mut Transaction<'static, Any>) -> Result<Vec<(i64, String, i64)>, sqlx::Error> {
    let sql = Sql::new(
        "SELECT u.id, u.name, u.province_id FROM units u WHERE u.level = 'commune' AND u.status = 'active' \
         AND NOT EXISTS (SELECT 1 FROM organisations o WHERE o.unit_id = u.id) ORDER BY u.id",
    );
    let mut out = Vec::new();
    for row in sql.fetch_all(&mut **tx).await? {
        out.push((db::int(&row, 0), row.try_get(1)?, db::int(&row, 2)));
    }
    Ok(out)
}

/// Demo organisations: (commune id, province id, name), schools kept by
/// their commune.
pub async fn insert_demo(tx: &mut Transaction<'static, Any>, rows: &[(i64, i64, String)]) -> Result<(), sqlx::Error> {
    let now = db::now();
    for chunk in rows.chunks(200) {
        let mut sql = Sql::new(
            "INSERT INTO organisations (name, name_folded, kind, representative, representative_title, unit_id, \
             province_id, commune_id, branch_id, created_at, updated_at) VALUES ",
        );
        for (i, (commune, province, name)) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(name.clone()).push(", ").bind(crate::text::fold(name));
            sql.push(", 'school', 'Hiệu trưởng', 'Hiệu trưởng', ").bind(*commune);
            sql.push(", ")
                .bind(*province)
                .push(", ")
                .bind(*commune)
                .push(", NULL, ");
            sql.bind(now.clone()).push(", ").bind(now.clone()).push(")");
        }
        sql.execute(&mut **tx).await?;
    }
    Ok(())
}
