//! Dues (hội phí): a yearly rate set by a unit for the members below it —
//! the nearest unit up the tree with a rate for the year decides — and
//! payments per member and year. Arrears: active members who joined by
//! the end of the year and paid less than their rate.

mod api;
mod routes;
pub mod service;
mod storage;

pub use api::router;
pub use routes::pages;

use serde::Serialize;

use super::model::Member;
use crate::money::Money;

/// A unit's rate for a year.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Rate {
    pub unit_code: String,
    pub unit_name: String,
    pub year: i32,
    #[schema(value_type = i64)]
    pub amount: Money,
}

/// One payment.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Payment {
    pub id: i64,
    pub year: i32,
    #[schema(value_type = i64)]
    pub amount: Money,
    /// ISO date.
    pub paid_on: String,
    pub username: String,
}

impl Payment {
    pub fn paid_display(&self) -> String {
        super::model::display_date(&self.paid_on)
    }
}

/// What a member owes for a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Owed {
    pub year: i32,
    /// None: no unit above the member set a rate for the year.
    #[schema(value_type = Option<i64>)]
    pub rate: Option<Money>,
    #[schema(value_type = i64)]
    pub paid: Money,
    #[schema(value_type = i64)]
    pub owed: Money,
}

impl Owed {
    /// Nothing is owed without a rate, and paying more owes nothing.
    pub fn new(year: i32, rate: Option<Money>, paid: Money) -> Owed {
        let owed = rate
            .and_then(|r| r.checked_sub(paid))
            .filter(|o| *o > Money::ZERO)
            .unwrap_or(Money::ZERO);
        Owed { year, rate, paid, owed }
    }
}

/// A member behind with their dues.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Arrear {
    pub member: Member,
    #[serde(flatten)]
    pub owed: Owed,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_owed_is_the_rate_less_what_was_paid_never_below_zero() {
        let m = Money::from_dong;
        assert_eq!(Owed::new(2026, Some(m(60_000)), m(20_000)).owed, m(40_000));
        assert_eq!(Owed::new(2026, Some(m(60_000)), m(80_000)).owed, Money::ZERO);
        assert_eq!(Owed::new(2026, None, Money::ZERO).owed, Money::ZERO);
    }
}
