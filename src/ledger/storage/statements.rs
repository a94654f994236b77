//! SQL of imported bank statements: the keys of the transactions an
//! account's statements held, and the reconciliation queue.

use std::collections::HashSet;

use sqlx::{Any, Row, Transaction};

use crate::db::{self, Cell, ColumnType, Db, Rows, Sql};

/// Which of `keys` the statements of `account_id` held already.
pub async fn known_keys(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    account_id: i64,
    keys: &[String],
) -> Result<HashSet<String>, sqlx::Error> {
    let mut out = HashSet::new();
    for chunk in keys.chunks(2_000) {
        let mut sql = db.bulk_sql("SELECT row_key FROM ledger_statement_rows WHERE account_id = ");
        sql.bind(account_id)
            .push(" AND row_key IN (")
            .bind_list(chunk)
            .push(")");
        for row in sql.fetch_all(&mut **tx).await? {
            out.insert(row.try_get(0)?);
        }
    }
    Ok(out)
}

/// The appeal `account_id` is the dedicated account of, when exactly one
/// fund of `unit_id` is paid into it and it is an appeal: its id and its
/// opening and closing days (`yyyy-mm-dd`).
pub async fn dedicated_appeal(
    tx: &mut Transaction<'static, Any>,
    unit_id: i64,
    account_id: i64,
) -> Result<Option<(i64, Option<String>, Option<String>)>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id, kind, opens_on, closes_on FROM ledger_funds WHERE unit_id = ");
    sql.bind(unit_id)
        .push(" AND account_id = ")
        .bind(account_id)
        .push(" LIMIT 2");
    let rows = sql.fetch_all(&mut **tx).await?;
    Ok(match rows.as_slice() {
        [one] if one.try_get::<String, _>(1)? == "appeal" => Some((one.try_get(0)?, one.try_get(2)?, one.try_get(3)?)),
        _ => None,
    })
}

/// Locks the bank account `account_id` of `unit_id` for this transaction
/// (two statements of one account are committed one after the other);
/// whether it still is one.
pub async fn lock_bank_account(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    unit_id: i64,
    account_id: i64,
) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("SELECT id FROM ledger_accounts WHERE kind = 'bank' AND unit_id = ");
    sql.bind(unit_id)
        .push(" AND id = ")
        .bind(account_id)
        .push(db.for_update());
    Ok(sql.fetch_optional(&mut **tx).await?.is_some())
}

/// Which of `funds` `unit_id` holds.
pub async fn held_funds(
    tx: &mut Transaction<'static, Any>,
    unit_id: i64,
    funds: &[i64],
) -> Result<HashSet<i64>, sqlx::Error> {
    let mut out = HashSet::new();
    for chunk in funds.chunks(500) {
        let mut sql = Sql::new("SELECT id FROM ledger_funds WHERE unit_id = ");
        sql.bind(unit_id).push(" AND id IN (").bind_list(chunk).push(")");
        for row in sql.fetch_all(&mut **tx).await? {
            out.insert(row.try_get(0)?);
        }
    }
    Ok(out)
}

/// A transaction no fund could be told for.
pub struct Unmatched {
    pub on_date: String,
    pub reference: String,
    pub debit: i64,
    pub credit: i64,
    pub description: String,
    pub donor: String,
}

/// Queues `rows` for `account_id` of `unit_id`; their ids, in order.
pub async fn insert_unmatched(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    unit_id: i64,
    account_id: i64,
    rows: &[Unmatched],
) -> Result<Vec<i64>, sqlx::Error> {
    let ids = db.reserve_ids(tx, "ledger_unmatched", rows.len()).await?;
    let mut out = Rows::new(
        "ledger_unmatched",
        &[
            ("id", ColumnType::Int),
            ("unit_id", ColumnType::Int),
            ("account_id", ColumnType::Int),
            ("on_date", ColumnType::Text),
            ("reference", ColumnType::Text),
            ("debit", ColumnType::Int),
            ("credit", ColumnType::Int),
            ("description", ColumnType::Text),
            ("donor", ColumnType::Text),
            ("created_at", ColumnType::Text),
        ],
    );
    let now = db::now();
    for (row, id) in rows.iter().zip(&ids) {
        out.push([
            Cell::from(*id),
            Cell::from(unit_id),
            Cell::from(account_id),
            Cell::from(row.on_date.as_str()),
            Cell::from(row.reference.as_str()),
            Cell::from(row.debit),
            Cell::from(row.credit),
            Cell::from(row.description.as_str()),
            Cell::from(row.donor.as_str()),
            Cell::from(now.as_str()),
        ]);
    }
    db.insert_rows(tx, out).await?;
    Ok(ids)
}

/// Remembers the keys of an account's imported transactions with what
/// each became: (key, entry, queued line).
pub async fn insert_keys(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    account_id: i64,
    keys: &[(String, Option<i64>, Option<i64>)],
) -> Result<(), sqlx::Error> {
    let mut rows = Rows::new(
        "ledger_statement_rows",
        &[
            ("account_id", ColumnType::Int),
            ("row_key", ColumnType::Text),
            ("entry_id", ColumnType::Int),
            ("unmatched_id", ColumnType::Int),
        ],
    );
    for (key, entry, unmatched) in keys {
        rows.push([
            Cell::from(account_id),
            Cell::from(key.as_str()),
            Cell::from(*entry),
            Cell::from(*unmatched),
        ]);
    }
    db.insert_rows(tx, rows).await.map(drop)
}

/// Whether `account_id` is a bank account held by `unit_id`.
pub async fn bank_account_of(db: &Db, unit_id: i64, account_id: i64) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM ledger_accounts WHERE kind = 'bank' AND unit_id = ");
    sql.bind(unit_id).push(" AND id = ").bind(account_id);
    Ok(sql.fetch_int(db.pool()).await? == 1)
}

/// The open lines of the reconciliation queue of `account_id`, oldest first.
pub async fn open_unmatched(db: &Db, account_id: i64, limit: i64) -> Result<Vec<(i64, Unmatched)>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT id, on_date, reference, debit, credit, description, donor FROM ledger_unmatched \
         WHERE entry_id IS NULL AND account_id = ",
    );
    sql.bind(account_id).push(" ORDER BY id LIMIT ").bind(limit);
    sql.fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                Unmatched {
                    on_date: r.try_get(1)?,
                    reference: r.try_get(2)?,
                    debit: r.try_get(3)?,
                    credit: r.try_get(4)?,
                    description: r.try_get(5)?,
                    donor: r.try_get(6)?,
                },
            ))
        })
        .collect()
}

/// A queued line with its account's unit: (unit, account, line).
pub async fn unmatched(db: &Db, id: i64) -> Result<Option<(i64, i64, Unmatched)>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT unit_id, account_id, on_date, reference, debit, credit, description, donor FROM ledger_unmatched \
         WHERE entry_id IS NULL AND id = ",
    );
    sql.bind(id);
    let Some(r) = sql.fetch_optional(db.pool()).await? else {
        return Ok(None);
    };
    Ok(Some((
        r.try_get(0)?,
        r.try_get(1)?,
        Unmatched {
            on_date: r.try_get(2)?,
            reference: r.try_get(3)?,
            debit: r.try_get(4)?,
            credit: r.try_get(5)?,
            description: r.try_get(6)?,
            donor: r.try_get(7)?,
        },
    )))
}

/// Marks the queued line `id` as recorded by `entry_id`, unless someone
/// did first; whether this did.
pub async fn settle_unmatched(tx: &mut Transaction<'static, Any>, id: i64, entry_id: i64) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("UPDATE ledger_unmatched SET entry_id = ");
    sql.bind(entry_id).push(" WHERE entry_id IS NULL AND id = ").bind(id);
    Ok(sql.execute(&mut **tx).await?.rows_affected() == 1)
}

/// How many lines of `account_id`'s queue are open.
pub async fn open_count(db: &Db, account_id: i64) -> Result<i64, sqlx::Error> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM ledger_unmatched WHERE entry_id IS NULL AND account_id = ");
    sql.bind(account_id);
    sql.fetch_int(db.pool()).await
}
