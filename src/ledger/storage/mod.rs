//! The ledger's SQL: appending to a unit's chain, reading chains back for
//! verification. Entries and lines are only ever inserted here; the
//! database refuses updates and deletes of them (migration 0021).

pub mod drafts;
pub mod funds;
pub mod listing;
pub mod statements;

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::chain::{self, ChainedEntry, Heads, PublicEntry};
use super::model::{EntryKind, Head, Line};
use crate::db::{self, Cell, ColumnType, Db, Rows, Sql};
use crate::money::Money;

/// An entry to append, checked (balanced lines) by the service.
#[derive(Clone, Debug)]
pub struct NewEntry {
    pub on_date: String,
    pub kind: EntryKind,
    pub description: String,
    pub counterparty: String,
    pub reference: String,
    pub reverses: Option<i64>,
    pub lines: Vec<Line>,
    pub amount: Money,
    /// What is kept but never published (the bank's full description,
    /// the donor's details), as JSON.
    pub private_json: String,
}

const ENTRY_COLUMNS: [(&str, ColumnType); 19] = [
    ("id", ColumnType::Int),
    ("unit_id", ColumnType::Int),
    ("seq", ColumnType::Int),
    ("on_date", ColumnType::Text),
    ("kind", ColumnType::Text),
    ("description", ColumnType::Text),
    ("counterparty", ColumnType::Text),
    ("reference", ColumnType::Text),
    ("reverses", ColumnType::Int),
    ("amount", ColumnType::Int),
    ("fund_id", ColumnType::Int),
    ("search_text", ColumnType::Text),
    ("private_json", ColumnType::Text),
    ("salt", ColumnType::Text),
    ("commitment", ColumnType::Text),
    ("prev_hash", ColumnType::Text),
    ("hash", ColumnType::Text),
    ("created_by", ColumnType::Int),
    ("created_at", ColumnType::Text),
];

const LINE_COLUMNS: [(&str, ColumnType); 7] = [
    ("entry_id", ColumnType::Int),
    ("n", ColumnType::Int),
    ("fund_id", ColumnType::Int),
    ("head", ColumnType::Text),
    ("account_id", ColumnType::Int),
    ("debit", ColumnType::Int),
    ("credit", ColumnType::Int),
];

/// The fund every line names, when they name one.
fn single_fund(lines: &[Line]) -> Option<i64> {
    let first = lines.first()?.fund_id;
    lines.iter().all(|l| l.fund_id == first).then_some(first)
}

/// Locks the head of `unit_id`'s chain for this transaction (creating
/// it at the genesis); where the chain ends.
async fn lock_head(db: &Db, tx: &mut Transaction<'static, Any>, unit_id: i64) -> Result<(i64, String), sqlx::Error> {
    let mut create = Sql::new("INSERT INTO ledger_heads (unit_id, seq, hash, at) VALUES (");
    create
        .bind(unit_id)
        .push(", 0, ")
        .bind(chain::GENESIS.to_owned())
        .push(", ")
        .bind(db::now())
        .push(") ON CONFLICT (unit_id) DO NOTHING");
    create.execute(&mut **tx).await?;
    let mut sql = Sql::new("SELECT seq, hash FROM ledger_heads WHERE unit_id = ");
    sql.bind(unit_id).push(db.for_update());
    let row = sql.fetch_optional(&mut **tx).await?.ok_or(sqlx::Error::RowNotFound)?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

/// Appends `entries` to the chain of `unit_id` in `tx` (a write
/// transaction); the entries as chained, in order.
pub async fn append(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    unit_id: i64,
    entries: Vec<NewEntry>,
    created_by: Option<i64>,
) -> Result<Vec<(i64, ChainedEntry)>, sqlx::Error> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let started = std::time::Instant::now();
    let (mut seq, mut prev) = lock_head(db, tx, unit_id).await?;
    let ids = db.reserve_ids(tx, "ledger_entries", entries.len()).await?;
    let locked = started.elapsed();
    let at = db::now();
    let mut entry_rows = Rows::new("ledger_entries", &ENTRY_COLUMNS);
    let mut line_rows = Rows::new("ledger_lines", &LINE_COLUMNS);
    let mut out = Vec::with_capacity(entries.len());
    for (new, id) in entries.into_iter().zip(ids) {
        seq += 1;
        let salt = chain::new_salt();
        let commitment = chain::commitment(&salt, &new.private_json);
        let public = PublicEntry {
            unit_id,
            seq,
            on_date: new.on_date,
            kind: new.kind,
            description: new.description,
            counterparty: new.counterparty,
            reference: new.reference,
            reverses: new.reverses,
            lines: new.lines,
            private: commitment,
        };
        let hash = chain::hash(&prev, &public);
        for (n, line) in public.lines.iter().enumerate() {
            line_rows.push([
                Cell::from(id),
                Cell::from(n as i64 + 1),
                Cell::from(line.fund_id),
                Cell::from(line.head.as_str()),
                Cell::from(line.account_id),
                Cell::from(line.debit.dong()),
                Cell::from(line.credit.dong()),
            ]);
        }
        entry_rows.push([
            Cell::from(id),
            Cell::from(unit_id),
            Cell::from(seq),
            Cell::from(public.on_date.clone()),
            Cell::from(public.kind.as_str()),
            Cell::from(public.description.clone()),
            Cell::from(public.counterparty.clone()),
            Cell::from(public.reference.clone()),
            Cell::from(public.reverses),
            Cell::from(new.amount.dong()),
            Cell::from(single_fund(&public.lines)),
            Cell::from(search_text(&public)),
            Cell::from(new.private_json),
            Cell::from(salt),
            Cell::from(public.private.clone()),
            Cell::from(prev.clone()),
            Cell::from(hash.clone()),
            Cell::from(created_by),
            Cell::from(at.clone()),
        ]);
        let chained = ChainedEntry {
            entry: public,
            prev_hash: std::mem::replace(&mut prev, hash.clone()),
            hash,
        };
        out.push((id, chained));
    }
    let hashed = started.elapsed();
    db.insert_rows(tx, entry_rows).await?;
    let entries_written = started.elapsed();
    db.insert_rows(tx, line_rows).await?;
    tracing::debug!(
        lock_s = locked.as_secs_f64(),
        hash_s = (hashed - locked).as_secs_f64(),
        entries_s = (entries_written - hashed).as_secs_f64(),
        lines_s = (started.elapsed() - entries_written).as_secs_f64(),
        "ledger appended"
    );
    let mut head = Sql::new("UPDATE ledger_heads SET seq = ");
    head.bind(seq)
        .push(", hash = ")
        .bind(prev)
        .push(", at = ")
        .bind(at)
        .push(" WHERE unit_id = ")
        .bind(unit_id);
    head.execute(&mut **tx).await?;
    Ok(out)
}

/// The recorded head of every chain.
pub async fn heads(tx: &mut Transaction<'static, Any>) -> Result<Heads, sqlx::Error> {
    let rows = Sql::new("SELECT unit_id, seq, hash FROM ledger_heads")
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?))))
        .collect()
}

/// An entry as stored, with what it takes to recompute its commitment
/// and the columns derived from it.
pub struct StoredEntry {
    pub chained: ChainedEntry,
    pub stored_commitment: String,
    pub amount: i64,
    pub fund_id: Option<i64>,
    pub search_text: String,
}

impl StoredEntry {
    /// Whether the columns kept beside the hashed content still agree
    /// with it (lists and searches read them).
    pub fn derived_agree(&self) -> bool {
        let e = &self.chained.entry;
        let amount = super::model::balanced(&e.lines).map_or(-1, Money::dong);
        self.amount == amount && self.fund_id == single_fund(&e.lines) && self.search_text == search_text(e)
    }
}

/// The folded text searches read: counterparty and description.
fn search_text(e: &PublicEntry) -> String {
    crate::text::fold(&format!("{} {}", e.counterparty, e.description))
}

fn line_of(row: &AnyRow) -> Result<(i64, Line), sqlx::Error> {
    let head: String = row.try_get(2)?;
    let head = Head::parse(&head).ok_or_else(|| sqlx::Error::Decode(format!("line head {head}").into()))?;
    Ok((
        row.try_get(0)?,
        Line {
            fund_id: row.try_get(1)?,
            head,
            account_id: row.try_get(3)?,
            debit: Money::from_dong(row.try_get(4)?),
            credit: Money::from_dong(row.try_get(5)?),
        },
    ))
}

fn entry_of(row: &AnyRow, lines: Vec<Line>) -> Result<StoredEntry, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    let kind = EntryKind::parse(&kind).ok_or_else(|| sqlx::Error::Decode(format!("entry kind {kind}").into()))?;
    let salt: String = row.try_get("salt")?;
    let private_json: String = row.try_get("private_json")?;
    Ok(StoredEntry {
        chained: ChainedEntry {
            entry: PublicEntry {
                unit_id: row.try_get("unit_id")?,
                seq: row.try_get("seq")?,
                on_date: row.try_get("on_date")?,
                kind,
                description: row.try_get("description")?,
                counterparty: row.try_get("counterparty")?,
                reference: row.try_get("reference")?,
                reverses: row.try_get("reverses")?,
                lines,
                // What the hash covered: the commitment recomputed from
                // the private part as it is now.
                private: chain::commitment(&salt, &private_json),
            },
            prev_hash: row.try_get("prev_hash")?,
            hash: row.try_get("hash")?,
        },
        stored_commitment: row.try_get("commitment")?,
        amount: row.try_get("amount")?,
        fund_id: row.try_get("fund_id")?,
        search_text: row.try_get("search_text")?,
    })
}

/// Every entry of every chain, each unit's in `seq` order, a page at a
/// time (`after` is the last (unit, seq) read).
pub async fn entries_page(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
    unit: Option<i64>,
    after: (i64, i64),
    limit: i64,
) -> Result<Vec<StoredEntry>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT id, unit_id, seq, on_date, kind, description, counterparty, reference, reverses, amount, fund_id, \
         search_text, private_json, salt, commitment, prev_hash, hash FROM ledger_entries WHERE (unit_id > ",
    );
    sql.bind(after.0)
        .push(" OR (unit_id = ")
        .bind(after.0)
        .push(" AND seq > ")
        .bind(after.1)
        .push("))");
    if let Some(unit) = unit {
        sql.push(" AND unit_id = ").bind(unit);
    }
    sql.push(" ORDER BY unit_id, seq LIMIT ").bind(limit);
    let rows = sql.fetch_all(&mut **tx).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
    let mut lines: HashMap<i64, Vec<Line>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut sql = db.bulk_sql(
            "SELECT entry_id, fund_id, head, account_id, debit, credit FROM ledger_lines WHERE entry_id IN (",
        );
        sql.bind_list(chunk).push(") ORDER BY entry_id, n");
        for row in sql.fetch_all(&mut **tx).await? {
            let (entry, line) = line_of(&row)?;
            lines.entry(entry).or_default().push(line);
        }
    }
    rows.iter()
        .zip(ids)
        .map(|(row, id)| entry_of(row, lines.remove(&id).unwrap_or_default()))
        .collect()
}

/// Opens a transaction that reads one snapshot of the whole ledger (a
/// server appending meanwhile is not seen half-way).
pub async fn snapshot(db: &Db) -> Result<Transaction<'static, Any>, sqlx::Error> {
    let mut tx = db.pool().begin().await?;
    if db.backend() == crate::db::Backend::Postgres {
        Sql::new("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
    }
    Ok(tx)
}

/// The entry `entry_id` with its lines, when it belongs to fund `fund_id`.
pub async fn entry_in_fund(db: &Db, fund_id: i64, entry_id: i64) -> Result<Option<ChainedEntry>, sqlx::Error> {
    let mut tx = db.pool().begin().await?;
    let mut sql = Sql::new(
        "SELECT id, unit_id, seq, on_date, kind, description, counterparty, reference, reverses, amount, fund_id, \
         search_text, private_json, salt, commitment, prev_hash, hash FROM ledger_entries WHERE id = ",
    );
    sql.bind(entry_id).push(" AND fund_id = ").bind(fund_id);
    let Some(row) = sql.fetch_optional(&mut *tx).await? else {
        return Ok(None);
    };
    let mut lines = Vec::new();
    let mut sql =
        Sql::new("SELECT entry_id, fund_id, head, account_id, debit, credit FROM ledger_lines WHERE entry_id = ");
    sql.bind(entry_id).push(" ORDER BY n");
    for line in sql.fetch_all(&mut *tx).await? {
        lines.push(line_of(&line)?.1);
    }
    tx.rollback().await?;
    Ok(Some(entry_of(&row, lines)?.chained))
}

/// What a receipt for a gift shows of the entry `id`.
pub struct ReceiptRow {
    pub fund_id: Option<i64>,
    pub kind: String,
    pub on_date: String,
    pub amount: i64,
    pub reference: String,
    pub counterparty: String,
    pub private_json: String,
    pub hash: String,
}

pub async fn receipt_row(db: &Db, id: i64) -> Result<Option<ReceiptRow>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT fund_id, kind, on_date, amount, reference, counterparty, private_json, hash FROM ledger_entries WHERE id = ",
    );
    sql.bind(id);
    let Some(r) = sql.fetch_optional(db.pool()).await? else {
        return Ok(None);
    };
    Ok(Some(ReceiptRow {
        fund_id: r.try_get(0)?,
        kind: r.try_get(1)?,
        on_date: r.try_get(2)?,
        amount: r.try_get(3)?,
        reference: r.try_get(4)?,
        counterparty: r.try_get(5)?,
        private_json: r.try_get(6)?,
        hash: r.try_get(7)?,
    }))
}
