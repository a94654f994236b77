//! SQL of public sign-ups: placed at the chosen commune, read by its
//! staff, decided once.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::{Signup, SignupStatus};
use crate::access::{Access, ReadScope};
use crate::db::{self, Db, Sql};
use crate::volunteers::model::{Skill, Slot};

const COLUMNS: &str = "SELECT s.id, s.full_name, s.sex, s.birth_date, s.phone, s.address_detail, s.skills, \
     s.availability, s.emergency_name, s.emergency_phone, s.note, s.status, s.received_at, s.decided_by, \
     s.decided_at, s.reason, s.volunteer_id, u.code, u.name, s.province_id, s.commune_id, s.branch_id \
     FROM volunteer_signups s JOIN units u ON u.id = s.unit_id WHERE ";

fn from_row(row: &AnyRow) -> Result<Signup, sqlx::Error> {
    let status: String = row.try_get(11)?;
    let skills: String = row.try_get(6)?;
    let availability: String = row.try_get(7)?;
    Ok(Signup {
        id: row.try_get(0)?,
        full_name: row.try_get(1)?,
        sex: row.try_get(2)?,
        birth_date: row.try_get(3)?,
        phone: row.try_get(4)?,
        address_detail: row.try_get(5)?,
        skills: Skill::parse_list(&skills),
        availability: Slot::parse_list(&availability),
        emergency_name: row.try_get(8)?,
        emergency_phone: row.try_get(9)?,
        note: row.try_get(10)?,
        status: SignupStatus::parse(&status).ok_or_else(|| sqlx::Error::Decode(format!("status {status}").into()))?,
        received_at: row.try_get(12)?,
        decided_by: row.try_get(13)?,
        decided_at: row.try_get(14)?,
        reason: row.try_get(15)?,
        volunteer_id: row.try_get(16)?,
        commune_code: row.try_get(17)?,
        commune_name: row.try_get(18)?,
        placement: crate::org::service::placement::of_row(row, 19)?,
    })
}

pub async fn get(db: &Db, scope: &ReadScope, id: i64) -> Result<Option<Signup>, sqlx::Error> {
    let mut sql = Sql::new(COLUMNS);
    sql.push("s.id = ").bind(id).push(" AND ");
    scope.push_filter(&mut sql, "s");
    sql.fetch_optional(db.pool()).await?.as_ref().map(from_row).transpose()
}

/// Sign-ups in scope (and `within`) with `status`, `limit` after the
/// sign-up `after`: waiting ones the oldest first (the order they are
/// worked through), decided ones the latest received first.
pub async fn list(
    db: &Db,
    scope: &ReadScope,
    within: Option<(&'static str, i64)>,
    status: SignupStatus,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<Signup>, sqlx::Error> {
    let mut sql = Sql::new(COLUMNS);
    scope.push_filter(&mut sql, "s");
    if let Some((column, id)) = within {
        sql.push(&format!(" AND s.{column} = ")).bind(id);
    }
    sql.push(" AND s.status = ").bind(status.as_str().to_owned());
    let (beyond, order) = match status {
        SignupStatus::Pending => (" AND s.id > ", " ORDER BY s.id LIMIT "),
        _ => (" AND s.id < ", " ORDER BY s.id DESC LIMIT "),
    };
    if let Some(after) = after {
        sql.push(beyond).bind(after);
    }
    sql.push(order).bind(limit);
    sql.fetch_all(db.pool()).await?.iter().map(from_row).collect()
}

/// A sign-up as received, placed at the commune of `access`.
pub async fn insert(tx: &mut Transaction<'static, Any>, access: &Access, s: &Signup) -> Result<i64, sqlx::Error> {
    let p = access.placement();
    let mut sql = Sql::new(
        "INSERT INTO volunteer_signups (unit_id, province_id, commune_id, branch_id, full_name, sex, birth_date, \
         phone, address_detail, skills, availability, emergency_name, emergency_phone, note, status, received_at) VALUES (",
    );
    sql.bind(access.unit_id()).push(", ").bind(p.province_id);
    sql.push(", ").bind(p.commune_id).push(", ").bind(p.branch_id);
    for text in [&s.full_name, &s.sex, &s.birth_date, &s.phone, &s.address_detail] {
        sql.push(", ").bind(text.clone());
    }
    sql.push(", ").bind(Skill::join(&s.skills));
    sql.push(", ").bind(Slot::join(&s.availability));
    for text in [&s.emergency_name, &s.emergency_phone, &s.note] {
        sql.push(", ").bind(text.clone());
    }
    sql.push(", 'pending', ").bind(db::now()).push(") RETURNING id");
    sql.fetch_int(&mut **tx).await
}

/// Records the decision on a pending sign-up still where `access` found
/// it; false when it was decided (or moved) meanwhile.
pub async fn decide(
    tx: &mut Transaction<'static, Any>,
    access: &Access,
    id: i64,
    status: SignupStatus,
    username: &str,
    reason: &str,
    volunteer_id: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("UPDATE volunteer_signups SET status = ");
    sql.bind(status.as_str().to_owned())
        .push(", decided_by = ")
        .bind(username.to_owned());
    sql.push(", decided_at = ")
        .bind(db::now())
        .push(", reason = ")
        .bind(reason.to_owned());
    sql.push(", volunteer_id = ").bind(volunteer_id);
    sql.push(" WHERE id = ").bind(id).push(" AND status = 'pending' AND ");
    access.push_guard(&mut sql, "volunteer_signups");
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}
