//! SQL of accounts and grants.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::model::{Grant, Principal, Role};
use super::AccountError;
use crate::db::{self, scope, Db, Sql};
use crate::org::scope::Scope;
use crate::org::storage::{unit_from_row, UNIT_COLUMNS};

pub struct LoginRecord {
    pub id: i64,
    pub password_hash: String,
    pub active: bool,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub active: bool,
    pub grants: Vec<Grant>,
}

pub async fn login_record(db: &Db, username: &str) -> Result<Option<LoginRecord>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id, password_hash, active FROM users WHERE username = ");
    sql.bind(username.trim().to_lowercase());
    let Some(row) = sql.fetch_optional(db.pool()).await? else {
        return Ok(None);
    };
    Ok(Some(LoginRecord {
        id: row.try_get(0)?,
        password_hash: row.try_get(1)?,
        active: row.try_get::<i64, _>(2)? != 0,
    }))
}

fn grant_from_row(row: &AnyRow) -> Result<Grant, sqlx::Error> {
    let role: String = row.try_get("grant_role")?;
    Ok(Grant {
        id: row.try_get("grant_id")?,
        role: Role::parse(&role).ok_or_else(|| sqlx::Error::Decode("unknown role".into()))?,
        unit: unit_from_row(row)?,
    })
}

async fn grants_of(db: &Db, user_ids: &[i64]) -> Result<Vec<(i64, Grant)>, sqlx::Error> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!(
        "SELECT g.user_id, g.id AS grant_id, g.role AS grant_role, {UNIT_COLUMNS} \
         FROM grants g JOIN units u ON u.id = g.unit_id WHERE g.user_id IN ("
    ));
    sql.bind_list(user_ids).push(") ORDER BY g.id");
    let rows = sql.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<i64, _>(0)?, grant_from_row(r)?)))
        .collect()
}

/// The active user with their grants, or `None` for an unknown or
/// deactivated account.
pub async fn load_principal(db: &Db, user_id: i64) -> Result<Option<Principal>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id, username, display_name FROM users WHERE active = 1 AND id = ");
    sql.bind(user_id);
    let Some(row) = sql.fetch_optional(db.pool()).await? else {
        return Ok(None);
    };
    let grants = grants_of(db, &[user_id]).await?.into_iter().map(|(_, g)| g).collect();
    Ok(Some(Principal {
        user_id: row.try_get(0)?,
        username: row.try_get(1)?,
        display_name: row.try_get(2)?,
        grants,
    }))
}

pub async fn create_user(
    tx: &mut Transaction<'static, Any>,
    username: &str,
    display_name: &str,
    password_hash: &str,
) -> Result<i64, AccountError> {
    let now = db::now();
    let mut sql =
        Sql::new("INSERT INTO users (username, display_name, password_hash, active, created_at, updated_at) VALUES (");
    sql.bind(username.to_owned())
        .push(", ")
        .bind(display_name.to_owned())
        .push(", ");
    sql.bind(password_hash.to_owned())
        .push(", 1, ")
        .bind(now.clone())
        .push(", ")
        .bind(now)
        .push(") RETURNING id");
    match sql.fetch_optional(&mut **tx).await {
        Ok(Some(row)) => Ok(db::int(&row, 0)),
        Ok(None) => Err(AccountError::Db(sqlx::Error::RowNotFound)),
        Err(e) if db::is_unique_violation(&e) => Err(AccountError::UsernameTaken),
        Err(e) => Err(e.into()),
    }
}

/// Grants `role` on `unit_id`; an existing grant on that unit changes role.
pub async fn put_grant(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
    unit_id: i64,
    role: Role,
) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("INSERT INTO grants (user_id, unit_id, role, created_at) VALUES (");
    sql.bind(user_id)
        .push(", ")
        .bind(unit_id)
        .push(", ")
        .bind(role.as_str().to_owned());
    sql.push(", ")
        .bind(db::now())
        .push(") ON CONFLICT (user_id, unit_id) DO UPDATE SET role = excluded.role");
    sql.execute(&mut **tx).await.map(drop)
}

/// Moves every role held on unit `from` to unit `to`; a user who already
/// holds a role on `to` keeps that one. Returns how many roles moved.
pub async fn move_grants(tx: &mut Transaction<'static, Any>, from: i64, to: i64) -> Result<u64, sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM grants WHERE unit_id = ");
    sql.bind(from)
        .push(" AND user_id IN (SELECT user_id FROM grants WHERE unit_id = ");
    sql.bind(to).push(")");
    sql.execute(&mut **tx).await?;
    let mut sql = Sql::new("UPDATE grants SET unit_id = ");
    sql.bind(to).push(" WHERE unit_id = ").bind(from);
    Ok(sql.execute(&mut **tx).await?.rows_affected())
}

pub async fn delete_grant(tx: &mut Transaction<'static, Any>, user_id: i64, grant_id: i64) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM grants WHERE user_id = ");
    sql.bind(user_id).push(" AND id = ").bind(grant_id);
    sql.execute(&mut **tx).await.map(drop)
}

pub async fn set_password(tx: &mut Transaction<'static, Any>, user_id: i64, hash: &str) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("UPDATE users SET password_hash = ");
    sql.bind(hash.to_owned())
        .push(", updated_at = ")
        .bind(db::now())
        .push(" WHERE id = ")
        .bind(user_id);
    sql.execute(&mut **tx).await.map(drop)
}

pub async fn set_active(tx: &mut Transaction<'static, Any>, user_id: i64, active: bool) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("UPDATE users SET active = ");
    sql.bind(i64::from(active))
        .push(", updated_at = ")
        .bind(db::now())
        .push(" WHERE id = ")
        .bind(user_id);
    sql.execute(&mut **tx).await.map(drop)
}

/// Signs a user out everywhere: their sessions are deleted.
pub async fn end_sessions(tx: &mut Transaction<'static, Any>, user_id: i64) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM sessions WHERE user_id = ");
    sql.bind(user_id);
    sql.execute(&mut **tx).await.map(drop)
}

async fn accounts_from(db: &Db, sql: Sql) -> Result<Vec<Account>, sqlx::Error> {
    let rows = sql.fetch_all(db.pool()).await?;
    let ids: Vec<i64> = rows.iter().map(|r| db::int(r, 0)).collect();
    let mut grants = grants_of(db, &ids).await?;
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get(0)?;
            Ok(Account {
                id,
                username: r.try_get(1)?,
                display_name: r.try_get(2)?,
                active: r.try_get::<i64, _>(3)? != 0,
                grants: grants.extract_if(.., |(uid, _)| *uid == id).map(|(_, g)| g).collect(),
            })
        })
        .collect()
}

/// Accounts with at least one grant inside `scopes`, by username.
pub async fn list(db: &Db, scopes: &[Scope]) -> Result<Vec<Account>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT x.id, x.username, x.display_name, x.active FROM users x WHERE EXISTS \
         (SELECT 1 FROM grants g JOIN units u ON u.id = g.unit_id WHERE g.user_id = x.id AND ",
    );
    scope::push_filter(&mut sql, "u", scopes);
    sql.push(") ORDER BY x.username LIMIT 1000");
    accounts_from(db, sql).await
}

pub async fn by_id(db: &Db, user_id: i64) -> Result<Option<Account>, sqlx::Error> {
    let mut sql = Sql::new("SELECT x.id, x.username, x.display_name, x.active FROM users x WHERE x.id = ");
    sql.bind(user_id);
    Ok(accounts_from(db, sql).await?.into_iter().next())
}

pub async fn password_hash(db: &Db, user_id: i64) -> Result<Option<String>, sqlx::Error> {
    let mut sql = Sql::new("SELECT password_hash FROM users WHERE id = ");
    sql.bind(user_id);
    Ok(sql.fetch_optional(db.pool()).await?.and_then(|r| r.try_get(0).ok()))
}
