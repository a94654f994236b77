//! SQL of youth members.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::YouthMember;
use crate::access::{Access, ReadScope};
use crate::db::{self, Cell, ColumnType, Db, Rows, Sql};
use crate::org::service::placement;
use crate::people::model::Birth;

const COLUMNS: &str = "SELECT y.id, y.person_id, p.full_name, p.sex, p.birth_year, p.birth_date, y.class_name, \
     y.school_year, y.joined_on, y.status, u.code, u.name, y.version, y.province_id, y.commune_id, y.branch_id \
     FROM youth_members y JOIN persons p ON p.id = y.person_id JOIN units u ON u.id = y.unit_id WHERE ";

fn from_row(row: &AnyRow) -> Result<YouthMember, sqlx::Error> {
    let birth_date: Option<String> = row.try_get(5)?;
    let birth = Birth::from_stored(row.try_get(4)?, birth_date.as_deref());
    Ok(YouthMember {
        id: row.try_get(0)?,
        person_id: row.try_get(1)?,
        full_name: row.try_get(2)?,
        sex: row.try_get(3)?,
        birth: birth.map(Birth::iso),
        class_name: row.try_get(6)?,
        school_year: row.try_get(7)?,
        joined_on: row.try_get(8)?,
        status: row.try_get(9)?,
        branch_code: row.try_get(10)?,
        branch_name: row.try_get(11)?,
        version: row.try_get(12)?,
        placement: crate::org::service::placement::of_row(row, 13)?,
    })
}

pub async fn get(db: &Db, scope: &ReadScope, id: i64) -> Result<Option<YouthMember>, sqlx::Error> {
    let mut sql = Sql::new(COLUMNS);
    sql.push("y.id = ").bind(id).push(" AND ");
    scope.push_filter(&mut sql, "y");
    sql.fetch_optional(db.pool()).await?.as_ref().map(from_row).transpose()
}

/// Youth members in scope (and `within`, and of `school_year`), by class and name.
pub async fn list(
    db: &Db,
    scope: &ReadScope,
    within: Option<(&'static str, i64)>,
    school_year: Option<&str>,
) -> Result<Vec<YouthMember>, sqlx::Error> {
    let mut sql = Sql::new(COLUMNS);
    scope.push_filter(&mut sql, "y");
    if let Some((column, id)) = within {
        sql.push(&format!(" AND y.{column} = ")).bind(id);
    }
    if let Some(year) = school_year {
        sql.push(" AND y.school_year = ").bind(year.to_owned());
    }
    sql.push(" ORDER BY y.status, u.name, y.class_name, p.sort_key, y.id LIMIT 5000");
    sql.fetch_all(db.pool()).await?.iter().map(from_row).collect()
}

pub async fn id_of_person(tx: &mut Transaction<'static, Any>, person_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id FROM youth_members WHERE person_id = ");
    sql.bind(person_id);
    Ok(sql.fetch_optional(&mut **tx).await?.map(|r| db::int(&r, 0)))
}

/// Enrols each of `pupils` (person id, class, school year) in the school
/// branch of `access` (locked by the caller), a few statements for all;
/// their ids in order (reserved first, so nothing is read back).
pub async fn insert_many(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    pupils: &[(i64, String, String)],
    joined_on: &str,
) -> Result<Vec<i64>, sqlx::Error> {
    let now = db::now();
    let ids = db.reserve_ids(tx, "youth_members", pupils.len()).await?;
    let mut columns = vec![
        ("id", ColumnType::Int),
        ("person_id", ColumnType::Int),
        ("class_name", ColumnType::Text),
        ("school_year", ColumnType::Text),
        ("joined_on", ColumnType::Text),
        ("status", ColumnType::Text),
    ];
    columns.extend(placement::NEW_ROW_COLUMNS);
    let mut rows = Rows::new("youth_members", &columns);
    for ((person, class, year), id) in pupils.iter().zip(&ids) {
        let mut cells = vec![
            Cell::from(*id),
            Cell::from(*person),
            Cell::from(class.clone()),
            Cell::from(year.clone()),
            Cell::from(joined_on),
            Cell::from("active"),
        ];
        cells.extend(placement::new_row_cells(access, &now));
        rows.push(cells);
    }
    db.insert_rows(tx, rows).await?;
    Ok(ids)
}

pub async fn update(
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    id: i64,
    version: i64,
    (class_name, school_year, status): (&str, &str, &str),
) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("UPDATE youth_members SET class_name = ");
    sql.bind(class_name.to_owned())
        .push(", school_year = ")
        .bind(school_year.to_owned());
    sql.push(", status = ").bind(status.to_owned());
    sql.push(", version = version + 1, updated_at = ").bind(db::now());
    sql.push(" WHERE id = ")
        .bind(id)
        .push(" AND version = ")
        .bind(version)
        .push(" AND ");
    access.push_guard(&mut sql, "youth_members");
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}

/// Demo pupils: everyone of school age (11 to 18) registered at a school
/// branch, in a class of their age, this school year. Chosen by person,
/// so a second run adds nobody.
pub async fn insert_demo(
    tx: &mut Transaction<'static, Any>,
    this_year: i64,
    school_year: &str,
) -> Result<(), sqlx::Error> {
    let now = db::now();
    let mut sql = Sql::new(
        "INSERT INTO youth_members (person_id, class_name, school_year, joined_on, status, unit_id, province_id, \
         commune_id, branch_id, created_at, updated_at) SELECT p.id, CAST(",
    );
    sql.bind(this_year)
        .push(" - p.birth_year - 5 AS TEXT) || 'A' || CAST(p.id % 4 + 1 AS TEXT), ");
    sql.bind(school_year.to_owned()).push(", ");
    sql.bind(format!("{}-09-05", this_year - 1));
    sql.push(", 'active', p.unit_id, p.province_id, p.commune_id, p.branch_id, ");
    sql.bind(now.clone()).push(", ").bind(now);
    sql.push(" FROM persons p JOIN units b ON b.id = p.branch_id AND b.kind = 'school' WHERE p.birth_year BETWEEN ")
        .bind(this_year - 18)
        .push(" AND ")
        .bind(this_year - 11);
    sql.push(" AND NOT EXISTS (SELECT 1 FROM youth_members y WHERE y.person_id = p.id)");
    sql.execute(&mut **tx).await.map(drop)
}
