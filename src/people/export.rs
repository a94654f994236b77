//! CSV export of a person search: every row the user may read, streamed
//! from one query as it is read, in a form Excel opens (UTF-8 with BOM),
//! formulas defused. A server runs a few exports at a time; more wait.

use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use super::model::Person;
use super::routes::SearchParams;
use super::service;
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

const HEADER: &str = "\u{feff}id,full_name,sex,birth_date,cccd,phone,address_commune,address_detail,unit\r\n";

fn line(person: &Person) -> String {
    let fields = [
        person.id.to_string(),
        person.full_name.clone(),
        person.sex.as_str().to_owned(),
        person.birth.map(|b| b.display()).unwrap_or_default(),
        person.cccd.clone().unwrap_or_default(),
        person.phone.clone().unwrap_or_default(),
        person
            .address
            .commune
            .as_ref()
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        person.address.detail.clone(),
        person.unit.code.clone(),
    ];
    let mut out = fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

pub(super) async fn csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<SearchParams>,
) -> Result<Response, AppError> {
    let permit = permits().try_acquire().map_err(|_| AppError::Busy)?;
    let mut rows = service::export(&state.db, &user.principal, &p.q, p.unit.as_deref(), EXPORT_LIMIT).await?;
    // The first row (or error) before answering: a failing query is a
    // proper error page, not a truncated file.
    let first = rows.recv().await.transpose()?;
    let permit_owned = permit;
    let stream = futures_util::stream::unfold(
        (
            Some(HEADER.to_owned() + &first.as_ref().map(line).unwrap_or_default()),
            rows,
            permit_owned,
        ),
        |(pending, mut rows, permit)| async move {
            if let Some(chunk) = pending {
                return Some((Ok::<_, std::io::Error>(chunk), (None, rows, permit)));
            }
            match rows.recv().await {
                Some(Ok(person)) => Some((Ok(line(&person)), (None, rows, permit))),
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

/// Quotes a CSV field, and defuses text a spreadsheet would run as a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
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
    use super::csv_field;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("Số 5, ngõ 12"), "\"Số 5, ngõ 12\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("Lê Văn Tám"), "Lê Văn Tám");
    }
}
