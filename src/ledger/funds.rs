//! Accounts (where a unit keeps money or goods) and funds (what money is
//! for: the general fund, the Red Cross fund, one restricted fund per
//! appeal), as pages and the API see them, and the pure rules of their
//! fields. An appeal has a purpose, a target, an opening and closing day
//! and usually a dedicated bank account; its payment code routes gifts.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::money::Money;
use crate::validation::FieldErrors;
use crate::volunteers::model::{check_text, named_set};

named_set!(
    /// Where a unit keeps value.
    AccountKind, "ledger.account_kind.", [
        Bank = "bank",
        Cash = "cash",
        InKind = "in_kind",
    ]
);

named_set!(
    /// What a fund is for.
    FundKind, "ledger.fund_kind.", [
        General = "general",
        RedCross = "red_cross",
        Appeal = "appeal",
    ]
);

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Account {
    pub id: i64,
    pub kind: AccountKind,
    pub name: String,
    pub bank_name: String,
    /// NAPAS BIN of the bank (six digits), for VietQR.
    pub bank_bin: String,
    pub account_no: String,
    pub unit_code: String,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_id: i64,
    #[serde(skip)]
    pub placement: crate::org::tree::Placement,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Fund {
    pub id: i64,
    pub kind: FundKind,
    pub name: String,
    pub purpose: String,
    /// In đồng.
    #[schema(value_type = Option<i64>)]
    pub target: Option<Money>,
    /// `yyyy-mm-dd`.
    pub opens_on: Option<String>,
    pub closes_on: Option<String>,
    /// The account gifts to it are paid into (an appeal's dedicated one).
    pub account_id: Option<i64>,
    /// What a donor writes in the transfer so the gift reaches this fund.
    pub payment_code: String,
    pub unit_code: String,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_id: i64,
    #[serde(skip)]
    pub placement: crate::org::tree::Placement,
}

/// An account as typed.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AccountInput {
    /// `bank`, `cash`, `in_kind`.
    pub kind: String,
    pub name: String,
    pub bank_name: String,
    pub bank_bin: String,
    pub account_no: String,
    /// The unit holding it (its code).
    pub unit: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidAccount {
    pub kind: AccountKind,
    pub name: String,
    pub bank_name: String,
    pub bank_bin: String,
    pub account_no: String,
}

pub fn validate_account(input: &AccountInput) -> Result<ValidAccount, FieldErrors> {
    let mut errors = FieldErrors::new();
    let kind = AccountKind::parse(&input.kind);
    if kind.is_none() {
        errors.insert("kind".into(), "ledger.error.account_kind".into());
    }
    let name = check_text(&input.name, "name", true, &mut errors);
    let bank_name = check_text(&input.bank_name, "bank_name", false, &mut errors);
    let bank_bin: String = input.bank_bin.split_whitespace().collect();
    let account_no: String = input.account_no.split_whitespace().collect();
    if kind == Some(AccountKind::Bank) {
        if bank_name.is_empty() {
            errors.insert("bank_name".into(), "volunteer.error.required".into());
        }
        if bank_bin.len() != 6 || !bank_bin.bytes().all(|b| b.is_ascii_digit()) {
            errors.insert("bank_bin".into(), "vietqr.error.bin".into());
        }
        let plain = account_no.bytes().all(|b| b.is_ascii_alphanumeric());
        if account_no.is_empty() || account_no.len() > 19 || !plain {
            errors.insert("account_no".into(), "vietqr.error.account".into());
        }
    } else if !bank_bin.is_empty() || !account_no.is_empty() {
        errors.insert("account_no".into(), "ledger.error.not_a_bank".into());
    }
    match (errors.is_empty(), kind) {
        (true, Some(kind)) => Ok(ValidAccount {
            kind,
            name,
            bank_name,
            bank_bin,
            account_no,
        }),
        _ => Err(errors),
    }
}

/// A fund as typed.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FundInput {
    /// `general`, `red_cross`, `appeal`.
    pub kind: String,
    pub name: String,
    pub purpose: String,
    /// In đồng as typed (`500.000.000`); appeals only, optional.
    pub target: String,
    /// `dd/mm/yyyy`; an appeal's opening and closing days.
    pub opens_on: String,
    pub closes_on: String,
    /// The account gifts are paid into (an account of the same unit).
    pub account_id: Option<i64>,
    pub unit: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidFund {
    pub kind: FundKind,
    pub name: String,
    pub purpose: String,
    pub target: Option<Money>,
    pub opens_on: Option<Date>,
    pub closes_on: Option<Date>,
    pub account_id: Option<i64>,
}

fn day(text: &str, field: &str, errors: &mut FieldErrors) -> Option<Date> {
    if text.trim().is_empty() {
        return None;
    }
    let parsed = super::statement::parse_date(text);
    if parsed.is_none() {
        errors.insert(field.to_owned(), "member.error.date_format".into());
    }
    parsed
}

pub fn validate_fund(input: &FundInput) -> Result<ValidFund, FieldErrors> {
    let mut errors = FieldErrors::new();
    let kind = FundKind::parse(&input.kind);
    if kind.is_none() {
        errors.insert("kind".into(), "ledger.error.fund_kind".into());
    }
    let name = check_text(&input.name, "name", true, &mut errors);
    let purpose = check_text(&input.purpose, "purpose", kind == Some(FundKind::Appeal), &mut errors);
    let target = match input.target.trim() {
        "" => None,
        typed => match Money::parse(typed) {
            Ok(m) if m.dong() > 0 => Some(m),
            Ok(_) => {
                errors.insert("target".into(), "vietqr.error.amount".into());
                None
            }
            Err(e) => {
                errors.insert("target".into(), e.key().into());
                None
            }
        },
    };
    let opens_on = day(&input.opens_on, "opens_on", &mut errors);
    let closes_on = day(&input.closes_on, "closes_on", &mut errors);
    if kind == Some(FundKind::Appeal) {
        if opens_on.is_none() && !errors.contains_key("opens_on") {
            errors.insert("opens_on".into(), "volunteer.error.required".into());
        }
    } else if target.is_some() || opens_on.is_some() || closes_on.is_some() {
        errors.insert("kind".into(), "ledger.error.appeal_fields".into());
    }
    if let (Some(open), Some(close)) = (opens_on, closes_on) {
        if close < open {
            errors.insert("closes_on".into(), "ledger.error.closes_before_opening".into());
        }
    }
    match (errors.is_empty(), kind) {
        (true, Some(kind)) => Ok(ValidFund {
            kind,
            name,
            purpose,
            target,
            opens_on,
            closes_on,
            account_id: input.account_id,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bank_account_needs_its_bank_bin_and_number() {
        let input = AccountInput {
            kind: "bank".into(),
            name: "Tài khoản cứu trợ".into(),
            bank_name: "Vietcombank".into(),
            bank_bin: "970436".into(),
            account_no: "0011 0019 32418".into(),
            unit: "01".into(),
        };
        assert_eq!(validate_account(&input).unwrap().account_no, "0011001932418");
        let bad = AccountInput {
            bank_bin: "97043".into(),
            account_no: "0011-001".into(),
            ..input.clone()
        };
        let errors = validate_account(&bad).unwrap_err();
        assert!(errors.contains_key("bank_bin") && errors.contains_key("account_no"));
        let cash = AccountInput {
            kind: "cash".into(),
            ..input
        };
        assert!(validate_account(&cash).unwrap_err().contains_key("account_no"));
    }

    #[test]
    fn an_appeal_has_a_purpose_and_dates_in_order() {
        let input = FundInput {
            kind: "appeal".into(),
            name: "Ủng hộ đồng bào bị bão Yagi".into(),
            purpose: "Khắc phục hậu quả bão số 3".into(),
            target: "50.000.000.000".into(),
            opens_on: "07/09/2024".into(),
            closes_on: "30/09/2024".into(),
            account_id: Some(1),
            unit: "TW".into(),
        };
        let valid = validate_fund(&input).unwrap();
        assert_eq!(valid.target, Some(Money::from_dong(50_000_000_000)));
        let backwards = FundInput {
            closes_on: "01/09/2024".into(),
            purpose: String::new(),
            ..input.clone()
        };
        let errors = validate_fund(&backwards).unwrap_err();
        assert!(errors.contains_key("closes_on") && errors.contains_key("purpose"));
        let general_with_target = FundInput {
            kind: "general".into(),
            ..input
        };
        assert!(validate_fund(&general_with_target).unwrap_err().contains_key("kind"));
    }
}
