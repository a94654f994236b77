//! SQL of a fund's entries as lists show them (staff pages and the public
//! page alike read only the public columns) and of its totals.

use sqlx::Row;

use crate::db::{Db, Sql};
use crate::ledger::model::{EntryKind, Head, Line, Totals};
use crate::money::Money;

/// How a list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    Largest,
}

/// What a list of entries is narrowed to.
#[derive(Clone, Debug, Default)]
pub struct EntryFilter {
    /// Folded words, each found in the counterparty or the description.
    pub words: Vec<String>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// `yyyy-mm-dd`, both inclusive.
    pub from: Option<String>,
    pub until: Option<String>,
    /// The last digits of the bank's reference.
    pub reference_tail: Option<String>,
    pub sort: Sort,
}

/// An entry as published: public columns only.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PublicRow {
    pub id: i64,
    pub unit_id: i64,
    pub seq: i64,
    /// `yyyy-mm-dd`.
    pub on_date: String,
    pub kind: EntryKind,
    pub description: String,
    pub counterparty: String,
    pub reference: String,
    /// In đồng.
    #[schema(value_type = i64)]
    pub amount: Money,
    pub reverses: Option<i64>,
    pub hash: String,
}

fn push_filter(sql: &mut Sql, fund_id: i64, f: &EntryFilter) {
    sql.push(" WHERE e.fund_id = ").bind(fund_id);
    for word in &f.words {
        sql.push(" AND e.search_text LIKE ").bind(format!("%{word}%"));
    }
    if let Some(min) = f.min {
        sql.push(" AND e.amount >= ").bind(min);
    }
    if let Some(max) = f.max {
        sql.push(" AND e.amount <= ").bind(max);
    }
    if let Some(from) = &f.from {
        sql.push(" AND e.on_date >= ").bind(from.clone());
    }
    if let Some(until) = &f.until {
        sql.push(" AND e.on_date <= ").bind(until.clone());
    }
    if let Some(tail) = &f.reference_tail {
        sql.push(" AND e.reference LIKE ").bind(format!("%{tail}"));
    }
}

/// A page of `fund_id`'s entries matching `f`, and whether more follow.
pub async fn fund_entries(
    db: &Db,
    fund_id: i64,
    f: &EntryFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PublicRow>, bool), sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT e.id, e.unit_id, e.seq, e.on_date, e.kind, e.description, e.counterparty, e.reference, e.amount, \
         e.reverses, e.hash FROM ledger_entries e",
    );
    push_filter(&mut sql, fund_id, f);
    sql.push(match f.sort {
        Sort::Newest => " ORDER BY e.on_date DESC, e.id DESC",
        Sort::Oldest => " ORDER BY e.on_date, e.id",
        Sort::Largest => " ORDER BY e.amount DESC, e.id DESC",
    });
    sql.push(" LIMIT ").bind(limit + 1).push(" OFFSET ").bind(offset);
    let rows = sql.fetch_all(db.pool()).await?;
    let more = rows.len() as i64 > limit;
    let items = rows
        .iter()
        .take(limit as usize)
        .map(|r| {
            let kind: String = r.try_get(4)?;
            Ok(PublicRow {
                id: r.try_get(0)?,
                unit_id: r.try_get(1)?,
                seq: r.try_get(2)?,
                on_date: r.try_get(3)?,
                kind: EntryKind::parse(&kind).ok_or_else(|| sqlx::Error::Decode(format!("kind {kind}").into()))?,
                description: r.try_get(5)?,
                counterparty: r.try_get(6)?,
                reference: r.try_get(7)?,
                amount: Money::from_dong(r.try_get(8)?),
                reverses: r.try_get(9)?,
                hash: r.try_get(10)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((items, more))
}

/// Raised, spent and held of `fund_id`, from its lines.
pub async fn fund_totals(db: &Db, fund_id: i64) -> Result<Totals, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT head, CAST(SUM(debit) AS BIGINT), CAST(SUM(credit) AS BIGINT) FROM ledger_lines WHERE fund_id = ",
    );
    sql.bind(fund_id).push(" GROUP BY head");
    let mut totals = Totals::default();
    for row in sql.fetch_all(db.pool()).await? {
        let head: String = row.try_get(0)?;
        let Some(head) = Head::parse(&head) else { continue };
        totals.add(&Line {
            fund_id,
            head,
            account_id: None,
            debit: Money::from_dong(row.try_get(1)?),
            credit: Money::from_dong(row.try_get(2)?),
        });
    }
    Ok(totals)
}
