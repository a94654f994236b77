//! The ledger's entries: double entry over a unit's holdings (bank
//! accounts, cash boxes, in-kind stock) and its funds. A line posts an
//! amount to one head of one fund — what the unit holds (in one of its
//! accounts), what it received, what it spent, what it passed to or got
//! from another level — as a debit or a credit; an entry's debits equal
//! its credits. Entries are never changed: a mistake is undone by a
//! reversal, the same lines with debit and credit swapped.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::money::Money;

/// What a line posts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Head {
    /// Money or goods the unit holds in one of its accounts (an asset).
    Holding,
    /// Received: donations, grants (credited).
    Income,
    /// Given to beneficiaries and addresses (debited).
    Disbursement,
    /// Relief goods bought (debited).
    Purchase,
    /// The unit's running costs, capped by the fund decree (debited).
    Operating,
    /// Passed to another level (debited) or received from one (credited).
    Transfer,
}

impl Head {
    pub const ALL: [Head; 6] = [
        Head::Holding,
        Head::Income,
        Head::Disbursement,
        Head::Purchase,
        Head::Operating,
        Head::Transfer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Head::Holding => "holding",
            Head::Income => "income",
            Head::Disbursement => "disbursement",
            Head::Purchase => "purchase",
            Head::Operating => "operating",
            Head::Transfer => "transfer",
        }
    }

    pub fn parse(text: &str) -> Option<Head> {
        Head::ALL.into_iter().find(|h| h.as_str() == text)
    }

    /// Money spent from the fund (what its public page reports as spent).
    pub fn is_spending(self) -> bool {
        matches!(self, Head::Disbursement | Head::Purchase | Head::Operating)
    }
}

/// What kind of movement an entry records (it decides how it reads).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Donation,
    Transfer,
    Disbursement,
    Purchase,
    Operating,
    Reversal,
}

impl EntryKind {
    pub const ALL: [EntryKind; 6] = [
        EntryKind::Donation,
        EntryKind::Transfer,
        EntryKind::Disbursement,
        EntryKind::Purchase,
        EntryKind::Operating,
        EntryKind::Reversal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Donation => "donation",
            EntryKind::Transfer => "transfer",
            EntryKind::Disbursement => "disbursement",
            EntryKind::Purchase => "purchase",
            EntryKind::Operating => "operating",
            EntryKind::Reversal => "reversal",
        }
    }

    pub fn parse(text: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            EntryKind::Donation => "ledger.kind.donation",
            EntryKind::Transfer => "ledger.kind.transfer",
            EntryKind::Disbursement => "ledger.kind.disbursement",
            EntryKind::Purchase => "ledger.kind.purchase",
            EntryKind::Operating => "ledger.kind.operating",
            EntryKind::Reversal => "ledger.kind.reversal",
        }
    }
}

/// One posting of an entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Line {
    pub fund_id: i64,
    pub head: Head,
    /// The account holding the money: on `Holding` lines only.
    pub account_id: Option<i64>,
    pub debit: Money,
    pub credit: Money,
}

impl Line {
    pub fn debit(fund_id: i64, head: Head, account_id: Option<i64>, amount: Money) -> Line {
        Line {
            fund_id,
            head,
            account_id,
            debit: amount,
            credit: Money::ZERO,
        }
    }

    pub fn credit(fund_id: i64, head: Head, account_id: Option<i64>, amount: Money) -> Line {
        Line {
            fund_id,
            head,
            account_id,
            debit: Money::ZERO,
            credit: amount,
        }
    }

    /// The same posting the other way round (for a reversal).
    pub fn swapped(&self) -> Line {
        Line {
            debit: self.credit,
            credit: self.debit,
            ..self.clone()
        }
    }
}

#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum LineError {
    #[error("an entry has at least two lines")]
    TooFewLines,
    #[error("a line is either a debit or a credit, of a positive amount")]
    OneSide,
    #[error("a holding line names its account; other lines name none")]
    Account,
    #[error("debits and credits differ")]
    Unbalanced,
    #[error("the amount is too large")]
    TooLarge,
}

impl LineError {
    pub fn key(self) -> &'static str {
        match self {
            LineError::TooFewLines => "ledger.error.too_few_lines",
            LineError::OneSide => "ledger.error.one_side",
            LineError::Account => "ledger.error.line_account",
            LineError::Unbalanced => "ledger.error.unbalanced",
            LineError::TooLarge => "money.error.too_large",
        }
    }
}

/// The largest entry: ten thousand billion đồng, far above any gift or
/// payment, so that a fund's sums stay far inside `i64`.
pub const ENTRY_MAX: i64 = 10_000_000_000_000;

/// Checks that `lines` make a valid entry; its amount (total debits).
pub fn balanced(lines: &[Line]) -> Result<Money, LineError> {
    if lines.len() < 2 {
        return Err(LineError::TooFewLines);
    }
    let (mut debits, mut credits) = (0i64, 0i64);
    for line in lines {
        let (d, c) = (line.debit.dong(), line.credit.dong());
        if d < 0 || c < 0 || (d > 0) == (c > 0) {
            return Err(LineError::OneSide);
        }
        if (line.head == Head::Holding) != line.account_id.is_some() {
            return Err(LineError::Account);
        }
        debits = debits.checked_add(d).ok_or(LineError::TooLarge)?;
        credits = credits.checked_add(c).ok_or(LineError::TooLarge)?;
    }
    if debits > ENTRY_MAX {
        return Err(LineError::TooLarge);
    }
    if debits != credits {
        return Err(LineError::Unbalanced);
    }
    Ok(Money::from_dong(debits))
}

/// Checks `lines` balance fund by fund: money moves within a fund, except
/// in an entry that moves it between funds on purpose (a transfer).
pub fn balanced_per_fund(lines: &[Line]) -> Result<Money, LineError> {
    let total = balanced(lines)?;
    let mut by_fund: std::collections::BTreeMap<i64, i64> = Default::default();
    for line in lines {
        *by_fund.entry(line.fund_id).or_default() += line.debit.dong() - line.credit.dong();
    }
    if by_fund.values().any(|net| *net != 0) {
        return Err(LineError::Unbalanced);
    }
    Ok(total)
}

/// The lines of a gift received into `account` for `fund`.
pub fn donation(fund_id: i64, account_id: i64, amount: Money) -> Vec<Line> {
    vec![
        Line::debit(fund_id, Head::Holding, Some(account_id), amount),
        Line::credit(fund_id, Head::Income, None, amount),
    ]
}

/// The lines of money paid out of `account` from `fund` under `head`.
pub fn spending(fund_id: i64, account_id: i64, head: Head, amount: Money) -> Vec<Line> {
    vec![
        Line::debit(fund_id, head, None, amount),
        Line::credit(fund_id, Head::Holding, Some(account_id), amount),
    ]
}

/// Raised, spent and held, as a fund's public page totals them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub raised: Money,
    pub spent: Money,
    pub held: Money,
}

impl Totals {
    /// Adds `line` (amounts are checked on the way in; sums saturate).
    pub fn add(&mut self, line: &Line) {
        let (d, c) = (line.debit.dong(), line.credit.dong());
        let bump = |m: &mut Money, by: i64| *m = Money::from_dong(m.dong().saturating_add(by));
        match line.head {
            Head::Income => bump(&mut self.raised, c - d),
            Head::Holding => bump(&mut self.held, d - c),
            head if head.is_spending() => bump(&mut self.spent, d - c),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vnd(n: i64) -> Money {
        Money::from_dong(n)
    }

    #[test]
    fn only_balanced_entries_pass() {
        assert_eq!(balanced(&donation(1, 2, vnd(500_000))), Ok(vnd(500_000)));
        let mut lines = donation(1, 2, vnd(500_000));
        lines[1].credit = vnd(400_000);
        assert_eq!(balanced(&lines), Err(LineError::Unbalanced));
        assert_eq!(balanced(&lines[..1]), Err(LineError::TooFewLines));
    }

    #[test]
    fn a_line_is_one_sided_positive_and_names_an_account_only_when_holding() {
        let mut both = donation(1, 2, vnd(10));
        both[0].credit = vnd(10);
        both[1].debit = vnd(10);
        assert_eq!(balanced(&both), Err(LineError::OneSide));
        let negative = vec![
            Line::debit(1, Head::Holding, Some(2), vnd(-5)),
            Line::credit(1, Head::Income, None, vnd(-5)),
        ];
        assert_eq!(balanced(&negative), Err(LineError::OneSide));
        let mut no_account = donation(1, 2, vnd(10));
        no_account[0].account_id = None;
        assert_eq!(balanced(&no_account), Err(LineError::Account));
        let mut income_account = donation(1, 2, vnd(10));
        income_account[1].account_id = Some(2);
        assert_eq!(balanced(&income_account), Err(LineError::Account));
    }

    #[test]
    fn huge_sums_are_refused_not_wrapped() {
        let lines = vec![
            Line::debit(1, Head::Holding, Some(2), vnd(i64::MAX)),
            Line::debit(1, Head::Holding, Some(2), vnd(i64::MAX)),
            Line::credit(1, Head::Income, None, vnd(1)),
        ];
        assert_eq!(balanced(&lines), Err(LineError::TooLarge));
    }

    #[test]
    fn money_stays_in_its_fund_unless_moved_on_purpose() {
        let across = vec![
            Line::debit(1, Head::Holding, Some(2), vnd(10)),
            Line::credit(3, Head::Income, None, vnd(10)),
        ];
        assert_eq!(balanced(&across), Ok(vnd(10)));
        assert_eq!(balanced_per_fund(&across), Err(LineError::Unbalanced));
        assert_eq!(balanced_per_fund(&donation(1, 2, vnd(10))), Ok(vnd(10)));
    }

    #[test]
    fn a_reversal_cancels_the_totals() {
        let lines = spending(1, 2, Head::Disbursement, vnd(3_000_000));
        let mut totals = Totals::default();
        for line in donation(1, 2, vnd(5_000_000)).iter().chain(&lines) {
            totals.add(line);
        }
        assert_eq!(
            (totals.raised, totals.spent, totals.held),
            (vnd(5_000_000), vnd(3_000_000), vnd(2_000_000))
        );
        let reversal: Vec<Line> = lines.iter().map(Line::swapped).collect();
        assert_eq!(balanced(&reversal), Ok(vnd(3_000_000)));
        for line in &reversal {
            totals.add(line);
        }
        assert_eq!((totals.spent, totals.held), (vnd(0), vnd(5_000_000)));
    }
}
