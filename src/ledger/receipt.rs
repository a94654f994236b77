//! A receipt for a gift, printed by the staff of the fund's unit for the
//! donor: the name as the donor gave it (kept private in the ledger), the
//! amount in figures and in Vietnamese words, and the entry's hash.

use axum::extract::State;
use axum::response::Response;

use super::manage;
use crate::access::Permission;
use crate::money::Money;
use crate::web::auth::CurrentUser;
use crate::web::error::AppError;
use crate::web::extract::{record_id, Path};
use crate::web::AppState;

pub async fn receipt_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = record_id(&id)?;
    let row = super::storage::receipt_row(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let fund = manage::fund(&state.db, &user.principal, row.fund_id.ok_or(AppError::NotFound)?).await?;
    // The donor's own name is private: the fund's staff print it.
    if !user.principal.may(Permission::Write, &fund.placement) {
        return Err(AppError::Forbidden);
    }
    if row.kind != "donation" {
        return Err(AppError::NotFound);
    }
    let private: serde_json::Value = serde_json::from_str(&row.private_json).unwrap_or_default();
    let donor = private["counterparty"]
        .as_str()
        .filter(|n| !n.is_empty())
        .unwrap_or(&row.counterparty)
        .to_owned();
    let unit = crate::org::service::unit_by_id(&state.db, fund.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let province = match unit.placement.province_id {
        Some(p) if p != unit.id => crate::org::service::unit_by_id(&state.db, p).await?,
        Some(_) => Some(unit.clone()),
        None => None,
    };
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+7))
        .date();
    let amount = Money::from_dong(row.amount);
    let doc = nhanai_pdf::ReceiptDocument {
        issuer: crate::toolkit::pdf::body_of(&unit),
        place: crate::toolkit::pdf::place_of(province.as_ref()),
        date: (today.year(), u8::from(today.month()), today.day()),
        donor: if donor.is_empty() { "…".into() } else { donor },
        amount: amount.to_string(),
        amount_words: amount.in_words(),
        fund: fund.name.clone(),
        received_on: crate::web::page::date_vi(&row.on_date),
        reference: row.reference,
        hash: row.hash,
        signer_title: "Chủ tịch".into(),
    };
    let file = format!("bien-nhan-{id}.pdf");
    crate::toolkit::pdf::download(&file, move || nhanai_pdf::render_receipt(&doc)).await
}
