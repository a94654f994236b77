//! SQL of accounts (users) and their sessions. Grants are in `access`.

use sqlx::{Any, Row, Transaction};

use super::AccountError;
use crate::access::{self, Grant, ReadScope};
use crate::db::{self, Db, Sql};

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
    let Some(row) = sql.read_row(db).await? else {
        return Ok(None);
    };
    Ok(Some(LoginRecord {
        id: row.try_get(0)?,
        password_hash: row.try_get(1)?,
        active: row.try_get::<i64, _>(2)? != 0,
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

pub async fn set_password(tx: &mut Transaction<'static, Any>, user_id: i64, hash: &str) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("UPDATE users SET password_hash = ");
    sql.bind(hash.to_owned())
        .push(", updated_at = ")
        .bind(db::now())
        .push(" WHERE id = ")
        .bind(user_id);
    sql.execute(&mut **tx).await?;
    access::storage::bump_user(tx, user_id).await
}

pub async fn set_active(tx: &mut Transaction<'static, Any>, user_id: i64, active: bool) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("UPDATE users SET active = ");
    sql.bind(i64::from(active))
        .push(", updated_at = ")
        .bind(db::now())
        .push(" WHERE id = ")
        .bind(user_id);
    sql.execute(&mut **tx).await?;
    access::storage::bump_user(tx, user_id).await
}

async fn accounts_from(db: &Db, sql: Sql) -> Result<Vec<Account>, sqlx::Error> {
    let rows = sql.fetch_all(db.pool()).await?;
    let ids: Vec<i64> = rows.iter().map(|r| db::int(r, 0)).collect();
    let mut grants = access::storage::grants_of(db, &ids).await?;
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

/// Accounts with at least one grant inside `scope` and none outside it,
/// by username (the caller then applies the rule on administrators).
pub async fn list(db: &Db, scope: &ReadScope) -> Result<Vec<Account>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT x.id, x.username, x.display_name, x.active FROM users x WHERE EXISTS \
         (SELECT 1 FROM grants g JOIN units u ON u.id = g.unit_id WHERE g.user_id = x.id AND ",
    );
    scope.push_filter(&mut sql, "u");
    // COALESCE: a filter on a column that is NULL for the unit is unknown, not false.
    sql.push(") AND NOT EXISTS (SELECT 1 FROM grants g JOIN units u ON u.id = g.unit_id WHERE g.user_id = x.id AND NOT COALESCE(");
    scope.push_filter(&mut sql, "u");
    sql.push(", FALSE)) ORDER BY x.username LIMIT 1000");
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
    Ok(sql.read_row(db).await?.and_then(|r| r.try_get(0).ok()))
}
