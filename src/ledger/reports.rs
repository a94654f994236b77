//! A fund's lists for the publication duties of the charity-fund decree:
//! its donors and recipients of a quarter or a year, as `.xlsx`.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::manage;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Path, Query};
use crate::web::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PeriodParams {
    year: i32,
    /// 1–4; empty: the whole year.
    quarter: String,
}

/// The fund's donors and recipients of a quarter or a year as `.xlsx`
/// (the lists the charity-fund decree asks to publish), as published:
/// donors by their public name, private payees masked.
pub(super) async fn period_list(
    State(state): State<AppState>,
    lang: crate::i18n::Lang,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(p): Query<PeriodParams>,
) -> Result<Response, AppError> {
    use crate::toolkit::xlsx::{self, Column, ColumnType, Value};
    let fund = manage::fund(&state.db, &user.principal, record_id(&id)?).await?;
    let quarter = match p.quarter.trim() {
        "" => None,
        typed => Some(
            typed
                .parse::<u8>()
                .ok()
                .filter(|q| (1..=4).contains(q))
                .ok_or_else(|| {
                    AppError::Validation(crate::validation::field_error("quarter", "ledger.error.quarter"))
                })?,
        ),
    };
    let (first, last) = quarter.map_or((1, 12), |q| (q * 3 - 2, q * 3));
    if !(2000..=2100).contains(&p.year) {
        return Err(AppError::Validation(crate::validation::field_error(
            "year",
            "ledger.error.year",
        )));
    }
    let filter = super::storage::listing::EntryFilter {
        from: Some(format!("{:04}-{first:02}-01", p.year)),
        until: Some(format!("{:04}-{last:02}-31", p.year)),
        sort: super::storage::listing::Sort::Oldest,
        ..Default::default()
    };
    let limit = xlsx::MAX_ROWS as i64;
    let (rows, _) = super::storage::listing::fund_entries(&state.db, fund.id, &filter, limit, 0).await?;
    let t = move |key: &str| crate::i18n::t(lang, key);
    let columns = vec![
        Column::new(t("ledger.date"), ColumnType::Date, 12.0),
        Column::new(t("ledger.kind"), ColumnType::Text, 16.0),
        Column::new(t("ledger.counterparty"), ColumnType::Text, 32.0),
        Column::new(t("ledger.amount"), ColumnType::Number, 16.0),
        Column::new(t("ledger.description"), ColumnType::Text, 48.0),
        Column::new(t("ledger.reference"), ColumnType::Text, 18.0),
    ];
    let period = match quarter {
        Some(q) => format!("quy-{q}-{}", p.year),
        None => format!("nam-{}", p.year),
    };
    let file = format!("thu-chi-quy-{}-{period}.xlsx", fund.id);
    xlsx::download(&file, move |path| {
        let rows = rows.into_iter().map(move |e| {
            vec![
                super::statement::parse_date(&e.on_date).map_or(Value::Empty, Value::Date),
                Value::from(t(e.kind.label_key()).to_owned()),
                Value::from(e.counterparty),
                Value::Number(e.amount.dong() as f64),
                Value::from(e.description),
                Value::from(e.reference),
            ]
        });
        xlsx::write(path, t("ledger.sheet"), &columns, rows)
    })
    .await
}
