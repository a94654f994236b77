//! A movement of money as staff type it on a fund's page or send it to
//! the API — a gift received, a payment out — checked and turned into the
//! entry that will be appended, with what is published and what is kept
//! private decided here, before anything is hashed.

use serde::Deserialize;
use time::Date;
use unicode_normalization::UnicodeNormalization;

use super::describe;
use super::model::{self, EntryKind, Head, Line};
use super::storage::NewEntry;
use crate::money::Money;
use crate::validation::FieldErrors;

/// What the published counterparty says of a donor who asked not to be named.
pub const ANONYMOUS: &str = "Ẩn danh";

/// An entry as typed (kept as typed while it waits for approval).
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EntryInput {
    /// `donation`, `disbursement`, `purchase` or `operating`.
    pub kind: String,
    /// `dd/mm/yyyy`.
    pub on_date: String,
    /// In đồng as typed (`1.250.000`).
    pub amount: String,
    /// The donor or the payee, as it will be published (see `anonymous`,
    /// `private_person`).
    pub counterparty: String,
    /// A donor who asked not to be named: published as "Ẩn danh".
    pub anonymous: bool,
    /// The payee is a private person: published as `Nguyễn V. A.`.
    /// Unsaid: yes for a payment to a beneficiary (`disbursement`).
    pub private_person: Option<bool>,
    pub description: String,
    /// The bank's reference of the transfer, if any.
    pub reference: String,
    /// The account the money went into or out of (default: the fund's).
    pub account_id: Option<i64>,
    /// Kept, never published: the donor's contact, the full name of a
    /// private payee, anything the unit must be able to show an auditor.
    pub private_note: String,
}

/// A person's name as published: family name whole, the others initials
/// (`Nguyễn Văn An` → `Nguyễn V. A.`).
pub fn masked_person(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    match words.split_first() {
        None => String::new(),
        Some((family, rest)) => {
            let mut out = (*family).to_owned();
            for word in rest {
                if let Some(first) = word.chars().next() {
                    out.push(' ');
                    out.extend(first.to_uppercase());
                    out.push('.');
                }
            }
            out
        }
    }
}

/// Text as it will be hashed: compatibility-composed (NFKC: full-width
/// digits become digits, so they are masked like any), one space between
/// words, without characters that hide what it says.
fn clean(text: &str, field: &str, max: usize, errors: &mut FieldErrors) -> String {
    let composed: String = text.nfkc().collect();
    let text = crate::text::squash_spaces(&composed);
    if crate::text::has_hidden_characters(&text, false) {
        errors.insert(field.to_owned(), "volunteer.error.hidden_characters".into());
    } else if text.chars().count() > max {
        errors.insert(field.to_owned(), "ledger.error.too_long".into());
    }
    text
}

/// The entry `input` makes for the fund `fund_id` paid through
/// `account_id` (the fund's own unless the input names one), dated no
/// later than `today`.
pub fn entry_of(
    input: &EntryInput,
    fund_id: i64,
    account_id: Option<i64>,
    today: Date,
) -> Result<NewEntry, FieldErrors> {
    let mut errors = FieldErrors::new();
    let kind = EntryKind::parse(input.kind.trim()).filter(|k| !matches!(k, EntryKind::Transfer | EntryKind::Reversal));
    if kind.is_none() {
        errors.insert("kind".into(), "ledger.error.entry_kind".into());
    }
    let on_date = super::statement::parse_date(&input.on_date);
    match on_date {
        None => {
            errors.insert("on_date".into(), "member.error.date_format".into());
        }
        Some(d) if d > today => {
            errors.insert("on_date".into(), "member.error.date_future".into());
        }
        Some(_) => {}
    }
    let amount = match Money::parse(&input.amount) {
        Ok(m) if m.dong() > 0 => Some(m),
        Ok(_) => {
            errors.insert("amount".into(), "vietqr.error.amount".into());
            None
        }
        Err(e) => {
            errors.insert("amount".into(), e.key().into());
            None
        }
    };
    let account = input.account_id.or(account_id);
    if account.is_none() {
        errors.insert("account_id".into(), "ledger.error.no_account".into());
    }
    let counterparty = clean(&input.counterparty, "counterparty", 200, &mut errors);
    if counterparty.is_empty() && !input.anonymous {
        errors.insert("counterparty".into(), "volunteer.error.required".into());
    }
    let description = clean(&input.description, "description", 500, &mut errors);
    let reference = clean(&input.reference, "reference", 40, &mut errors);
    if !reference
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '-'))
    {
        errors.insert("reference".into(), "ledger.error.reference".into());
    }
    let private_note = clean(&input.private_note, "private_note", 500, &mut errors);
    let (Some(kind), Some(on_date), Some(amount), Some(account), true) =
        (kind, on_date, amount, account, errors.is_empty())
    else {
        return Err(errors);
    };
    let lines: Vec<Line> = match kind {
        EntryKind::Donation => model::donation(fund_id, account, amount),
        EntryKind::Disbursement => model::spending(fund_id, account, Head::Disbursement, amount),
        EntryKind::Purchase => model::spending(fund_id, account, Head::Purchase, amount),
        _ => model::spending(fund_id, account, Head::Operating, amount),
    };
    let private_person = input.private_person.unwrap_or(kind == EntryKind::Disbursement);
    let published = if input.anonymous {
        ANONYMOUS.to_owned()
    } else if private_person {
        masked_person(&counterparty)
    } else {
        describe::public_description(&counterparty)
    };
    let private = serde_json::json!({
        "counterparty": counterparty,
        "description": description,
        "note": private_note,
    });
    Ok(NewEntry {
        on_date: crate::members::model::iso(on_date),
        kind,
        // An anonymous donor's own words may name them: only the kind shows.
        description: if input.anonymous {
            String::new()
        } else {
            describe::public_description(&description)
        },
        counterparty: published,
        reference,
        reverses: None,
        lines,
        amount,
        private_json: private.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::from_calendar_date(2024, time::Month::September, 30).unwrap()
    }

    fn gift() -> EntryInput {
        EntryInput {
            kind: "donation".into(),
            on_date: "02/09/2024".into(),
            amount: "1.250.000".into(),
            counterparty: "Công ty TNHH An Phát".into(),
            description: "Ủng hộ bão Yagi, liên hệ 0912345678".into(),
            ..EntryInput::default()
        }
    }

    #[test]
    fn a_gift_becomes_a_balanced_entry_with_its_numbers_masked() {
        let entry = entry_of(&gift(), 7, Some(3), today()).unwrap();
        assert_eq!(entry.amount, Money::from_dong(1_250_000));
        assert_eq!(model::balanced_per_fund(&entry.lines), Ok(entry.amount));
        assert_eq!(entry.on_date, "2024-09-02");
        assert!(!entry.description.contains("0912345678"), "{}", entry.description);
        assert!(entry.private_json.contains("0912345678"));
    }

    #[test]
    fn anonymous_donors_and_private_payees_are_not_published() {
        let anonymous = EntryInput {
            anonymous: true,
            counterparty: "Trần Thị Bích".into(),
            ..gift()
        };
        let entry = entry_of(&anonymous, 7, Some(3), today()).unwrap();
        assert_eq!(entry.counterparty, ANONYMOUS);
        assert!(entry.description.is_empty());
        assert!(entry.private_json.contains("Trần Thị Bích"));
        let payee = EntryInput {
            kind: "disbursement".into(),
            counterparty: "Nguyễn Văn An".into(),
            ..gift()
        };
        assert_eq!(
            entry_of(&payee, 7, Some(3), today()).unwrap().counterparty,
            "Nguyễn V. A."
        );
    }

    #[test]
    fn bad_input_names_each_field() {
        let bad = EntryInput {
            kind: "reversal".into(),
            on_date: "01/10/2024".into(),
            amount: "1.25".into(),
            counterparty: "A\u{202e}B".into(),
            ..EntryInput::default()
        };
        let errors = entry_of(&bad, 7, None, today()).unwrap_err();
        for field in ["kind", "on_date", "amount", "counterparty", "account_id"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
    }
}
