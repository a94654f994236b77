//! SQL of member requests: the asking branch sees its requests (never the
//! person behind them); the unit holding the person sees those about it.

use sqlx::{Any, Row, Transaction};

use super::{Incoming, Outgoing, RequestStatus};
use crate::access::{Access, ReadScope};
use crate::db::{self, Db, Sql};

pub struct NewRequest<'a> {
    pub cccd: &'a str,
    pub joined_on: &'a str,
    pub note: &'a str,
    pub person_id: Option<i64>,
    pub user_id: i64,
}

pub async fn insert(tx: &mut Transaction<'static, Any>, to: &Access, r: NewRequest<'_>) -> Result<i64, sqlx::Error> {
    let p = to.placement();
    let mut sql = Sql::new(
        "INSERT INTO member_requests (unit_id, province_id, commune_id, branch_id, cccd, joined_on, \
         note, person_id, status, requested_by, requested_at) VALUES (",
    );
    sql.bind(to.unit_id()).push(", ").bind(p.province_id).push(", ");
    sql.bind(p.commune_id).push(", ").bind(p.branch_id).push(", ");
    sql.bind(r.cccd.to_owned())
        .push(", ")
        .bind(r.joined_on.to_owned())
        .push(", ");
    sql.bind(r.note.to_owned())
        .push(", ")
        .bind(r.person_id)
        .push(", 'pending', ");
    sql.bind(r.user_id).push(", ").bind(db::now()).push(") RETURNING id");
    sql.fetch_int(&mut **tx).await
}

/// The pending request of branch `to_unit_id` for `cccd`, if any.
pub async fn pending_from(
    tx: &mut Transaction<'static, Any>,
    to_unit_id: i64,
    cccd: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id FROM member_requests WHERE status = 'pending' AND unit_id = ");
    sql.bind(to_unit_id).push(" AND cccd = ").bind(cccd.to_owned());
    Ok(sql.fetch_optional(&mut **tx).await?.map(|r| db::int(&r, 0)))
}

fn status_of(text: &str) -> RequestStatus {
    RequestStatus::parse(text).unwrap_or(RequestStatus::Pending)
}

/// Requests made by units inside `scope`, newest first.
pub async fn outgoing(db: &Db, scope: &ReadScope, limit: i64) -> Result<Vec<Outgoing>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT r.id, u.code, u.name, r.cccd, r.joined_on, r.note, r.status, r.requested_at, '', r.member_id \
         FROM member_requests r JOIN units u ON u.id = r.unit_id WHERE ",
    );
    scope.push_filter(&mut sql, "r");
    sql.push(" ORDER BY r.id DESC LIMIT ").bind(limit);
    let mut out = Vec::new();
    for row in sql.fetch_all(db.pool()).await? {
        let status: String = row.try_get(6)?;
        out.push(Outgoing {
            id: row.try_get(0)?,
            branch_code: row.try_get(1)?,
            branch_name: row.try_get(2)?,
            cccd: row.try_get(3)?,
            joined_on: row.try_get(4)?,
            note: row.try_get(5)?,
            status: status_of(&status),
            requested_at: row.try_get(7)?,
            reason: row.try_get(8)?,
            member_id: row.try_get(9)?,
        });
    }
    Ok(out)
}

/// Pending requests about persons inside `scope` (where they are now).
pub async fn incoming(db: &Db, scope: &ReadScope, limit: i64) -> Result<Vec<Incoming>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT r.id, u.code, u.name, r.joined_on, r.note, r.requested_at, p.id, p.full_name, m.member_no \
         FROM member_requests r JOIN units u ON u.id = r.unit_id JOIN persons p ON p.id = r.person_id \
         LEFT JOIN members m ON m.person_id = p.id WHERE r.status = 'pending' AND ",
    );
    scope.push_filter(&mut sql, "p");
    sql.push(" ORDER BY r.id LIMIT ").bind(limit);
    let mut out = Vec::new();
    for row in sql.fetch_all(db.pool()).await? {
        out.push(Incoming {
            id: row.try_get(0)?,
            branch_code: row.try_get(1)?,
            branch_name: row.try_get(2)?,
            joined_on: row.try_get(3)?,
            note: row.try_get(4)?,
            requested_at: row.try_get(5)?,
            person_id: row.try_get(6)?,
            full_name: row.try_get(7)?,
            member_no: row.try_get(8)?,
        });
    }
    Ok(out)
}

/// What deciding a request needs of it.
pub struct Stored {
    pub to_unit_id: i64,
    pub person_id: Option<i64>,
    pub joined_on: String,
    pub status: RequestStatus,
    pub requested_by: i64,
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Stored>, sqlx::Error> {
    let mut sql =
        Sql::new("SELECT unit_id, person_id, joined_on, status, requested_by FROM member_requests WHERE id = ");
    sql.bind(id);
    let Some(row) = sql.fetch_optional(db.pool()).await? else {
        return Ok(None);
    };
    let status: String = row.try_get(3)?;
    Ok(Some(Stored {
        to_unit_id: row.try_get(0)?,
        person_id: row.try_get(1)?,
        joined_on: row.try_get(2)?,
        status: status_of(&status),
        requested_by: row.try_get(4)?,
    }))
}

/// Decides a pending request; false when it was decided meanwhile.
pub async fn decide(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    status: RequestStatus,
    by: &str,
    reason: &str,
    member_id: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("UPDATE member_requests SET status = ");
    sql.bind(status.as_str().to_owned())
        .push(", decided_by = ")
        .bind(by.to_owned());
    sql.push(", decided_at = ")
        .bind(db::now())
        .push(", reason = ")
        .bind(reason.to_owned());
    sql.push(", member_id = ").bind(member_id);
    sql.push(" WHERE id = ").bind(id).push(" AND status = 'pending'");
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}
