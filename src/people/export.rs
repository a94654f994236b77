//! CSV export of a person search: every page the user may read, in a
//! form Excel opens (UTF-8 with BOM), formulas defused.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::routes::SearchParams;
use super::service;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::Query;
use crate::web::AppState;

/// Rows of a CSV export: the search, every page, up to a safety limit.
const EXPORT_LIMIT: usize = 100_000;

pub(super) async fn csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<SearchParams>,
) -> Result<Response, AppError> {
    let mut out =
        String::from("\u{feff}id,full_name,sex,birth_date,cccd,phone,address_commune,address_detail,unit\r\n");
    let mut after: Option<String> = None;
    let mut rows = 0;
    loop {
        let (page, _) = service::search(&state.db, &user.principal, &p.q, p.unit.as_deref(), after.as_deref()).await?;
        for person in &page.items {
            let fields = [
                person.id.to_string(),
                person.full_name.clone(),
                person.sex.as_str().to_owned(),
                person.birth.map(|b| b.display()).unwrap_or_default(),
                person.cccd.clone().unwrap_or_default(),
                person.phone.clone().unwrap_or_default(),
                person
                    .address_commune
                    .as_ref()
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                person.address_detail.clone(),
                person.unit.code.clone(),
            ];
            out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
            out.push_str("\r\n");
            rows += 1;
        }
        match page.next {
            Some(c) if rows < EXPORT_LIMIT => after = Some(c.encode()),
            _ => break,
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"nguoi.csv\""),
        ],
        out,
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
