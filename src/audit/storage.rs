//! SQL of the audit trail. Entries are written in the same transaction as
//! the change they describe, so there is never a change without its entry.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::model::{Change, Entry};
use crate::access::{Actor, ReadScope};
use crate::db::{self, Cell, ColumnType, Db, Rows, Sql};

const COLUMNS: [(&str, ColumnType); 16] = [
    ("at", ColumnType::Text),
    ("user_id", ColumnType::Int),
    ("username", ColumnType::Text),
    ("actor_unit_id", ColumnType::Int),
    ("action", ColumnType::Text),
    ("entity", ColumnType::Text),
    ("entity_id", ColumnType::Int),
    ("summary", ColumnType::Text),
    ("province_id", ColumnType::Int),
    ("commune_id", ColumnType::Int),
    ("branch_id", ColumnType::Int),
    ("prev_province_id", ColumnType::Int),
    ("prev_commune_id", ColumnType::Int),
    ("prev_branch_id", ColumnType::Int),
    ("before_json", ColumnType::Text),
    ("after_json", ColumnType::Text),
];

/// An entry's values, in the order of `COLUMNS`.
fn cells(at: &str, actor: &Actor, change: Change) -> [Cell; 16] {
    let previous = change.previous.filter(|p| *p != change.placement);
    [
        Cell::from(at),
        Cell::from(actor.user_id),
        Cell::from(actor.username.clone()),
        Cell::from(actor.unit_id),
        Cell::from(change.action),
        Cell::from(change.entity),
        Cell::from(change.entity_id),
        Cell::from(change.summary),
        Cell::from(change.placement.province_id),
        Cell::from(change.placement.commune_id),
        Cell::from(change.placement.branch_id),
        Cell::from(previous.and_then(|p| p.province_id)),
        Cell::from(previous.and_then(|p| p.commune_id)),
        Cell::from(previous.and_then(|p| p.branch_id)),
        Cell::from(change.before.map(|v| v.to_string())),
        Cell::from(change.after.map(|v| v.to_string())),
    ]
}

pub async fn record(tx: &mut Transaction<'static, Any>, actor: &Actor, change: Change) -> Result<(), sqlx::Error> {
    let names: Vec<&str> = COLUMNS.iter().map(|(n, _)| *n).collect();
    let mut sql = Sql::new(&format!("INSERT INTO audit_log ({}) VALUES (", names.join(", ")));
    for (i, cell) in cells(&db::now(), actor, change).into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind_cell(cell);
    }
    sql.push(")");
    sql.execute(&mut **tx).await.map(drop)
}

/// Records many changes by one actor (an import) in a few statements.
pub async fn record_many(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    actor: &Actor,
    changes: Vec<Change>,
) -> Result<(), sqlx::Error> {
    let at = db::now();
    let mut rows = Rows::new("audit_log", &COLUMNS);
    for change in changes {
        rows.push(cells(&at, actor, change));
    }
    db.insert_rows(tx, rows).await.map(drop)
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

/// What a list of entries is narrowed to, besides its scope.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub username: Option<String>,
    pub action: Option<String>,
    /// UTC timestamps: from (inclusive), until (exclusive).
    pub from: Option<String>,
    pub until: Option<String>,
}

/// The newest entries inside `scope` (where the record is, or was before
/// a move) that pass `filter`, older than `before_id` when paging.
pub async fn list(
    db: &Db,
    scope: &ReadScope,
    filter: &Filter,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    let mut sql = Sql::new(ENTRY_SELECT);
    sql.push("(");
    scope.push_filter(&mut sql, "a");
    sql.push(" OR ");
    scope.push_filter_on(&mut sql, "a", "prev_");
    sql.push(")");
    if let Some(username) = &filter.username {
        sql.push(" AND a.username = ").bind(username.clone());
    }
    if let Some(action) = &filter.action {
        sql.push(" AND a.action = ").bind(action.clone());
    }
    if let Some(from) = &filter.from {
        sql.push(" AND a.at >= ").bind(from.clone());
    }
    if let Some(until) = &filter.until {
        sql.push(" AND a.at < ").bind(until.clone());
    }
    if let Some(id) = before_id {
        sql.push(" AND a.id < ").bind(id);
    }
    sql.push(" ORDER BY a.id DESC LIMIT ").bind(limit);
    sql.fetch_all(db.pool()).await?.iter().map(entry_from_row).collect()
}

/// The history of one record since it was created, newest first. The
/// caller has already checked that the user may read the record itself.
pub async fn for_entity(db: &Db, entity: &str, entity_id: i64, since: &str) -> Result<Vec<Entry>, sqlx::Error> {
    let mut sql = Sql::new(ENTRY_SELECT);
    sql.push("a.entity = ")
        .bind(entity.to_owned())
        .push(" AND a.entity_id = ")
        .bind(entity_id);
    sql.push(" AND a.at >= ").bind(since.to_owned());
    sql.push(" ORDER BY a.id DESC LIMIT 200");
    sql.fetch_all(db.pool()).await?.iter().map(entry_from_row).collect()
}

/// Which of `records` (entity, id) a `delete` entry names: their pages
/// are gone. One query through `audit_by_entity`, whatever the page holds.
pub async fn deleted_among(db: &Db, records: &[(String, i64)]) -> Result<Vec<(String, i64)>, sqlx::Error> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let mut entities: Vec<&str> = records.iter().map(|(e, _)| e.as_str()).collect();
    entities.sort_unstable();
    entities.dedup();
    let mut sql = Sql::new("SELECT DISTINCT entity, entity_id FROM audit_log WHERE action = 'delete' AND entity IN (");
    for (i, entity) in entities.into_iter().enumerate() {
        sql.push(if i == 0 { "" } else { ", " }).bind(entity.to_owned());
    }
    let mut ids: Vec<i64> = records.iter().map(|(_, id)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    sql.push(") AND entity_id IN (").bind_list(&ids).push(")");
    let rows = sql.fetch_all(db.pool()).await?;
    let found = rows
        .iter()
        .map(|row| Ok((row.try_get("entity")?, row.try_get("entity_id")?)))
        .collect::<Result<Vec<(String, i64)>, sqlx::Error>>()?;
    Ok(found.into_iter().filter(|pair| records.contains(pair)).collect())
}
