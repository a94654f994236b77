//! The public transparency pages (the public layer, `/p/`): an appeal's
//! totals, its VietQR code, and every movement of its money, searched
//! without accents, by amount, day and the reference's last digits, in
//! shareable URLs; and the public ledger of the unit holding it, as JSON
//! and CSV, to verify with `nhanai ledger verify`. They are built from
//! `PublicRow` and the download's public fields alone: no account or
//! phone number of a private person, no CCCD can reach them.

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::funds::Fund;
use super::model::Totals;
use super::storage::funds as store;
use super::storage::listing::{self, PublicRow};
use super::view::{self, SearchQuery};
use super::{file, service};
use crate::i18n::Lang;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Path, Query};
use crate::web::page::{render_status, PageCtx};
use crate::web::routes::Pages;
use crate::web::AppState;

/// Where an appeal's page is.
pub const APPEAL_PATH: &str = "/p/quyen-gop";

pub fn pages() -> Pages {
    Pages::default()
        .public_get("/p/quyen-gop/{fund}", appeal_page)
        .public_get("/p/quyen-gop/{fund}/entries.json", appeal_entries)
        .public_get("/p/so-cai/{unit}/ledger.json", ledger_json)
        .public_get("/p/so-cai/{unit}/ledger.csv", ledger_csv)
}

async fn appeal(state: &AppState, id: &str) -> Result<Fund, AppError> {
    store::public_appeal(&state.db, record_id(id)?)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Template)]
#[template(path = "ledger/templates/public_appeal.html")]
struct AppealPage {
    ctx: PageCtx,
    fund: Fund,
    totals: Totals,
    qr_svg: Option<String>,
    /// Between its opening and closing days.
    open: bool,
    q: SearchQuery,
    errors: Vec<String>,
    items: Vec<PublicRow>,
    page: i64,
    prev: Option<String>,
    next: Option<String>,
}

impl AppealPage {
    fn date(&self, iso: &str) -> String {
        crate::web::page::date_vi(iso)
    }
}

/// This search's URL on page `page`.
fn page_url(fund: i64, q: &SearchQuery, page: i64) -> String {
    let page = page.to_string();
    crate::web::list::with_query(
        &format!("{APPEAL_PATH}/{fund}"),
        &[
            ("q", &q.q),
            ("min", &q.min),
            ("max", &q.max),
            ("from", &q.from),
            ("until", &q.until),
            ("reference", &q.reference),
            ("sort", &q.sort),
            ("page", if page == "1" { "" } else { &page }),
        ],
    )
}

async fn appeal_page(
    State(state): State<AppState>,
    lang: Lang,
    Path(id): Path<String>,
    Query(q): Query<SearchQuery>,
) -> Result<Response, AppError> {
    let fund = appeal(&state, &id).await?;
    // Anonymous whoever asks: a public page shows no one's session.
    let ctx = PageCtx::anonymous(lang, APPEAL_PATH);
    let (totals, code) = view::totals_and_code(&state.db, &fund).await?;
    let page = q.page.max(1);
    let (items, more, errors, status) = match q.filter() {
        Ok(filter) => {
            let (items, more) =
                listing::fund_entries(&state.db, fund.id, &filter, view::PAGE, (page - 1) * view::PAGE).await?;
            (items, more, Vec::new(), StatusCode::OK)
        }
        Err(fields) => {
            let said = fields.values().map(|key| ctx.t(key).to_owned()).collect();
            (Vec::new(), false, said, StatusCode::BAD_REQUEST)
        }
    };
    // Donors are not invited to give to an appeal not yet open or closed.
    let today = crate::members::model::iso(crate::volunteers::service::today());
    let open = fund.opens_on.as_deref().is_none_or(|d| d <= today.as_str())
        && fund.closes_on.as_deref().is_none_or(|d| d >= today.as_str());
    let body = AppealPage {
        qr_svg: code.as_deref().filter(|_| open).and_then(super::vietqr::svg),
        open,
        prev: (page > 1).then(|| page_url(fund.id, &q, page - 1)),
        next: more.then(|| page_url(fund.id, &q, page + 1)),
        ctx,
        fund,
        totals,
        q,
        errors,
        items,
        page,
    };
    let mut response = crate::web::public::cacheable(render_status(status, &body)?, 30);
    // The language comes from the request: a shared cache keeps one copy per language.
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Cookie, Accept-Language"));
    Ok(response)
}

#[derive(Serialize)]
struct PublicPage {
    items: Vec<PublicRow>,
    next: Option<i64>,
}

async fn appeal_entries(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<SearchQuery>,
) -> Result<Response, AppError> {
    let fund = appeal(&state, &id).await?;
    let filter = q.filter().map_err(AppError::Validation)?;
    let (page, offset) = q.page_and_offset();
    let (items, more) = listing::fund_entries(&state.db, fund.id, &filter, view::PAGE, offset).await?;
    let body = PublicPage {
        items,
        next: more.then_some(page + 1),
    };
    Ok(crate::web::public::cacheable(Json(body).into_response(), 30))
}

/// The unit whose ledger is asked for, when it holds an appeal (other
/// units publish nothing yet).
async fn publishing_unit(state: &AppState, code: &str) -> Result<i64, AppError> {
    let unit = crate::org::service::unit_by_code(&state.db, code.trim())
        .await?
        .ok_or(AppError::NotFound)?;
    if !store::holds_appeal(&state.db, unit.id).await? {
        return Err(AppError::NotFound);
    }
    Ok(unit.id)
}

fn download(body: Vec<u8>, content_type: &'static str, name: String) -> Response {
    let mut response = (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], body).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
    }
    crate::web::public::cacheable(response, 60)
}

async fn ledger_json(State(state): State<AppState>, Path(code): Path<String>) -> Result<Response, AppError> {
    let unit = publishing_unit(&state, &code).await?;
    let ledger = service::public_file(&state.db, unit).await?;
    let body = serde_json::to_vec(&ledger).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(
        body,
        "application/json",
        format!("so-cai-{}.json", code.trim()),
    ))
}

async fn ledger_csv(State(state): State<AppState>, Path(code): Path<String>) -> Result<Response, AppError> {
    let unit = publishing_unit(&state, &code).await?;
    let ledger = service::public_file(&state.db, unit).await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| AppError::Internal(e.to_string());
    writer.write_record(file::CSV_HEADER).map_err(failed)?;
    for entry in &ledger.entries {
        writer.write_record(file::csv_record(entry)).map_err(failed)?;
    }
    let body = writer.into_inner().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(
        body,
        "text/csv; charset=utf-8",
        format!("so-cai-{}.csv", code.trim()),
    ))
}
