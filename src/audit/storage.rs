//! SQL of the audit trail. Entries are written in the same transaction as
//! the change they describe, so there is never a change without its entry.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row, Transaction};

use super::model::{Actor, Change, Entry};
use crate::db::{self, scope, Db, Sql};
use crate::org::scope::Scope;

pub async fn record(tx: &mut Transaction<'static, Any>, actor: &Actor, change: Change) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new(
        "INSERT INTO audit_log (at, user_id, username, actor_unit_id, action, entity, entity_id, summary, \
         province_id, commune_id, branch_id, before_json, after_json) VALUES (",
    );
    sql.bind(db::now())
        .push(", ")
        .bind(actor.user_id)
        .push(", ")
        .bind(actor.username.clone());
    sql.push(", ")
        .bind(actor.unit_id)
        .push(", ")
        .bind(change.action.to_owned());
    sql.push(", ")
        .bind(change.entity.to_owned())
        .push(", ")
        .bind(change.entity_id);
    sql.push(", ")
        .bind(change.summary)
        .push(", ")
        .bind(change.placement.province_id);
    sql.push(", ")
        .bind(change.placement.commune_id)
        .push(", ")
        .bind(change.placement.branch_id);
    sql.push(", ").bind(change.before.map(|v| v.to_string()));
    sql.push(", ").bind(change.after.map(|v| v.to_string())).push(")");
    sql.execute(&mut **tx).await.map(drop)
}

/// Adds to each commune or branch scope the units that were merged into it,
/// so a supervisor also reads the history of what their unit absorbed.
async fn widen_with_merged<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scopes: &[Scope],
) -> Result<Vec<Scope>, sqlx::Error> {
    let ids: Vec<i64> = scopes
        .iter()
        .filter_map(|s| match s {
            Scope::Province(id) | Scope::Commune(id) | Scope::Branch(id) => Some(*id),
            Scope::Country => None,
        })
        .collect();
    let mut widened = scopes.to_vec();
    if ids.is_empty() {
        return Ok(widened);
    }
    let mut sql = Sql::new("SELECT id, level FROM units WHERE merged_into_id IN (");
    sql.bind_list(&ids).push(")");
    for row in sql.fetch_all(ex).await? {
        let id: i64 = row.try_get(0)?;
        let level: String = row.try_get(1)?;
        widened.push(match level.as_str() {
            "province" => Scope::Province(id),
            "commune" => Scope::Commune(id),
            _ => Scope::Branch(id),
        });
    }
    Ok(widened)
}

fn entry_from_row(row: &AnyRow) -> Result<Entry, sqlx::Error> {
    let parse = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
    Ok(Entry {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        username: row.try_get("username")?,
        actor_unit_name: row.try_get("actor_unit_name")?,
        action: row.try_get("action")?,
        entity: row.try_get("entity")?,
        entity_id: row.try_get("entity_id")?,
        summary: row.try_get("summary")?,
        before: parse(row.try_get("before_json")?),
        after: parse(row.try_get("after_json")?),
    })
}

const ENTRY_SELECT: &str = "SELECT a.id, a.at, a.username, u.name AS actor_unit_name, a.action, a.entity, \
     a.entity_id, a.summary, a.before_json, a.after_json FROM audit_log a LEFT JOIN units u ON u.id = a.actor_unit_id WHERE ";

/// The newest entries inside `scopes`, older than `before_id` when paging.
pub async fn list(db: &Db, scopes: &[Scope], before_id: Option<i64>, limit: i64) -> Result<Vec<Entry>, sqlx::Error> {
    let scopes = widen_with_merged(db.pool(), scopes).await?;
    let mut sql = Sql::new(ENTRY_SELECT);
    scope::push_filter(&mut sql, "a", &scopes);
    if let Some(id) = before_id {
        sql.push(" AND a.id < ").bind(id);
    }
    sql.push(" ORDER BY a.id DESC LIMIT ").bind(limit);
    sql.fetch_all(db.pool()).await?.iter().map(entry_from_row).collect()
}

/// The history of one record, newest first. The caller has already checked
/// that the user may read the record itself.
pub async fn for_entity(db: &Db, entity: &str, entity_id: i64) -> Result<Vec<Entry>, sqlx::Error> {
    let mut sql = Sql::new(ENTRY_SELECT);
    sql.push("a.entity = ")
        .bind(entity.to_owned())
        .push(" AND a.entity_id = ")
        .bind(entity_id);
    sql.push(" ORDER BY a.id DESC LIMIT 200");
    sql.fetch_all(db.pool()).await?.iter().map(entry_from_row).collect()
}
