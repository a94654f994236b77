//! Appending to the ledger and verifying it where it is stored.

use std::collections::BTreeMap;

use super::chain::{Broken, Heads, Verifier};
use super::file::{totals, Verified};
use super::model::{balanced, balanced_per_fund, EntryKind, Totals};
use super::storage::{self, NewEntry};
use crate::db::Db;
use crate::money::Money;

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("{}", .0.key())]
    Lines(#[from] super::model::LineError),
    #[error("invalid entry")]
    Validation(crate::validation::FieldErrors),
    #[error("an entry's amount is not the sum of its debits")]
    Amount,
    #[error("an entry names a fund or an account the unit does not hold")]
    NotHeld,
    #[error("the unit is closed: its chain takes no more entries")]
    UnitClosed,
    #[error("not found")]
    NotFound,
    #[error("read-only access")]
    ReadOnly,
    #[error("the entry was reversed already")]
    ReversedAlready,
    #[error("the queued transaction was recorded already")]
    Settled,
    #[error("the author of a draft cannot approve it")]
    OwnDraft,
    #[error("the stored ledger does not verify: {0}")]
    Broken(#[from] Broken),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Appends `entries` to the chain of `unit_id` in one transaction, all
/// or none (see `append_in`). Their ids.
pub async fn append(
    db: &Db,
    unit_id: i64,
    entries: Vec<NewEntry>,
    created_by: Option<i64>,
) -> Result<Vec<i64>, LedgerError> {
    let mut tx = db.begin_write().await?;
    let ids = append_in(db, &mut tx, unit_id, entries, created_by).await?;
    tx.commit().await?;
    Ok(ids)
}

/// Appends `entries` to the chain of `unit_id` in `tx` (a write
/// transaction). Each must balance fund by fund (a transfer may move money
/// between funds), its amount is its total debits, and its funds and
/// accounts are the unit's; a closed unit's chain takes nothing.
pub async fn append_in(
    db: &Db,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    unit_id: i64,
    entries: Vec<NewEntry>,
    created_by: Option<i64>,
) -> Result<Vec<i64>, LedgerError> {
    let (mut funds, mut accounts) = (Vec::new(), Vec::new());
    for entry in &entries {
        let total = match entry.kind {
            EntryKind::Transfer => balanced(&entry.lines)?,
            _ => balanced_per_fund(&entry.lines)?,
        };
        if total != entry.amount {
            return Err(LedgerError::Amount);
        }
        funds.extend(entry.lines.iter().map(|l| l.fund_id));
        accounts.extend(entry.lines.iter().filter_map(|l| l.account_id));
    }
    let unit = crate::org::service::unit_by_id(db, unit_id)
        .await?
        .ok_or(LedgerError::NotFound)?;
    if !unit.is_active() {
        return Err(LedgerError::UnitClosed);
    }
    if !storage::funds::all_held(tx, unit_id, &funds, &accounts).await? {
        return Err(LedgerError::NotHeld);
    }
    let appended = storage::append(db, tx, unit_id, entries, created_by)
        .await
        .map_err(|e| {
            if crate::db::is_unique_violation(&e) {
                LedgerError::ReversedAlready
            } else {
                LedgerError::Db(e)
            }
        })?;
    Ok(appended.into_iter().map(|(id, _)| id).collect())
}

/// Entries read per page while verifying.
const PAGE: i64 = 5_000;

/// Follows every chain as stored, in one snapshot, recomputing each
/// commitment and hash and the columns derived from them, and checks each
/// chain ends at its recorded head (and reaches the heads `saved`
/// earlier): any row changed, removed, inserted or moved behind the
/// application's back is named.
pub async fn verify(db: &Db, saved: Heads) -> Result<Verified, LedgerError> {
    let mut tx = storage::snapshot(db).await?;
    let recorded = storage::heads(&mut tx).await?;
    let mut verifier = Verifier::expecting(saved);
    let mut sums: BTreeMap<i64, Totals> = BTreeMap::new();
    let mut after = (i64::MIN, i64::MIN);
    loop {
        let page = storage::entries_page(db, &mut tx, None, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = (last.chained.entry.unit_id, last.chained.entry.seq);
        for stored in &page {
            let entry = &stored.chained.entry;
            let (unit, seq) = (entry.unit_id, entry.seq);
            if entry.private != stored.stored_commitment {
                return Err(Broken::Hash { unit, seq }.into());
            }
            verifier.push(&stored.chained)?;
            if !stored.derived_agree() {
                return Err(Broken::Derived { unit, seq }.into());
            }
        }
        for (fund, t) in totals(page.iter().map(|s| &s.chained.entry)) {
            let sum = sums.entry(fund).or_default();
            let add = |a: Money, b: Money| Money::from_dong(a.dong().saturating_add(b.dong()));
            sum.raised = add(sum.raised, t.raised);
            sum.spent = add(sum.spent, t.spent);
            sum.held = add(sum.held, t.held);
        }
    }
    tx.rollback().await?;
    let entries = verifier.entries;
    let heads = verifier.finish(Some(&recorded))?;
    Ok(Verified::new(entries, heads, sums))
}

/// The public ledger of `unit_id`: its whole chain (public fields and
/// commitments only), its head and its funds' totals, read in one
/// snapshot, as the download anyone may verify.
pub async fn public_file(db: &Db, unit_id: i64) -> Result<super::file::LedgerFile, LedgerError> {
    let mut tx = storage::snapshot(db).await?;
    let heads = storage::heads(&mut tx).await?;
    let mut entries = Vec::new();
    let mut after = (unit_id, 0);
    loop {
        let page = storage::entries_page(db, &mut tx, Some(unit_id), after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = (unit_id, last.chained.entry.seq);
        entries.extend(page.into_iter().map(|mut s| {
            // Published as stored (the database check recomputes it).
            s.chained.entry.private = s.stored_commitment;
            s.chained
        }));
    }
    tx.rollback().await?;
    let head = heads.get(&unit_id).map(|(seq, hash)| super::file::HeadView {
        seq: *seq,
        hash: hash.clone(),
    });
    Ok(super::file::LedgerFile {
        format: super::file::FORMAT.to_owned(),
        heads: head.into_iter().map(|h| (unit_id, h)).collect(),
        totals: totals(entries.iter().map(|e| &e.entry)),
        entries,
    })
}
