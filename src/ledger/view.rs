//! What the staff API and the public pages share: a search of a fund's
//! entries as typed in a URL, and a fund's totals with its VietQR code.

use serde::Deserialize;

use super::funds::{AccountKind, Fund};
use super::model::Totals;
use super::storage::listing::{EntryFilter, Sort};
use super::storage::{funds as store, listing};
use super::vietqr::{self, Transfer};
use crate::db::Db;
use crate::money::Money;
use crate::validation::FieldErrors;

/// Entries a page lists.
pub const PAGE: i64 = 50;
/// The last page a search may ask for (a narrower search finds the rest).
pub const LAST_PAGE: i64 = 2_000;

/// A search as a shareable URL carries it.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words of the donor's name or the description, accents optional.
    pub q: String,
    /// Amounts in đồng as typed (`500.000`), both inclusive.
    pub min: String,
    pub max: String,
    /// Days, `dd/mm/yyyy`, both inclusive.
    pub from: String,
    pub until: String,
    /// The last digits of the bank's reference.
    pub reference: String,
    /// `newest` (default), `oldest` or `largest`.
    pub sort: String,
    /// From 1, up to `LAST_PAGE`.
    pub page: i64,
}

impl SearchQuery {
    /// The page asked for (1 when none) and its first row.
    pub fn page_and_offset(&self) -> (i64, i64) {
        let page = self.page.clamp(1, LAST_PAGE);
        (page, (page - 1) * PAGE)
    }
}

impl SearchQuery {
    /// The filter it asks for; the fields that cannot be read otherwise.
    pub fn filter(&self) -> Result<EntryFilter, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut amount = |text: &str, field: &str| match text.trim() {
            "" => None,
            typed => match Money::parse(typed) {
                Ok(m) => Some(m.dong()),
                Err(e) => {
                    errors.insert(field.to_owned(), e.key().to_owned());
                    None
                }
            },
        };
        let min = amount(&self.min, "min");
        let max = amount(&self.max, "max");
        let mut day = |text: &str, field: &str| match text.trim() {
            "" => None,
            typed => match super::statement::parse_date(typed) {
                Some(d) => Some(crate::members::model::iso(d)),
                None => {
                    errors.insert(field.to_owned(), "member.error.date_format".to_owned());
                    None
                }
            },
        };
        let from = day(&self.from, "from");
        let until = day(&self.until, "until");
        let digits: String = self.reference.chars().filter(char::is_ascii_alphanumeric).collect();
        if digits.len() > 30 {
            errors.insert("reference".into(), "ledger.error.too_long".into());
        }
        if self.page > LAST_PAGE {
            errors.insert("page".into(), "ledger.error.page".into());
        }
        let sort = match self.sort.trim() {
            "" | "newest" => Sort::Newest,
            "oldest" => Sort::Oldest,
            "largest" => Sort::Largest,
            _ => {
                errors.insert("sort".into(), "ledger.error.sort".into());
                Sort::Newest
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        // Words are folded and stripped of LIKE's wildcards; a few suffice.
        let words = crate::text::tokens(&self.q).into_iter().take(6).collect();
        Ok(EntryFilter {
            words,
            min,
            max,
            from,
            until,
            reference_tail: (!digits.is_empty()).then_some(digits),
            sort,
        })
    }
}

/// A fund's totals, and the VietQR payload of its bank account (with its
/// payment code as the purpose), when it has one.
pub async fn totals_and_code(db: &Db, fund: &Fund) -> Result<(Totals, Option<String>), sqlx::Error> {
    let totals = listing::fund_totals(db, fund.id).await?;
    let mut code = None;
    if let Some(account) = fund.account_id {
        if let Some(account) = store::account_by_id(db, account).await? {
            if account.kind == AccountKind::Bank {
                let purpose = vietqr::plain_purpose(&fund.payment_code, &fund.name);
                let transfer = Transfer {
                    bin: &account.bank_bin,
                    account: &account.account_no,
                    amount: None,
                    purpose: &purpose,
                };
                code = vietqr::payload(&transfer).ok();
            }
        }
    }
    Ok((totals, code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_url_reads_into_a_filter_or_names_its_bad_fields() {
        let q = SearchQuery {
            q: "Cao Việt Tuấn".into(),
            min: "50.000".into(),
            from: "01/09/2024".into(),
            reference: "…5241".into(),
            sort: "largest".into(),
            ..SearchQuery::default()
        };
        let f = q.filter().unwrap();
        assert_eq!(f.words, ["cao", "viet", "tuan"]);
        assert_eq!((f.min, f.from.as_deref()), (Some(50_000), Some("2024-09-01")));
        assert_eq!((f.reference_tail.as_deref(), f.sort), (Some("5241"), Sort::Largest));
        let bad = SearchQuery {
            min: "năm mươi".into(),
            until: "32/13/2024".into(),
            sort: "random".into(),
            ..SearchQuery::default()
        };
        let errors = bad.filter().unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
    }
}
