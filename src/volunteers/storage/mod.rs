//! SQL of volunteers and their skills (certificates and hours: `activity`). A volunteer
//! sits where its person sits; changes hold only while the record is where
//! the access check found it (`Access::push_guard`).

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::model::{Skill, Slot, Status, Volunteer};
use crate::access::{Access, ReadScope};
use crate::db::{self, Cell, ColumnType, Db, Rows, Sql};
use crate::org::service::placement;
use crate::people::model::Birth;

mod activity;

pub use activity::{
    add_certificate, add_hours, certificate, certificates, delete_certificate, delete_hours, expiring, hours,
    hours_entry, Expiring,
};

/// The columns `volunteer_from_row` reads, in order; skills are read apart.
pub(super) const COLUMNS: &str = "SELECT v.id, v.person_id, p.full_name, p.sex, p.birth_year, p.birth_date, \
     v.status, v.joined_on, v.availability, v.away_until, v.emergency_name, v.emergency_phone, v.note, \
     u.code, u.name, v.version, v.province_id, v.commune_id, v.branch_id, \
     (SELECT CAST(COALESCE(SUM(h.tenths), 0) AS BIGINT) FROM volunteer_hours h WHERE h.volunteer_id = v.id)";
pub(super) const FROM: &str =
    " FROM volunteers v JOIN persons p ON p.id = v.person_id JOIN units u ON u.id = v.unit_id WHERE ";

pub(super) fn volunteer_from_row(row: &AnyRow) -> Result<Volunteer, sqlx::Error> {
    let status: String = row.try_get(6)?;
    let birth_date: Option<String> = row.try_get(5)?;
    let birth = Birth::from_stored(row.try_get(4)?, birth_date.as_deref());
    let availability: String = row.try_get(8)?;
    Ok(Volunteer {
        id: row.try_get(0)?,
        person_id: row.try_get(1)?,
        full_name: row.try_get(2)?,
        sex: row.try_get(3)?,
        birth: birth.map(Birth::iso),
        status: Status::parse(&status).ok_or_else(|| sqlx::Error::Decode(format!("status {status}").into()))?,
        joined_on: row.try_get(7)?,
        skills: Vec::new(),
        availability: Slot::parse_list(&availability),
        away_until: row.try_get(9)?,
        emergency_name: row.try_get(10)?,
        emergency_phone: row.try_get(11)?,
        note: row.try_get(12)?,
        unit_code: row.try_get(13)?,
        unit_name: row.try_get(14)?,
        version: row.try_get(15)?,
        placement: crate::org::service::placement::of_row(row, 16)?,
        tenths: db::int(row, 19),
    })
}

/// Fills in the skills of `volunteers` (one query).
pub async fn with_skills(db: &Db, mut volunteers: Vec<Volunteer>) -> Result<Vec<Volunteer>, sqlx::Error> {
    let ids: Vec<i64> = volunteers.iter().map(|v| v.id).collect();
    let mut skills: HashMap<i64, Vec<Skill>> = HashMap::new();
    for chunk in ids.chunks(1000) {
        let mut sql = Sql::new("SELECT volunteer_id, skill FROM volunteer_skills WHERE volunteer_id IN (");
        sql.bind_list(chunk).push(") ORDER BY volunteer_id, skill");
        for row in sql.fetch_all(db.pool()).await? {
            let skill: String = row.try_get(1)?;
            if let Some(skill) = Skill::parse(&skill) {
                skills.entry(db::int(&row, 0)).or_default().push(skill);
            }
        }
    }
    for v in &mut volunteers {
        v.skills = skills.remove(&v.id).unwrap_or_default();
        v.skills.sort_unstable();
    }
    Ok(volunteers)
}

pub async fn get(db: &Db, scope: &ReadScope, id: i64) -> Result<Option<Volunteer>, sqlx::Error> {
    let mut sql = Sql::new(&format!("{COLUMNS}{FROM}"));
    sql.push("v.id = ").bind(id).push(" AND ");
    scope.push_filter(&mut sql, "v");
    let found = sql.fetch_optional(db.pool()).await?;
    let Some(row) = found else { return Ok(None) };
    Ok(with_skills(db, vec![volunteer_from_row(&row)?]).await?.pop())
}

/// The volunteer record of a person, wherever it is (one per person).
pub async fn id_of_person(tx: &mut Transaction<'static, Any>, person_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id FROM volunteers WHERE person_id = ");
    sql.bind(person_id);
    Ok(sql.fetch_optional(&mut **tx).await?.map(|r| db::int(&r, 0)))
}

/// What a list is narrowed to besides the user's scope.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only this unit's subtree: (placement column, unit id).
    pub within: Option<(&'static str, i64)>,
    pub status: Option<Status>,
    pub skill: Option<Skill>,
}

fn push_filter(sql: &mut Sql, scope: &ReadScope, filter: &Filter) {
    scope.push_filter(sql, "v");
    if let Some((column, id)) = filter.within {
        sql.push(&format!(" AND v.{column} = ")).bind(id);
    }
    if let Some(status) = filter.status {
        sql.push(" AND v.status = ").bind(status.as_str().to_owned());
    }
    if let Some(skill) = filter.skill {
        sql.push(" AND EXISTS (SELECT 1 FROM volunteer_skills s WHERE s.volunteer_id = v.id AND s.skill = ")
            .bind(skill.as_str().to_owned())
            .push(")");
    }
}

/// A page of volunteers by name, `offset` rows in.
pub async fn list(
    db: &Db,
    scope: &ReadScope,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> Result<Vec<Volunteer>, sqlx::Error> {
    let mut sql = Sql::new(&format!("{COLUMNS}{FROM}"));
    push_filter(&mut sql, scope, filter);
    sql.push(" ORDER BY p.sort_key, v.id LIMIT ")
        .bind(limit)
        .push(" OFFSET ")
        .bind(offset);
    let rows: Vec<Volunteer> = sql
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(volunteer_from_row)
        .collect::<Result<_, _>>()?;
    with_skills(db, rows).await
}

pub async fn count(db: &Db, scope: &ReadScope, filter: &Filter) -> Result<i64, sqlx::Error> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM volunteers v WHERE ");
    push_filter(&mut sql, scope, filter);
    sql.fetch_int(db.pool()).await
}

/// The fields of a volunteer record the user writes.
#[derive(Clone)]
pub struct Fields<'a> {
    pub availability: &'a [Slot],
    pub away_until: Option<String>,
    pub emergency_name: &'a str,
    pub emergency_phone: &'a str,
    pub note: &'a str,
    pub skills: &'a [Skill],
}

/// A new volunteer record: whose, since when, and the user's fields.
pub struct NewVolunteer<'a> {
    pub person_id: i64,
    pub joined_on: &'a str,
    pub fields: Fields<'a>,
}

/// New volunteers in the unit of `access` (locked by the caller), a few
/// statements for all; their ids in order (reserved first, so nothing is
/// read back).
pub async fn insert_many(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    volunteers: &[NewVolunteer<'_>],
) -> Result<Vec<i64>, sqlx::Error> {
    let now = db::now();
    let person_ids: Vec<i64> = volunteers.iter().map(|v| v.person_id).collect();
    let sort_keys = crate::people::roles::sort_keys(db, tx, &person_ids).await?;
    let ids = db.reserve_ids(tx, "volunteers", volunteers.len()).await?;
    let mut columns = NEW_COLUMNS.to_vec();
    columns.extend(placement::NEW_ROW_COLUMNS);
    let mut rows = Rows::new("volunteers", &columns);
    let mut skills = Rows::new(
        "volunteer_skills",
        &[("volunteer_id", ColumnType::Int), ("skill", ColumnType::Text)],
    );
    for (v, id) in volunteers.iter().zip(&ids) {
        let sort_key = sort_keys
            .get(&v.person_id)
            .cloned()
            .ok_or_else(|| sqlx::Error::Protocol(format!("person {} not found for a volunteer", v.person_id)))?;
        let f = &v.fields;
        let mut cells = vec![
            Cell::from(*id),
            Cell::from(v.person_id),
            Cell::from(sort_key),
            Cell::from("active"),
            Cell::from(v.joined_on),
            Cell::from(Slot::join(f.availability)),
            Cell::from(f.away_until.clone()),
            Cell::from(f.emergency_name),
            Cell::from(f.emergency_phone),
            Cell::from(f.note),
        ];
        cells.extend(placement::new_row_cells(access, &now));
        rows.push(cells);
        for skill in f.skills {
            skills.push([Cell::from(*id), Cell::from(skill.as_str())]);
        }
    }
    db.insert_rows(tx, rows).await?;
    db.insert_rows(tx, skills).await?;
    Ok(ids)
}

/// A new volunteer record's own columns (then `placement::NEW_ROW_COLUMNS`).
const NEW_COLUMNS: [(&str, ColumnType); 10] = [
    ("id", ColumnType::Int),
    ("person_id", ColumnType::Int),
    ("sort_key", ColumnType::Text),
    ("status", ColumnType::Text),
    ("joined_on", ColumnType::Text),
    ("availability", ColumnType::Text),
    ("away_until", ColumnType::Text),
    ("emergency_name", ColumnType::Text),
    ("emergency_phone", ColumnType::Text),
    ("note", ColumnType::Text),
];

async fn set_skills(tx: &mut Transaction<'static, Any>, id: i64, skills: &[Skill]) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM volunteer_skills WHERE volunteer_id = ");
    sql.bind(id);
    sql.execute(&mut **tx).await?;
    if skills.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("INSERT INTO volunteer_skills (volunteer_id, skill) VALUES ");
    for (i, skill) in skills.iter().enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" });
        sql.bind(id).push(", ").bind(skill.as_str().to_owned()).push(")");
    }
    sql.execute(&mut **tx).await.map(drop)
}

/// Writes the user's fields and status; false when the record changed
/// meanwhile (another version, or no longer where `access` found it).
pub async fn update(
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    id: i64,
    version: i64,
    status: Status,
    fields: &Fields<'_>,
) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("UPDATE volunteers SET status = ");
    sql.bind(status.as_str().to_owned())
        .push(", availability = ")
        .bind(Slot::join(fields.availability));
    sql.push(", away_until = ").bind(fields.away_until.clone());
    sql.push(", emergency_name = ").bind(fields.emergency_name.to_owned());
    sql.push(", emergency_phone = ").bind(fields.emergency_phone.to_owned());
    sql.push(", note = ").bind(fields.note.to_owned());
    sql.push(", version = version + 1, updated_at = ").bind(db::now());
    sql.push(" WHERE id = ").bind(id).push(" AND version = ").bind(version);
    sql.push(" AND ");
    access.push_guard(&mut sql, "volunteers");
    if sql.execute(&mut **tx).await?.rows_affected() != 1 {
        return Ok(false);
    }
    set_skills(tx, id, fields.skills).await?;
    Ok(true)
}

/// Holds the volunteer's row (a certificate or hours added to it) while it
/// is where `access` found it; false otherwise.
pub async fn hold(tx: &mut Transaction<'static, Any>, access: &Access, id: i64) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("UPDATE volunteers SET updated_at = ");
    sql.bind(db::now()).push(" WHERE id = ").bind(id).push(" AND ");
    access.push_guard(&mut sql, "volunteers");
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}

/// Demo volunteers: about one adult in nine at a branch (16 to 60), with a
/// skill or two, certificates for the skills that need one — some expired,
/// some expiring soon — and chosen by person id, so a second run adds
/// nobody. `days`: (issued, expired, expiring soon, valid) as ISO dates.
pub async fn insert_demo(
    tx: &mut Transaction<'static, Any>,
    this_year: i64,
    days: [&str; 4],
) -> Result<(), sqlx::Error> {
    let now = db::now();
    let mut sql = Sql::new(
        "INSERT INTO volunteers (person_id, sort_key, status, joined_on, availability, emergency_name, emergency_phone, \
         note, unit_id, province_id, commune_id, branch_id, created_at, updated_at) \
         SELECT p.id, p.sort_key, CASE WHEN p.id % 50 = 0 THEN 'paused' ELSE 'active' END, \
         CASE p.id % 4 WHEN 0 THEN '2019-03-26' WHEN 1 THEN '2021-05-08' WHEN 2 THEN '2023-09-15' ELSE '2025-01-10' END, \
         CASE p.id % 4 WHEN 0 THEN 'weekends' WHEN 1 THEN 'evenings,weekends' WHEN 2 THEN 'emergencies' \
         ELSE 'weekdays,emergencies' END, '', '', '', p.unit_id, p.province_id, p.commune_id, p.branch_id, ",
    );
    sql.bind(now.clone()).push(", ").bind(now);
    sql.push(" FROM persons p WHERE p.id % 9 = 4 AND p.branch_id IS NOT NULL AND p.birth_year BETWEEN ")
        .bind(this_year - 60)
        .push(" AND ")
        .bind(this_year - 16);
    sql.push(" AND NOT EXISTS (SELECT 1 FROM volunteers v WHERE v.person_id = p.id)");
    sql.execute(&mut **tx).await?;
    skills_and_certificates(tx, days).await
}

/// Benchmark volunteers: every person whose id is a multiple of 4
/// (`nhanai bench members`), with skills and certificates like the demo's.
pub async fn insert_bench(tx: &mut Transaction<'static, Any>, days: [&str; 4]) -> Result<(), sqlx::Error> {
    let now = db::now();
    let mut sql = Sql::new(
        "INSERT INTO volunteers (person_id, sort_key, status, joined_on, availability, emergency_name, emergency_phone, \
         note, unit_id, province_id, commune_id, branch_id, created_at, updated_at) SELECT p.id, p.sort_key, 'active', '2023-09-15', \
         'weekends,emergencies', '', '', '', p.unit_id, p.province_id, p.commune_id, p.branch_id, ",
    );
    sql.bind(now.clone()).push(", ").bind(now);
    sql.push(" FROM persons p WHERE p.id % 4 = 0 AND NOT EXISTS (SELECT 1 FROM volunteers v WHERE v.person_id = p.id)");
    sql.execute(&mut **tx).await?;
    skills_and_certificates(tx, days).await
}

/// Skills for volunteers without any, and certificates for the skills that
/// need one: `days` = (issued, expired, expiring soon, valid).
async fn skills_and_certificates(tx: &mut Transaction<'static, Any>, days: [&str; 4]) -> Result<(), sqlx::Error> {
    Sql::new(
        "INSERT INTO volunteer_skills (volunteer_id, skill) SELECT v.id, CASE v.id % 5 WHEN 0 THEN 'first_aid' \
         WHEN 1 THEN 'water_rescue' WHEN 2 THEN 'cooking' WHEN 3 THEN 'driving' ELSE 'logistics' END \
         FROM volunteers v WHERE NOT EXISTS (SELECT 1 FROM volunteer_skills s WHERE s.volunteer_id = v.id)",
    )
    .execute(&mut **tx)
    .await?;
    Sql::new(
        "INSERT INTO volunteer_skills (volunteer_id, skill) SELECT v.id, 'first_aid' FROM volunteers v \
         WHERE v.id % 3 = 0 ON CONFLICT (volunteer_id, skill) DO NOTHING",
    )
    .execute(&mut **tx)
    .await?;
    let [issued, expired, soon, valid] = days;
    let mut sql = Sql::new(
        "INSERT INTO volunteer_certificates (volunteer_id, skill, title, issuer, issued_on, expires_on, created_at) \
         SELECT s.volunteer_id, s.skill, CASE s.skill WHEN 'first_aid' THEN 'Chứng nhận sơ cấp cứu' \
         WHEN 'water_rescue' THEN 'Chứng nhận cứu hộ dưới nước' ELSE 'Giấy phép lái xe' END, \
         'Hội Chữ thập đỏ tỉnh', ",
    );
    sql.bind(issued.to_owned())
        .push(", CASE s.volunteer_id % 6 WHEN 0 THEN ");
    sql.bind(expired.to_owned()).push(" WHEN 1 THEN ").bind(soon.to_owned());
    sql.push(" ELSE ").bind(valid.to_owned()).push(" END, ").bind(db::now());
    sql.push(
        " FROM volunteer_skills s WHERE s.skill IN ('first_aid', 'water_rescue', 'driving') AND s.volunteer_id % 4 <> 3 \
         AND NOT EXISTS (SELECT 1 FROM volunteer_certificates c WHERE c.volunteer_id = s.volunteer_id AND c.skill = s.skill)",
    );
    sql.execute(&mut **tx).await.map(drop)
}
