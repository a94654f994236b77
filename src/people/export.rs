//! CSV export of a person search: every row the user may read, streamed
//! from one query as it is read, in a form Excel opens (UTF-8 with BOM),
//! formulas defused. A server runs a few exports at a time; more wait.

use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use super::model::{Birth, Person};
use super::routes::SearchParams;
use crate::i18n::{self, Lang};
use crate::toolkit::xlsx::{self as toolkit_xlsx, Column, ColumnType, Value};
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::Query;
use crate::web::AppState;

/// Rows of one export at most.
const EXPORT_LIMIT: i64 = 100_000;
/// Exports one server runs at once; another gets 503 with Retry-After.
const CONCURRENT_EXPORTS: usize = 2;

fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(CONCURRENT_EXPORTS))
}

/// The header row in the user's language, after the byte-order mark that
/// makes Excel read UTF-8.
fn header(lang: Lang) -> String {
    let keys = [
        "persons.csv_id",
        "person.full_name",
        "person.sex",
        "person.birth_date",
        "person.cccd",
        "person.phone",
        "person.address_commune",
        "person.address_detail",
        "person.unit",
        "persons.csv_unit_code",
    ];
    let names: Vec<String> = keys.iter().map(|k| csv_field(i18n::t(lang, k))).collect();
    format!("\u{feff}{}\r\n", names.join(","))
}

fn line(lang: Lang, person: &Person) -> String {
    let fields = [
        person.id.to_string(),
        person.full_name.clone(),
        i18n::t(lang, person.sex.label_key()).to_owned(),
        person.birth.map(|b| b.display()).unwrap_or_default(),
        person.cccd.as_deref().map(as_text).unwrap_or_default(),
        person.phone.as_deref().map(as_text).unwrap_or_default(),
        person
            .address
            .commune
            .as_ref()
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        person.address.detail.clone(),
        person.unit.name.clone(),
        person.unit.code.clone(),
    ];
    let mut out = fields
        .iter()
        .enumerate()
        .map(|(i, f)| if matches!(i, 4 | 5) { f.clone() } else { csv_field(f) })
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

pub(super) async fn csv(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(p): Query<SearchParams>,
) -> Result<Response, AppError> {
    let permit = permits().try_acquire().map_err(|_| AppError::Busy)?;
    let mut rows = super::search::export(&state.db, &user.principal, &p.q, p.unit.as_deref(), EXPORT_LIMIT).await?;
    // The first row (or error) before answering: a failing query is a
    // proper error page, not a truncated file.
    let first = rows.recv().await.transpose()?;
    let permit_owned = permit;
    let stream = futures_util::stream::unfold(
        (
            Some(header(lang) + &first.as_ref().map(|p| line(lang, p)).unwrap_or_default()),
            rows,
            permit_owned,
        ),
        move |(pending, mut rows, permit)| async move {
            if let Some(chunk) = pending {
                return Some((Ok::<_, std::io::Error>(chunk), (None, rows, permit)));
            }
            match rows.recv().await {
                Some(Ok(person)) => Some((Ok(line(lang, &person)), (None, rows, permit))),
                Some(Err(e)) => Some((Err(std::io::Error::other(e)), (None, rows, permit))),
                None => None,
            }
        },
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"nguoi.csv\""),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// The columns of a person list, in the user's language: the same as the
/// CSV's, so a downloaded list imports back as it is.
fn xlsx_columns(lang: Lang) -> Vec<Column> {
    let column = |key: &str, kind: ColumnType, width: f64| Column::new(i18n::t(lang, key), kind, width);
    vec![
        column("persons.csv_id", ColumnType::Number, 10.0),
        column("person.full_name", ColumnType::Text, 28.0),
        column("person.sex", ColumnType::Text, 8.0),
        column("person.birth_date", ColumnType::Date, 12.0),
        column("person.cccd", ColumnType::Digits, 15.0),
        column("person.phone", ColumnType::Digits, 13.0),
        column("person.address_commune", ColumnType::Text, 24.0),
        column("person.address_detail", ColumnType::Text, 30.0),
        column("person.unit", ColumnType::Text, 28.0),
        column("persons.csv_unit_code", ColumnType::Text, 10.0),
    ]
}

fn xlsx_row(lang: Lang, person: &Person) -> Vec<Value> {
    let birth = match person.birth {
        Some(Birth::Date(day)) => Value::Date(day),
        Some(Birth::Year(year)) => Value::Year(year),
        None => Value::Empty,
    };
    vec![
        Value::Number(person.id as f64),
        Value::from(person.full_name.clone()),
        Value::from(i18n::t(lang, person.sex.label_key()).to_owned()),
        birth,
        Value::from(person.cccd.clone()),
        Value::from(person.phone.clone()),
        Value::from(person.address.commune.as_ref().map(|u| u.name.clone())),
        Value::from(person.address.detail.clone()),
        Value::from(person.unit.name.clone()),
        Value::from(person.unit.code.clone()),
    ]
}

/// `.xlsx` of a person search: every row the user may read (up to Excel's
/// limit), streamed from one query into a constant-memory workbook.
pub(super) async fn xlsx(
    State(state): State<AppState>,
    lang: Lang,
    user: CurrentUser,
    Query(p): Query<SearchParams>,
) -> Result<Response, AppError> {
    let limit = i64::from(toolkit_xlsx::MAX_ROWS);
    let rows = super::search::export(&state.db, &user.principal, &p.q, p.unit.as_deref(), limit).await?;
    let sheet = i18n::t(lang, "persons.sheet");
    let failure = std::sync::Arc::new(std::sync::Mutex::new(None));
    let seen = failure.clone();
    let response = toolkit_xlsx::download("nguoi.xlsx", move |path| {
        let mut rows = rows;
        let values = std::iter::from_fn(move || match rows.blocking_recv()? {
            Ok(person) => Some(xlsx_row(lang, &person)),
            Err(e) => {
                *seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                None
            }
        });
        toolkit_xlsx::write(path, sheet, &xlsx_columns(lang), values)
    })
    .await?;
    // A query that failed half-way is an error, not a short file.
    if let Some(e) = failure.lock().unwrap_or_else(|p| p.into_inner()).take() {
        return Err(e.into());
    }
    Ok(response)
}

/// A number that must stay text (a CCCD, a phone): Excel would drop its
/// leading zeros, so it is written as the formula `="001085012345"`,
/// which Excel shows as exactly that text. Only digits ever get here.
fn as_text(digits: &str) -> String {
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return csv_field(digits);
    }
    format!("\"=\"\"{digits}\"\"\"")
}

/// Quotes a CSV field, and defuses text a spreadsheet would run as a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::{as_text, csv_field};

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("Số 5, ngõ 12"), "\"Số 5, ngõ 12\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("Lê Văn Tám"), "Lê Văn Tám");
        assert_eq!(as_text("0912345678"), "\"=\"\"0912345678\"\"\"");
    }
}
