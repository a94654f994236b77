//! A bank statement's rows as Vietnamese banks export them, put together
//! and identified. Banks write the date on the first row of a group only
//! and spread a long description over several rows; amounts carry `.` or
//! `,` as thousands separators. Importing the same or an overlapping
//! statement again must add nothing, yet the real Yagi statement holds
//! about 1,080 rows whose reference, date and amount repeat while they are
//! different gifts: a row is identified by its whole normalised content,
//! counted as a multiset (the n-th identical row is the n-th stored one).

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use time::{Date, Month};

use crate::money::Money;

/// A row as read from the file (cells as text), numbered as the user sees it.
#[derive(Clone, Debug, Default)]
pub struct RawRow {
    pub number: i64,
    pub date: String,
    pub reference: String,
    pub debit: String,
    pub credit: String,
    pub description: String,
}

/// A transaction of the statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementRow {
    /// The file row it starts on.
    pub number: i64,
    pub date: Date,
    pub reference: String,
    pub debit: Money,
    pub credit: Money,
    pub description: String,
}

/// What is wrong with a row: (row, column, catalogue key).
pub type RowIssue = (i64, &'static str, &'static str);

/// `dd/mm/yyyy` (banks; `-` or `.` also) or `yyyy-mm-dd`.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    let text = text.split_whitespace().next().unwrap_or_default();
    let parts: Vec<&str> = text.split(['/', '-', '.']).collect();
    let [a, b, c] = parts.as_slice() else { return None };
    let (day, month, year) = if a.len() == 4 { (c, b, a) } else { (a, b, c) };
    let year: i32 = year.parse().ok().filter(|y: &i32| (1900..=2100).contains(y))?;
    let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year, month, day.parse().ok()?).ok()
}

fn amount(text: &str) -> Result<Money, ()> {
    if text.trim().is_empty() {
        return Ok(Money::ZERO);
    }
    Money::parse(text).map_err(drop)
}

/// Puts rows together: a row with neither amount continues the
/// description of the one before; a row without a date has the date of
/// the one before. Every issue is reported, none is guessed past.
pub fn assemble(raw: &[RawRow]) -> Result<Vec<StatementRow>, Vec<RowIssue>> {
    let mut out: Vec<StatementRow> = Vec::with_capacity(raw.len());
    let mut issues = Vec::new();
    let mut last_date: Option<Date> = None;
    for row in raw {
        let no_amount = row.debit.trim().is_empty() && row.credit.trim().is_empty();
        if no_amount && row.date.trim().is_empty() && row.reference.trim().is_empty() {
            match out.last_mut() {
                Some(previous) if !row.description.trim().is_empty() => {
                    previous.description.push(' ');
                    previous.description.push_str(row.description.trim());
                }
                Some(_) => {}
                None => issues.push((row.number, "credit", "statement.error.no_amount")),
            }
            continue;
        }
        let date = if row.date.trim().is_empty() {
            last_date
        } else {
            parse_date(&row.date)
        };
        let Some(date) = date else {
            issues.push((row.number, "date", "statement.error.date"));
            continue;
        };
        last_date = Some(date);
        let (debit, credit) = match (amount(&row.debit), amount(&row.credit)) {
            (Ok(d), Ok(c)) => (d, c),
            (Err(()), _) => {
                issues.push((row.number, "debit", "statement.error.amount"));
                continue;
            }
            (_, Err(())) => {
                issues.push((row.number, "credit", "statement.error.amount"));
                continue;
            }
        };
        if (debit.dong() > 0) == (credit.dong() > 0) {
            issues.push((row.number, "credit", "statement.error.one_amount"));
            continue;
        }
        out.push(StatementRow {
            number: row.number,
            date,
            reference: row.reference.trim().to_owned(),
            debit,
            credit,
            description: crate::text::squash_spaces(&row.description),
        });
    }
    if issues.is_empty() {
        Ok(out)
    } else {
        Err(issues)
    }
}

/// The content that identifies a row: everything the bank says of it,
/// with spacing and case that exports vary in normalised away.
fn content(row: &StatementRow) -> String {
    // The description without any white space: a bank's export may break
    // a long one over rows where another export keeps it in one cell.
    let description: String = crate::text::fold(&row.description)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
        row.date,
        reference_key(&row.reference),
        row.debit.dong(),
        row.credit.dong(),
        description
    )
}

/// A reference as a key: a number read from a spreadsheet cell loses its
/// leading zeros and its fraction's trailing ones (`05213.45940` is
/// `5213.4594`), so a numeric reference is compared without them.
fn reference_key(reference: &str) -> String {
    let reference = reference.trim().to_lowercase();
    if reference.is_empty() || !reference.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return reference;
    }
    let (whole, fraction) = reference.split_once('.').unwrap_or((&reference, ""));
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        whole.to_owned()
    } else {
        format!("{whole}.{fraction}")
    }
}

/// Each row's key: the hash of its content and which occurrence of that
/// content it is in the statement (`…#1`, `…#2`): a statement imported
/// again, or one overlapping it, yields the same keys for the same rows.
pub fn row_keys(rows: &[StatementRow]) -> Vec<String> {
    let mut seen: HashMap<[u8; 32], u32> = HashMap::with_capacity(rows.len());
    rows.iter()
        .map(|row| {
            let digest: [u8; 32] = Sha256::digest(content(row).as_bytes()).into();
            let n = seen.entry(digest).or_insert(0);
            *n += 1;
            let mut key = String::with_capacity(72);
            for b in &digest[..16] {
                key.push_str(&format!("{b:02x}"));
            }
            key.push('#');
            key.push_str(&n.to_string());
            key
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(number: i64, date: &str, credit: &str, description: &str) -> RawRow {
        RawRow {
            number,
            date: date.into(),
            reference: if credit.is_empty() {
                String::new()
            } else {
                "5213.45946".into()
            },
            debit: String::new(),
            credit: credit.into(),
            description: description.into(),
        }
    }

    #[test]
    fn groups_take_their_date_and_descriptions_continue() {
        let rows = assemble(&[
            raw(5, "01/09/2024", "50.000", "MBVCB.1.CAO VIET TUAN"),
            raw(6, "", "", "chuyen tien"),
            raw(7, "", "1,250,000", "ung ho"),
        ])
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].description, "MBVCB.1.CAO VIET TUAN chuyen tien");
        assert_eq!(rows[1].date, rows[0].date);
        assert_eq!(rows[1].credit, Money::from_dong(1_250_000));
    }

    #[test]
    fn every_bad_row_is_named() {
        let issues = assemble(&[
            raw(2, "", "", "no row before"),
            raw(3, "31/02/2024", "10.000", "x"),
            raw(4, "01/09/2024", "10.0", "x"),
            raw(5, "01/09/2024", "", "x"),
        ])
        .unwrap_err();
        let found: Vec<(i64, &str)> = issues.iter().map(|(r, c, _)| (*r, *c)).collect();
        assert_eq!(found, vec![(2, "credit"), (3, "date"), (4, "credit"), (5, "credit")]);
    }

    #[test]
    fn identical_rows_are_counted_not_merged() {
        let same = raw(1, "01/09/2024", "20.000", "ung ho");
        let rows = assemble(&[
            same.clone(),
            same.clone(),
            raw(3, "01/09/2024", "20.000", "ung ho mien bac"),
        ])
        .unwrap();
        let keys = row_keys(&rows);
        assert!(keys[0].ends_with("#1") && keys[1].ends_with("#2"));
        assert_eq!(keys[0][..32], keys[1][..32]);
        assert_ne!(keys[0][..32], keys[2][..32]);
        // The same statement read again, spaced and cased differently.
        let again = assemble(&[raw(9, "1/9/2024", "20000", "  UNG  HO ")]).unwrap();
        assert_eq!(row_keys(&again)[0], keys[0]);
        // A description over two rows, and the reference as a number cell.
        let mut split = raw(1, "01/09/2024", "20.000", "ung");
        split.reference = "05213.45940".into();
        let mut whole = raw(1, "01/09/2024", "20.000", "ungho");
        whole.reference = "5213.4594".into();
        let split = assemble(&[split, raw(2, "", "", "ho")]).unwrap();
        assert_eq!(row_keys(&split), row_keys(&assemble(&[whole]).unwrap()));
    }
}
