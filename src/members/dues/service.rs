//! Dues use cases: rates are set by a unit's administrators; payments are
//! recorded by those who may change the member; everyone who reads a
//! member reads what they owe.

use super::storage;
use super::{Arrear, Owed, Payment, Rate};
use crate::access::{Permission, Principal};
use crate::audit::{self, Change};
use crate::db::Db;
use crate::members::model::{self, Status};
use crate::members::service::{get, held_by, today};
use crate::members::storage::Filter;
use crate::members::MembersError;
use crate::money::Money;
use crate::org::service as org;
use crate::org::{Level, Unit};
use crate::validation::FieldErrors;

/// Years of dues a member's page shows, the latest first.
const YEARS_SHOWN: i32 = 5;

/// A unit the user may read, by code; others are not found.
async fn readable_unit(db: &Db, user: &Principal, code: &str) -> Result<Unit, MembersError> {
    let unit = org::unit_by_code(db, code).await?.ok_or(MembersError::NotFound)?;
    if !user.may(Permission::Read, &unit.placement) {
        return Err(MembersError::NotFound);
    }
    Ok(unit)
}

/// A year for dues: from 2000 to next year.
fn check_year(text: &str, errors: &mut FieldErrors) -> Option<i32> {
    match text.trim().parse::<i32>() {
        Ok(y) if (2000..=today().year() + 1).contains(&y) => Some(y),
        _ => {
            errors.insert("year".into(), "dues.error.year".into());
            None
        }
    }
}

/// The most one rate or payment may be: dues are small sums, and a typo
/// of three zeros too many should not pass.
const MOST: i64 = 100_000_000;

fn check_amount(text: &str, errors: &mut FieldErrors, positive: bool) -> Option<Money> {
    match Money::parse(text) {
        Ok(m) if m.dong() > MOST => {
            errors.insert("amount".into(), "dues.error.amount_large".into());
            None
        }
        Ok(m) if positive && m == Money::ZERO => {
            errors.insert("amount".into(), "dues.error.amount_zero".into());
            None
        }
        Ok(m) => Some(m),
        Err(e) => {
            errors.insert("amount".into(), e.key().into());
            None
        }
    }
}

/// The rates that apply inside `unit`: its own and those of the units above it.
pub async fn rates(db: &Db, user: &Principal, code: &str) -> Result<(Unit, Vec<Rate>), MembersError> {
    let unit = readable_unit(db, user, code).await?;
    let central = org::central(db).await?;
    let mut ids = vec![central.id, unit.id];
    ids.extend(
        [
            unit.placement.province_id,
            unit.placement.commune_id,
            unit.placement.branch_id,
        ]
        .into_iter()
        .flatten(),
    );
    ids.sort_unstable();
    ids.dedup();
    Ok((unit.clone(), storage::rates(db, &ids).await?))
}

/// What a rate is set with.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RateInput {
    pub year: String,
    /// In đồng, as typed: `60.000`, `60000`.
    pub amount: String,
}

/// Sets `code`'s rate for a year, for the members below it that no nearer
/// unit sets one for. Administrators of the unit (or above) only; not a
/// branch.
pub async fn set_rate(db: &Db, user: &Principal, code: &str, input: &RateInput) -> Result<Rate, MembersError> {
    let unit = readable_unit(db, user, code).await?;
    let access = user
        .access(Permission::Supervise, &unit)
        .ok_or(MembersError::ReadOnly)?;
    let mut errors = FieldErrors::new();
    if unit.level == Level::Branch {
        errors.insert("unit".into(), "dues.error.branch_rate".into());
    }
    let year = check_year(&input.year, &mut errors);
    let amount = check_amount(&input.amount, &mut errors, false);
    let (Some(year), Some(amount), true) = (year, amount, errors.is_empty()) else {
        return Err(MembersError::Validation(errors));
    };
    let mut tx = db.begin_write().await?;
    let before = storage::set_rate(&mut tx, unit.id, year, amount).await?;
    let change = Change {
        before: before.map(|b| serde_json::json!({ "year": year, "amount": b })),
        after: Some(serde_json::json!({ "year": year, "amount": amount.dong() })),
        ..Change::new("set_rate", "dues", unit.id, unit.name.clone(), unit.placement)
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    Ok(Rate {
        unit_code: unit.code,
        unit_name: unit.name,
        year,
        amount,
    })
}

/// A member's dues: what is owed for the last years since joining, and
/// the payments.
pub async fn of_member(db: &Db, user: &Principal, member_id: i64) -> Result<(Vec<Owed>, Vec<Payment>), MembersError> {
    let member = get(db, user, member_id).await?;
    let joined: i32 = member
        .joined_on
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(today().year());
    let this_year = today().year();
    let years: Vec<i32> = (joined.max(this_year - YEARS_SHOWN + 1)..=this_year).rev().collect();
    let owed = storage::owed(db, member.id, &years).await?;
    let payments = storage::payments(db, member.id).await?;
    Ok((owed, payments))
}

/// A payment as the user records it.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PaymentInput {
    pub year: String,
    /// In đồng, as typed.
    pub amount: String,
    /// `dd/mm/yyyy`.
    pub paid_on: String,
}

pub async fn record_payment(
    db: &Db,
    user: &Principal,
    member_id: i64,
    input: &PaymentInput,
) -> Result<Payment, MembersError> {
    let member = get(db, user, member_id).await?;
    let (_, access) = held_by(db, user, &member).await?;
    let mut errors = FieldErrors::new();
    let year = check_year(&input.year, &mut errors);
    let amount = check_amount(&input.amount, &mut errors, true);
    let paid_on = model::parse_day(&input.paid_on, today(), "paid_on", &mut errors);
    if member.status == Status::Deceased {
        errors.insert("year".into(), "dues.error.deceased".into());
    }
    let joined_year: i32 = member.joined_on.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
    if year.is_some_and(|y| y < joined_year) {
        errors.insert("year".into(), "dues.error.before_joining".into());
    }
    let (Some(year), Some(amount), Some(paid_on), true) = (year, amount, paid_on, errors.is_empty()) else {
        return Err(MembersError::Validation(errors));
    };
    let paid_on = model::iso(paid_on);
    let mut tx = db.begin_write().await?;
    // Paid where the member is: not if they moved out of reach meanwhile.
    if !crate::org::service::placement::lock_record(&mut tx, &crate::members::MEMBERS, member.id, &access).await? {
        return Err(MembersError::Changed);
    }
    let id = storage::add_payment(&mut tx, member.id, year, amount, &paid_on, user.username()).await?;
    let change = Change {
        after: Some(serde_json::json!({ "year": year, "amount": amount.dong(), "paid_on": paid_on })),
        ..Change::new(
            "dues_paid",
            "member",
            member.id,
            member.full_name.clone(),
            member.placement,
        )
    };
    audit::record(&mut tx, access.actor(), change).await?;
    tx.commit().await?;
    Ok(Payment {
        id,
        year,
        amount,
        paid_on,
        username: user.username().to_owned(),
    })
}

/// Members behind with `year`'s dues inside the user's scope (and `unit`).
pub async fn arrears(
    db: &Db,
    user: &Principal,
    unit: Option<&Unit>,
    year: i32,
    limit: i64,
) -> Result<Vec<Arrear>, MembersError> {
    let filter = Filter {
        within: unit.and_then(|u| u.level.column().map(|c| (c, u.id))),
        // The query itself keeps active members only.
        ..Filter::default()
    };
    let rows = storage::arrears(db, &user.scope(Permission::Read), &filter, year, limit).await?;
    Ok(rows.into_iter().map(|(member, owed)| Arrear { member, owed }).collect())
}
