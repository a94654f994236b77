//! Four eyes: an entry above the configured amount is kept as a draft
//! (the input as typed) until another person who may write at the fund's
//! unit approves it — which checks it again and appends it — or rejects
//! it. The author cannot approve their own.

use serde::Serialize;

use super::entry_input::{self, EntryInput};
use super::manage;
use super::service::{self, LedgerError};
use super::storage::drafts as store;
use crate::access::{Permission, Principal};
use crate::db::Db;
use crate::money::Money;
use crate::validation::field_error;

/// What recording an entry did.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Recorded {
    /// The entry appended, when it needed no approval.
    pub id: Option<i64>,
    /// The draft waiting for a second person, when it did.
    pub draft: Option<i64>,
}

/// A draft as its fund's staff see it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DraftView {
    pub id: i64,
    /// In đồng.
    pub amount: i64,
    pub created_at: String,
    /// Whether the caller wrote it (and so may not approve it).
    pub own: bool,
    #[schema(value_type = Object)]
    pub input: serde_json::Value,
}

/// Records `input` into `fund_id`: appended at once up to the approval
/// amount, kept as a draft above it.
pub async fn record(db: &Db, user: &Principal, fund_id: i64, input: &EntryInput) -> Result<Recorded, LedgerError> {
    let fund = manage::fund(db, user, fund_id).await?;
    if !manage::may_write(user, &fund) {
        return Err(LedgerError::ReadOnly);
    }
    let today = crate::volunteers::service::today();
    // Checked now, so that a draft is one that can be appended.
    let entry = entry_input::entry_of(input, fund.id, fund.account_id, today).map_err(LedgerError::Validation)?;
    let above = store::approval_above(db).await?;
    if entry.amount <= Money::from_dong(above) {
        let ids = service::append(db, fund.unit_id, vec![entry], user.user_id()).await?;
        return Ok(Recorded {
            id: ids.first().copied(),
            draft: None,
        });
    }
    let author = user.user_id().ok_or(LedgerError::ReadOnly)?;
    let json = serde_json::to_string(input).map_err(|e| LedgerError::Db(sqlx::Error::Protocol(e.to_string())))?;
    let draft = store::insert(db, fund.id, &json, entry.amount.dong(), author).await?;
    Ok(Recorded {
        id: None,
        draft: Some(draft),
    })
}

/// The drafts waiting in `fund_id`, for its staff.
pub async fn pending(db: &Db, user: &Principal, fund_id: i64) -> Result<Vec<DraftView>, LedgerError> {
    let fund = manage::fund(db, user, fund_id).await?;
    if !manage::may_write(user, &fund) {
        return Err(LedgerError::ReadOnly);
    }
    Ok(store::pending_of_fund(db, fund.id)
        .await?
        .into_iter()
        .map(|d| DraftView {
            id: d.id,
            amount: d.amount,
            own: Some(d.created_by) == user.user_id(),
            input: serde_json::from_str(&d.input_json).unwrap_or_default(),
            created_at: d.created_at,
        })
        .collect())
}

/// Approves (appending the entry) or rejects the draft `id`; the entry's
/// id when approved.
pub async fn decide(db: &Db, user: &Principal, id: i64, approve: bool) -> Result<Option<i64>, LedgerError> {
    let draft = store::pending(db, id).await?.ok_or(LedgerError::NotFound)?;
    let fund = manage::fund(db, user, draft.fund_id).await?;
    if !user.may(Permission::Write, &fund.placement) {
        return Err(LedgerError::ReadOnly);
    }
    let me = user.user_id().ok_or(LedgerError::ReadOnly)?;
    if me == draft.created_by {
        return Err(LedgerError::OwnDraft);
    }
    let mut tx = db.begin_write().await?;
    let entry_id = if approve {
        let input: EntryInput = serde_json::from_str(&draft.input_json)
            .map_err(|_| LedgerError::Validation(field_error("draft", "ledger.error.draft")))?;
        let today = crate::volunteers::service::today();
        let entry = entry_input::entry_of(&input, fund.id, fund.account_id, today).map_err(LedgerError::Validation)?;
        // Recorded under the author's name; the approver is on the draft.
        let ids = service::append_in(db, &mut tx, fund.unit_id, vec![entry], Some(draft.created_by)).await?;
        ids.first().copied()
    } else {
        None
    };
    let status = if approve { "approved" } else { "rejected" };
    if !store::decide(&mut tx, draft.id, status, me, entry_id).await? {
        return Err(LedgerError::NotFound);
    }
    tx.commit().await?;
    Ok(entry_id)
}

/// The amount above which entries wait for a second person.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Policy {
    /// In đồng.
    pub approval_above: i64,
}

pub async fn policy(db: &Db) -> Result<Policy, LedgerError> {
    Ok(Policy {
        approval_above: store::approval_above(db).await?,
    })
}

/// Sets the approval amount (typed, `50.000.000`): the centre's
/// supervisors only, audited.
pub async fn set_policy(db: &Db, user: &Principal, typed: &str) -> Result<Policy, LedgerError> {
    let central = crate::org::service::central(db).await?;
    let access = user
        .access(Permission::Supervise, &central)
        .ok_or(LedgerError::ReadOnly)?;
    let amount = Money::parse(typed).map_err(|e| LedgerError::Validation(field_error("approval_above", e.key())))?;
    let before = store::approval_above(db).await?;
    let mut tx = db.begin_write().await?;
    store::set_approval_above(&mut tx, amount.dong()).await?;
    let change = crate::audit::Change {
        before: Some(serde_json::json!({ "approval_above": before })),
        after: Some(serde_json::json!({ "approval_above": amount.dong() })),
        ..crate::audit::Change::new(
            "update",
            "ledger_policy",
            central.id,
            central.name.clone(),
            central.placement,
        )
    };
    crate::audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    policy(db).await
}
