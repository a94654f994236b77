//! SQL of sessions.

use sqlx::{Any, Row, Transaction};

use super::SessionInfo;
use crate::db::{Db, Sql};

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The live session keyed `key` of an active account, with the versions
/// that date a cached principal.
pub async fn find(db: &Db, key: &str) -> Result<Option<SessionInfo>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT s.user_id, s.csrf, u.auth_version, (SELECT v.value FROM versions v WHERE v.name = 'tree') \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.active = 1 AND s.id = ",
    );
    sql.bind(key.to_owned()).push(" AND s.expires_at > ").bind(now());
    let Some(row) = sql.read_row(db).await? else {
        return Ok(None);
    };
    Ok(Some(SessionInfo {
        key: key.to_owned(),
        user_id: row.try_get(0)?,
        csrf: row.try_get(1)?,
        auth_version: row.try_get(2)?,
        tree_version: row.try_get::<Option<i64>, _>(3)?.unwrap_or(0),
    }))
}

pub async fn insert(
    db: &Db,
    key: &str,
    user_id: i64,
    csrf: &str,
    expires: time::OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("INSERT INTO sessions (id, user_id, csrf, created_at, expires_at) VALUES (");
    sql.bind(key.to_owned())
        .push(", ")
        .bind(user_id)
        .push(", ")
        .bind(csrf.to_owned());
    sql.push(", ")
        .bind(crate::db::now())
        .push(", ")
        .bind(expires.unix_timestamp())
        .push(")");
    sql.execute(db.pool()).await.map(drop)
}

pub async fn delete(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM sessions WHERE id = ");
    sql.bind(key.to_owned());
    sql.execute(db.pool()).await.map(drop)
}

pub async fn delete_for_user(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
    keep: Option<&str>,
) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM sessions WHERE user_id = ");
    sql.bind(user_id);
    if let Some(key) = keep {
        sql.push(" AND id <> ").bind(key.to_owned());
    }
    sql.execute(&mut **tx).await.map(drop)
}

pub async fn delete_expired(db: &Db) -> Result<u64, sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM sessions WHERE expires_at <= ");
    sql.bind(now());
    Ok(sql.execute(db.pool()).await?.rows_affected())
}
