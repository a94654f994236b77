//! The reconciliation queue: transactions of imported statements that no
//! fund could be told for. Staff of the account's unit read them (with
//! the bank's full words, which are private) and record each into a fund
//! once: a credit as a gift, a debit as a payment of the kind they say.

use serde::{Deserialize, Serialize};

use super::describe;
use super::model::{self, EntryKind, Head};
use super::service::{self, LedgerError};
use super::storage::statements::{self as store, Unmatched};
use super::storage::NewEntry;
use crate::access::{Permission, Principal};
use crate::db::Db;
use crate::money::Money;
use crate::validation::field_error;

/// A queued transaction as staff see it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct QueuedLine {
    pub id: i64,
    /// `yyyy-mm-dd`.
    pub on_date: String,
    pub reference: String,
    /// In đồng: one of the two is zero.
    pub debit: i64,
    pub credit: i64,
    pub description: String,
    pub donor: String,
}

/// How a queued line is recorded.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Assignment {
    /// The fund (of the account's unit) it belongs to.
    pub fund: Option<i64>,
    /// For a debit: `disbursement`, `purchase` or `operating`.
    pub kind: String,
    /// For a debit: the payee as published (a private person's name is masked).
    pub counterparty: String,
}

/// The open lines of `account_id`'s queue, for a reader of its unit.
pub async fn open_lines(db: &Db, user: &Principal, account_id: i64) -> Result<Vec<QueuedLine>, LedgerError> {
    let account = super::manage::account(db, user, account_id).await?;
    // The bank's own words hold account and phone numbers: staff only.
    if !user.may(Permission::Write, &account.placement) {
        return Err(LedgerError::ReadOnly);
    }
    let lines = store::open_unmatched(db, account.id, 500).await?;
    Ok(lines
        .into_iter()
        .map(|(id, u)| QueuedLine {
            id,
            on_date: u.on_date,
            reference: u.reference,
            debit: u.debit,
            credit: u.credit,
            description: u.description,
            donor: u.donor,
        })
        .collect())
}

fn entry_of(line: &Unmatched, fund: i64, account: i64, a: &Assignment) -> Result<NewEntry, LedgerError> {
    let private = serde_json::json!({ "description": line.description }).to_string();
    let (kind, lines, amount, counterparty) = if line.credit > 0 {
        let amount = Money::from_dong(line.credit);
        (
            EntryKind::Donation,
            model::donation(fund, account, amount),
            amount,
            line.donor.clone(),
        )
    } else {
        let (kind, head) = match a.kind.trim() {
            "disbursement" => (EntryKind::Disbursement, Head::Disbursement),
            "purchase" => (EntryKind::Purchase, Head::Purchase),
            "operating" => (EntryKind::Operating, Head::Operating),
            _ => return Err(LedgerError::Validation(field_error("kind", "ledger.error.entry_kind"))),
        };
        let amount = Money::from_dong(line.debit);
        let payee = crate::text::squash_spaces(&a.counterparty);
        let published = if kind == EntryKind::Disbursement {
            super::entry_input::masked_person(&payee)
        } else {
            describe::public_description(&payee)
        };
        (kind, model::spending(fund, account, head, amount), amount, published)
    };
    Ok(NewEntry {
        on_date: line.on_date.clone(),
        kind,
        description: describe::public_description(&line.description),
        counterparty,
        reference: line.reference.clone(),
        reverses: None,
        lines,
        amount,
        private_json: private,
    })
}

/// Records the queued line `id` into the fund `assignment` names; the
/// entry's id. A line is recorded once.
pub async fn assign(db: &Db, user: &Principal, id: i64, assignment: &Assignment) -> Result<i64, LedgerError> {
    let (_, account, line) = store::unmatched(db, id).await?.ok_or(LedgerError::NotFound)?;
    // Where the account is now (a merge moves it, and its queue with it).
    let account = super::manage::account(db, user, account).await?;
    let unit = account.unit_id;
    if !user.may(Permission::Write, &account.placement) {
        return Err(if user.may(Permission::Read, &account.placement) {
            LedgerError::ReadOnly
        } else {
            LedgerError::NotFound
        });
    }
    let fund = assignment
        .fund
        .ok_or_else(|| LedgerError::Validation(field_error("fund", "volunteer.error.required")))?;
    let entry = entry_of(&line, fund, account.id, assignment)?;
    let mut tx = db.begin_write().await?;
    let ids = service::append_in(db, &mut tx, unit, vec![entry], user.user_id())
        .await
        .map_err(|e| match e {
            LedgerError::NotHeld => LedgerError::Validation(field_error("fund", "ledger.error.fund_elsewhere")),
            other => other,
        })?;
    let entry_id = ids.first().copied().ok_or(LedgerError::NotFound)?;
    if !store::settle_unmatched(&mut tx, id, entry_id).await? {
        return Err(LedgerError::Settled);
    }
    tx.commit().await?;
    Ok(entry_id)
}
