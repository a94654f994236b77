//! The ledger's use cases for staff, each checked against the unit that
//! holds the account, fund or chain: staff of a unit (or above it) open
//! accounts and funds there and record what moved; readers read.

use super::funds::{self as model, Account, AccountInput, Fund, FundInput};
use super::model::{EntryKind, Line};
use super::service::{self, LedgerError};
use super::storage::{self, funds as store, listing, NewEntry};
use crate::access::{Access, Permission, Principal};
use crate::audit::{self, Change};
use crate::db::Db;
use crate::org::service::{self as org, placement, Unwritable};
use crate::org::Unit;
use crate::validation::field_error;

/// The unit `code` where `user` may write: the unit and the proof.
async fn writable(db: &Db, user: &Principal, code: &str) -> Result<(Unit, Access), LedgerError> {
    org::writable_by_code(db, user, code)
        .await?
        .map_err(|refused| match refused {
            Unwritable::Unknown => LedgerError::Validation(field_error("unit", "person.error.unit_unknown")),
            Unwritable::ReadOnly => LedgerError::ReadOnly,
            Unwritable::Inactive => LedgerError::UnitClosed,
        })
}

pub async fn create_account(db: &Db, user: &Principal, input: &AccountInput) -> Result<Account, LedgerError> {
    let valid = model::validate_account(input).map_err(LedgerError::Validation)?;
    let (unit, access) = writable(db, user, &input.unit).await?;
    let mut tx = db.begin_write().await?;
    if !placement::lock_unit(db, &mut tx, &access).await? {
        return Err(LedgerError::UnitClosed);
    }
    let id = store::insert_account(&mut tx, &access, &valid).await?;
    let change = Change {
        after: Some(serde_json::json!({
            "kind": valid.kind.as_str(), "name": valid.name, "bank_name": valid.bank_name,
            "bank_bin": valid.bank_bin, "account_no": valid.account_no, "unit": unit.code,
        })),
        ..Change::new("create", "ledger_account", id, valid.name.clone(), access.placement())
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    account(db, user, id).await
}

pub async fn account(db: &Db, user: &Principal, id: i64) -> Result<Account, LedgerError> {
    store::account(db, &user.scope(Permission::Read), id)
        .await?
        .ok_or(LedgerError::NotFound)
}

pub async fn create_fund(db: &Db, user: &Principal, input: &FundInput) -> Result<Fund, LedgerError> {
    let valid = model::validate_fund(input).map_err(LedgerError::Validation)?;
    let (unit, access) = writable(db, user, &input.unit).await?;
    let mut tx = db.begin_write().await?;
    if !placement::lock_unit(db, &mut tx, &access).await? {
        return Err(LedgerError::UnitClosed);
    }
    let accounts: Vec<i64> = valid.account_id.into_iter().collect();
    if !store::all_held(&mut tx, unit.id, &[], &accounts).await? {
        return Err(LedgerError::Validation(field_error(
            "account_id",
            "ledger.error.account_elsewhere",
        )));
    }
    let id = store::insert_fund(&mut tx, &access, &valid).await?;
    let change = Change {
        after: Some(serde_json::json!({
            "kind": valid.kind.as_str(), "name": valid.name, "purpose": valid.purpose,
            "target": valid.target, "opens_on": valid.opens_on.map(crate::members::model::iso),
            "closes_on": valid.closes_on.map(crate::members::model::iso), "account_id": valid.account_id,
            "unit": unit.code,
        })),
        ..Change::new("create", "ledger_fund", id, valid.name.clone(), access.placement())
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    fund(db, user, id).await
}

pub async fn fund(db: &Db, user: &Principal, id: i64) -> Result<Fund, LedgerError> {
    store::fund(db, &user.scope(Permission::Read), id)
        .await?
        .ok_or(LedgerError::NotFound)
}

pub fn may_write(user: &Principal, fund: &Fund) -> bool {
    user.may(Permission::Write, &fund.placement)
}

/// The accounts and funds a unit holds, for a reader of it.
pub async fn of_unit(db: &Db, user: &Principal, unit: &Unit) -> Result<(Vec<Account>, Vec<Fund>), LedgerError> {
    if !user.may(Permission::Read, &unit.placement) {
        return Err(LedgerError::NotFound);
    }
    Ok(store::of_unit(db, &user.scope(Permission::Read), unit.id).await?)
}

/// Appends the reversal of entry `entry_id` (its lines swapped), which
/// must be an entry of `fund_id` not reversed yet; the reversal's id.
pub async fn reverse(db: &Db, user: &Principal, fund_id: i64, entry_id: i64, why: &str) -> Result<i64, LedgerError> {
    let fund = fund(db, user, fund_id).await?;
    if !may_write(user, &fund) {
        return Err(LedgerError::ReadOnly);
    }
    let original = storage::entry_in_fund(db, fund.id, entry_id)
        .await?
        .ok_or(LedgerError::NotFound)?;
    if original.entry.kind == EntryKind::Reversal {
        return Err(LedgerError::ReversedAlready);
    }
    let why = crate::text::squash_spaces(why);
    if why.is_empty() || why.chars().count() > 500 || crate::text::has_hidden_characters(&why, false) {
        return Err(LedgerError::Validation(field_error("reason", "ledger.error.reason")));
    }
    let lines: Vec<Line> = original.entry.lines.iter().map(Line::swapped).collect();
    let amount = super::model::balanced(&lines)?;
    let reversal = NewEntry {
        on_date: crate::members::model::iso(crate::volunteers::service::today()),
        kind: EntryKind::Reversal,
        description: super::describe::public_description(&why),
        counterparty: original.entry.counterparty.clone(),
        reference: original.entry.reference.clone(),
        reverses: Some(original.entry.seq),
        lines,
        amount,
        private_json: serde_json::json!({ "reason": why }).to_string(),
    };
    let ids = service::append(db, original.entry.unit_id, vec![reversal], user.user_id()).await?;
    ids.first().copied().ok_or(LedgerError::NotFound)
}

/// A page of a fund's entries (public columns) for a reader of the fund.
pub async fn entries(
    db: &Db,
    user: &Principal,
    fund_id: i64,
    filter: &listing::EntryFilter,
    limit: i64,
    offset: i64,
) -> Result<(Fund, Vec<listing::PublicRow>, bool), LedgerError> {
    let fund = fund(db, user, fund_id).await?;
    let (rows, more) = listing::fund_entries(db, fund.id, filter, limit, offset).await?;
    Ok((fund, rows, more))
}
