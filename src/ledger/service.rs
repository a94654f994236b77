//! Appending to the ledger and verifying it where it is stored.

use super::chain::{Broken, Verifier};
use super::file::{totals, Verified};
use super::model::balanced;
use super::storage::{self, NewEntry};
use crate::db::Db;

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("{}", .0.key())]
    Lines(#[from] super::model::LineError),
    #[error("the stored ledger does not verify: {0}")]
    Broken(#[from] Broken),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Appends `entries` to the chain of `unit_id` in one transaction; each
/// must balance, and its amount is its total debits. Their ids.
pub async fn append(db: &Db, unit_id: i64, entries: Vec<NewEntry>, created_by: &str) -> Result<Vec<i64>, LedgerError> {
    for entry in &entries {
        if balanced(&entry.lines)? != entry.amount {
            return Err(LedgerError::Lines(super::model::LineError::Unbalanced));
        }
    }
    let mut tx = db.begin_write().await?;
    let appended = storage::append(db, &mut tx, unit_id, entries, created_by).await?;
    tx.commit().await?;
    Ok(appended.into_iter().map(|(id, _)| id).collect())
}

/// Entries read per page while verifying.
const PAGE: i64 = 5_000;

/// Follows every chain as stored, recomputing each commitment and hash,
/// and checks each chain ends at its recorded head: any row changed,
/// removed, inserted or moved behind the application's back is named.
pub async fn verify(db: &Db) -> Result<Verified, LedgerError> {
    let recorded = storage::heads(db).await?;
    let mut verifier = Verifier::default();
    let mut sums = std::collections::BTreeMap::new();
    let mut after = (i64::MIN, i64::MIN);
    loop {
        let page = storage::entries_page(db, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = (last.chained.entry.unit_id, last.chained.entry.seq);
        for stored in &page {
            let entry = &stored.chained.entry;
            if entry.private != stored.stored_commitment {
                return Err(Broken::Hash {
                    unit: entry.unit_id,
                    seq: entry.seq,
                }
                .into());
            }
            verifier.push(&stored.chained)?;
        }
        for (fund, t) in totals(page.iter().map(|s| &s.chained.entry)) {
            let sum: &mut super::model::Totals = sums.entry(fund).or_default();
            sum.raised = sum.raised.checked_add(t.raised).unwrap_or(sum.raised);
            sum.spent = sum.spent.checked_add(t.spent).unwrap_or(sum.spent);
            sum.held = sum.held.checked_add(t.held).unwrap_or(sum.held);
        }
    }
    let entries = verifier.entries;
    let heads = verifier.finish(&recorded)?;
    Ok(Verified {
        entries,
        chains: heads.len(),
        totals: sums,
    })
}
