//! Bank statements as an import kind (`kind=statement`, `target` = the
//! bank account it is the statement of). The toolkit reads the file,
//! finds its header row among the bank's title rows, maps its columns
//! (`Ngày`, `Số CT`, `Ghi nợ`, `Ghi có`, `Nội dung` …, or by hand) and
//! shows the preview; this kind puts rows together (a date on a group's
//! first row, a description over several rows), and on commit, all or
//! nothing, records each credit not imported before as a gift: to the
//! fund whose payment code its description carries, else to the fund the
//! account is dedicated to, else into the reconciliation queue with the
//! debits.

use futures_util::future::BoxFuture;
use sqlx::{Any, Transaction};

use super::describe;
use super::model::{self, EntryKind, ENTRY_MAX};
use super::statement::{self, RawRow, StatementRow};
use super::storage::statements::{self as store, Unmatched};
use super::storage::NewEntry;
use crate::db::Db;
use crate::money::Money;
use crate::org::Unit;
use crate::toolkit::import::{CellKind, ColumnSpec, ImportCtx, ImportKind, Row, RowCheck};

pub struct StatementImport;

const COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::new(
        "date",
        "statement.date",
        &[
            "ngay",
            "ngay giao dich",
            "ngay gd",
            "ngay hach toan",
            "ngay hieu luc",
            "tnxdate",
            "date",
            "transaction date",
            "posting date",
        ],
    )
    .of(CellKind::Date)
    .required(),
    ColumnSpec::new(
        "reference",
        "statement.reference",
        &[
            "so ct",
            "so chung tu",
            "so tham chieu",
            "ma giao dich",
            "so but toan",
            "docno",
            "reference",
            "ref",
            "transaction no",
        ],
    ),
    ColumnSpec::new(
        "debit",
        "statement.debit",
        &["ghi no", "no", "so tien ghi no", "rut ra", "debit", "withdrawal"],
    ),
    ColumnSpec::new(
        "credit",
        "statement.credit",
        &["ghi co", "co", "so tien ghi co", "gui vao", "credit", "deposit"],
    )
    .required(),
    ColumnSpec::new(
        "description",
        "statement.description",
        &[
            "noi dung",
            "dien giai",
            "noi dung giao dich",
            "mo ta",
            "chi tiet",
            "transactiondetails",
            "transaction details",
            "description",
            "details",
        ],
    ),
];

fn raw_rows(rows: &[Row]) -> Vec<RawRow> {
    rows.iter()
        .map(|r| RawRow {
            number: r.number,
            date: r.get("date").to_owned(),
            reference: r.get("reference").to_owned(),
            debit: r.get("debit").to_owned(),
            credit: r.get("credit").to_owned(),
            description: r.get("description").to_owned(),
        })
        .collect()
}

fn too_large(row: &StatementRow) -> bool {
    row.credit.dong() > ENTRY_MAX || row.debit.dong() > ENTRY_MAX
}

async fn check(_ctx: &ImportCtx<'_>, rows: &[Row]) -> Result<Vec<RowCheck>, sqlx::Error> {
    let mut checks = vec![RowCheck::default(); rows.len()];
    let positions: std::collections::HashMap<i64, usize> =
        rows.iter().enumerate().map(|(i, r)| (r.number, i)).collect();
    let index_of = |number: i64| positions.get(&number).copied();
    match statement::assemble(&raw_rows(rows)) {
        Ok(assembled) => {
            for row in assembled.iter().filter(|r| too_large(r)) {
                if let Some(i) = index_of(row.number) {
                    checks[i].errors.push(("credit".into(), "money.error.too_large".into()));
                }
            }
        }
        Err(issues) => {
            for (number, column, key) in issues {
                if let Some(i) = index_of(number) {
                    checks[i].errors.push((column.into(), key.into()));
                }
            }
        }
    }
    Ok(checks)
}

/// The fund a credit goes to: the one its payment code names, when the
/// unit holds it (a code of another unit's fund, or a mistyped one, is
/// queued rather than guessed); without a code, the appeal the account is
/// dedicated to, if open on the day. None: queued.
fn route(
    row: &StatementRow,
    held: &std::collections::HashSet<i64>,
    dedicated: Option<&(i64, Option<String>, Option<String>)>,
) -> Option<i64> {
    if let Some(code) = describe::fund_of(&row.description) {
        return held.contains(&code).then_some(code);
    }
    let (fund, opens, closes) = dedicated?;
    let day = crate::members::model::iso(row.date);
    let open =
        opens.as_deref().is_none_or(|d| d <= day.as_str()) && closes.as_deref().is_none_or(|d| d >= day.as_str());
    open.then_some(*fund)
}

fn changed(what: &str) -> sqlx::Error {
    sqlx::Error::Protocol(format!("statement import: {what}"))
}

/// The gift `row` makes to `fund_id` through `account_id`.
fn gift(row: &StatementRow, fund_id: i64, account_id: i64, key: &str) -> NewEntry {
    NewEntry {
        on_date: crate::members::model::iso(row.date),
        kind: EntryKind::Donation,
        description: describe::public_description(&row.description),
        counterparty: describe::donor_name(&row.description).unwrap_or_default(),
        reference: row.reference.clone(),
        reverses: None,
        lines: model::donation(fund_id, account_id, row.credit),
        amount: row.credit,
        private_json: serde_json::json!({ "description": row.description, "row_key": key }).to_string(),
    }
}

async fn commit(ctx: &ImportCtx<'_>, tx: &mut Transaction<'static, Any>, rows: &[Row]) -> Result<i64, sqlx::Error> {
    let account = ctx.target.ok_or_else(|| changed("no account"))?;
    let unit = ctx.unit.id;
    let started = std::time::Instant::now();
    if !store::lock_bank_account(ctx.db, tx, unit, account).await? {
        return Err(changed("the account is no longer the unit's"));
    }
    let assembled = statement::assemble(&raw_rows(rows)).map_err(|_| changed("rows no longer valid"))?;
    let keys = statement::row_keys(&assembled);
    let known = store::known_keys(ctx.db, tx, account, &keys).await?;
    let looked_up = started.elapsed();
    let dedicated = store::dedicated_appeal(tx, unit, account).await?;
    let mut coded: Vec<i64> = assembled
        .iter()
        .filter_map(|r| describe::fund_of(&r.description))
        .collect();
    coded.sort_unstable();
    coded.dedup();
    let held = store::held_funds(tx, unit, &coded).await?;
    let (mut gifts, mut gift_keys, mut queued, mut queued_keys) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (row, key) in assembled.iter().zip(keys) {
        if known.contains(&key) {
            continue;
        }
        let routed = route(row, &held, dedicated.as_ref());
        match routed {
            Some(fund) if row.credit > Money::ZERO => {
                gifts.push(gift(row, fund, account, &key));
                gift_keys.push(key);
            }
            _ => {
                queued.push(Unmatched {
                    on_date: crate::members::model::iso(row.date),
                    reference: row.reference.clone(),
                    debit: row.debit.dong(),
                    credit: row.credit.dong(),
                    description: row.description.clone(),
                    donor: describe::donor_name(&row.description).unwrap_or_default(),
                });
                queued_keys.push(key);
            }
        }
    }
    let created = (gifts.len() + queued.len()) as i64;
    let routed_at = started.elapsed();
    let entries = super::service::append_in(ctx.db, tx, unit, gifts, ctx.user.user_id())
        .await
        .map_err(|e| match e {
            super::service::LedgerError::Db(e) => e,
            other => changed(&other.to_string()),
        })?;
    let appended = started.elapsed();
    let lines = store::insert_unmatched(ctx.db, tx, unit, account, &queued).await?;
    let mut remembered: Vec<(String, Option<i64>, Option<i64>)> = gift_keys
        .into_iter()
        .zip(entries)
        .map(|(key, entry)| (key, Some(entry), None))
        .collect();
    remembered.extend(
        queued_keys
            .into_iter()
            .zip(lines)
            .map(|(key, line)| (key, None, Some(line))),
    );
    store::insert_keys(ctx.db, tx, account, &remembered).await?;
    tracing::debug!(
        keys_s = looked_up.as_secs_f64(),
        route_s = (routed_at - looked_up).as_secs_f64(),
        append_s = (appended - routed_at).as_secs_f64(),
        remember_s = (started.elapsed() - appended).as_secs_f64(),
        "statement imported"
    );
    Ok(created)
}

impl ImportKind for StatementImport {
    fn kind(&self) -> &'static str {
        "statement"
    }

    fn label_key(&self) -> &'static str {
        "import.kind.statement"
    }

    fn columns(&self) -> &'static [ColumnSpec] {
        COLUMNS
    }

    fn record_path(&self) -> &'static str {
        // The unit's ledger (`?unit=` is added), where its accounts are.
        "/ledger"
    }

    fn committed_key(&self) -> &'static str {
        "import.committed_statement"
    }

    fn target_key(&self) -> Option<&'static str> {
        Some("statement.error.account")
    }

    fn accepts_target<'a>(&'a self, db: &'a Db, unit: &'a Unit, id: i64) -> BoxFuture<'a, Result<bool, sqlx::Error>> {
        Box::pin(store::bank_account_of(db, unit.id, id))
    }

    fn whole_file(&self) -> bool {
        true
    }

    crate::import_kind_fns!(check, commit);
}
