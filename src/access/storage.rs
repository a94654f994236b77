//! SQL of who may do what: loading a user's grants, changing them, and the
//! widened scope under which supervisors read history.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::model::{Grant, Principal, Role};
use super::proof::ReadScope;
use crate::db::{self, Db, Sql};
use crate::org::tree::{Level, Scope};

const GRANT_SELECT: &str = "SELECT g.user_id, g.id AS grant_id, g.role AS grant_role, g.unit_id FROM grants g WHERE ";

/// The grants of `user_ids` as (user id, grant), in the order they were given.
pub async fn grants_of(db: &Db, user_ids: &[i64]) -> Result<Vec<(i64, Grant)>, sqlx::Error> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(GRANT_SELECT);
    sql.push("g.user_id IN (").bind_list(user_ids).push(") ORDER BY g.id");
    let rows = sql.fetch_all(db.pool()).await?;
    let unit_ids: Vec<i64> = rows.iter().map(|r| db::int(r, 3)).collect();
    let units = crate::org::service::units_by_ids(db, &unit_ids).await?;
    rows.iter()
        .map(|r: &AnyRow| {
            let unit_id = db::int(r, 3);
            let role: String = r.try_get("grant_role")?;
            let unit = units
                .iter()
                .find(|u| u.id == unit_id)
                .cloned()
                .ok_or(sqlx::Error::RowNotFound)?;
            Ok((
                r.try_get::<i64, _>(0)?,
                Grant {
                    id: r.try_get("grant_id")?,
                    role: Role::parse(&role).ok_or_else(|| sqlx::Error::Decode("unknown role".into()))?,
                    unit,
                },
            ))
        })
        .collect()
}

/// The active user with their grants, or `None` for an unknown or
/// deactivated account.
pub async fn load_principal(db: &Db, user_id: i64) -> Result<Option<Principal>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id, username, display_name FROM users WHERE active = 1 AND id = ");
    sql.bind(user_id);
    let Some(row) = sql.read_row(db).await? else {
        return Ok(None);
    };
    let grants = grants_of(db, &[user_id]).await?.into_iter().map(|(_, g)| g).collect();
    Ok(Some(Principal::new(
        row.try_get(0)?,
        row.try_get(1)?,
        row.try_get(2)?,
        grants,
    )))
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
    sql.execute(&mut **tx).await?;
    bump_user(tx, user_id).await
}

pub async fn delete_grant(tx: &mut Transaction<'static, Any>, user_id: i64, grant_id: i64) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM grants WHERE user_id = ");
    sql.bind(user_id).push(" AND id = ").bind(grant_id);
    sql.execute(&mut **tx).await?;
    bump_user(tx, user_id).await
}

/// How many roles the user holds, as the transaction sees them.
pub async fn grant_count(tx: &mut Transaction<'static, Any>, user_id: i64) -> Result<i64, sqlx::Error> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM grants WHERE user_id = ");
    sql.bind(user_id);
    sql.fetch_int(&mut **tx).await
}

/// Moves every role held on unit `from` to unit `to`; a user who already
/// holds a role on `to` keeps that one. Returns (username, role) of each
/// role that moved.
pub async fn move_grants(
    tx: &mut Transaction<'static, Any>,
    from: i64,
    to: i64,
) -> Result<Vec<(String, Role)>, sqlx::Error> {
    // Every account holding a role on either unit changes: bumped first,
    // which also locks those accounts against a concurrent revoke (whose
    // last-role count would otherwise miss the role this deletes).
    let mut sql = Sql::new(
        "UPDATE users SET auth_version = auth_version + 1 \
         WHERE id IN (SELECT user_id FROM grants WHERE unit_id IN (",
    );
    sql.bind(from).push(", ").bind(to).push("))");
    sql.execute(&mut **tx).await?;
    let mut sql = Sql::new("DELETE FROM grants WHERE unit_id = ");
    sql.bind(from)
        .push(" AND user_id IN (SELECT user_id FROM grants WHERE unit_id = ");
    sql.bind(to).push(")");
    sql.execute(&mut **tx).await?;
    let mut sql =
        Sql::new("SELECT x.username, g.role FROM grants g JOIN users x ON x.id = g.user_id WHERE g.unit_id = ");
    sql.bind(from).push(" ORDER BY x.username");
    let moved = sql
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|r| {
            let role: String = r.try_get(1)?;
            Ok((r.try_get(0)?, Role::parse(&role).unwrap_or(Role::Viewer)))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let mut sql = Sql::new("UPDATE grants SET unit_id = ");
    sql.bind(to).push(" WHERE unit_id = ").bind(from);
    sql.execute(&mut **tx).await?;
    Ok(moved)
}

/// Marks a user's grants or standing as changed (see the principal cache).
pub async fn bump_user(tx: &mut Transaction<'static, Any>, user_id: i64) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("UPDATE users SET auth_version = auth_version + 1 WHERE id = ");
    sql.bind(user_id);
    sql.execute(&mut **tx).await.map(drop)
}

/// `scope` widened by every unit merged (directly or through a chain of
/// merges) into a unit inside it: supervisors read the history of what
/// their units absorbed, which stays placed under the merged units.
pub async fn history_scope(db: &Db, scope: &ReadScope) -> Result<ReadScope, sqlx::Error> {
    if scope.is_country() || scope.is_empty() {
        return Ok(scope.clone());
    }
    let mut widened = scope.clone();
    loop {
        let mut sql = Sql::new(
            "SELECT m.id, m.level FROM units m JOIN units t ON t.id = m.merged_into_id WHERE m.status = 'merged' AND ",
        );
        widened.push_filter(&mut sql, "t");
        let mut found = Vec::new();
        for row in sql.fetch_all(db.pool()).await? {
            let id: i64 = row.try_get(0)?;
            let level: String = row.try_get(1)?;
            let merged = match Level::parse(&level) {
                Some(Level::Province) => Scope::Province(id),
                Some(Level::Commune) => Scope::Commune(id),
                Some(Level::Branch) => Scope::Branch(id),
                _ => continue,
            };
            if !widened.subtrees().contains(&merged) {
                found.push(merged);
            }
        }
        if found.is_empty() {
            return Ok(widened);
        }
        widened = widened.with(found);
    }
}
