//! SQL of entries waiting for a second person's approval, and of the
//! amount above which they wait.

use sqlx::{Any, Row, Transaction};

use crate::db::{self, Db, Sql};

/// Entries above this many đồng wait for approval.
pub async fn approval_above(db: &Db) -> Result<i64, sqlx::Error> {
    Sql::new("SELECT approval_above FROM ledger_policy WHERE id = 1")
        .fetch_int(db.pool())
        .await
}

pub async fn set_approval_above(tx: &mut Transaction<'static, Any>, amount: i64) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("UPDATE ledger_policy SET approval_above = ");
    sql.bind(amount).push(" WHERE id = 1");
    sql.execute(&mut **tx).await.map(drop)
}

/// A draft: its fund, the input as typed (JSON), amount, author.
pub struct Draft {
    pub id: i64,
    pub fund_id: i64,
    pub input_json: String,
    pub amount: i64,
    pub created_by: i64,
    pub created_at: String,
}

pub async fn insert(db: &Db, fund_id: i64, input_json: &str, amount: i64, created_by: i64) -> Result<i64, sqlx::Error> {
    let mut sql =
        Sql::new("INSERT INTO ledger_drafts (fund_id, input_json, amount, status, created_by, created_at) VALUES (");
    sql.bind(fund_id)
        .push(", ")
        .bind(input_json.to_owned())
        .push(", ")
        .bind(amount)
        .push(", 'pending', ")
        .bind(created_by)
        .push(", ")
        .bind(db::now())
        .push(") RETURNING id");
    sql.fetch_int(db.pool()).await
}

fn draft_of(r: &sqlx::any::AnyRow) -> Result<Draft, sqlx::Error> {
    Ok(Draft {
        id: r.try_get(0)?,
        fund_id: r.try_get(1)?,
        input_json: r.try_get(2)?,
        amount: r.try_get(3)?,
        created_by: r.try_get(4)?,
        created_at: r.try_get(5)?,
    })
}

const COLUMNS: &str = "SELECT id, fund_id, input_json, amount, created_by, created_at FROM ledger_drafts WHERE ";

/// The pending draft `id`.
pub async fn pending(db: &Db, id: i64) -> Result<Option<Draft>, sqlx::Error> {
    let mut sql = Sql::new(COLUMNS);
    sql.push("status = 'pending' AND id = ").bind(id);
    sql.fetch_optional(db.pool()).await?.as_ref().map(draft_of).transpose()
}

/// The pending drafts of `fund_id`, oldest first.
pub async fn pending_of_fund(db: &Db, fund_id: i64) -> Result<Vec<Draft>, sqlx::Error> {
    let mut sql = Sql::new(COLUMNS);
    sql.push("status = 'pending' AND fund_id = ")
        .bind(fund_id)
        .push(" ORDER BY id LIMIT 500");
    sql.fetch_all(db.pool()).await?.iter().map(draft_of).collect()
}

/// Decides the pending draft `id` (`approved` with its entry, or
/// `rejected`), unless someone did first; whether this did.
pub async fn decide(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    status: &str,
    by: i64,
    entry_id: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("UPDATE ledger_drafts SET status = ");
    sql.bind(status.to_owned())
        .push(", decided_by = ")
        .bind(by)
        .push(", decided_at = ")
        .bind(db::now())
        .push(", entry_id = ")
        .bind(entry_id)
        .push(" WHERE status = 'pending' AND id = ")
        .bind(id);
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}
