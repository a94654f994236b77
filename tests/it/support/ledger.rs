//! Ledger fixtures: an appeal opened through the API by a unit's staff.

use axum::http::StatusCode;
use serde_json::json;

use super::Client;

/// A bank account and an appeal paid into it at `unit`: (account, fund).
pub async fn open_appeal(staff: &mut Client, unit: &str) -> (i64, i64) {
    let account = staff
        .post_json(
            "/api/v1/ledger/accounts",
            &json!({"kind": "bank", "name": "Tài khoản cứu trợ", "bank_name": "Vietcombank",
                    "bank_bin": "970436", "account_no": "1017595600", "unit": unit}),
        )
        .await;
    assert_eq!(account.status, StatusCode::CREATED, "{}", account.body);
    let account = account.json()["id"].as_i64().expect("account id");
    let fund = staff
        .post_json(
            "/api/v1/ledger/funds",
            &json!({"kind": "appeal", "name": "Ủng hộ đồng bào bị bão Yagi", "purpose": "Khắc phục hậu quả bão số 3",
                    "target": "500.000.000", "opens_on": "01/09/2024", "closes_on": "30/09/2024",
                    "account_id": account, "unit": unit}),
        )
        .await;
    assert_eq!(fund.status, StatusCode::CREATED, "{}", fund.body);
    (account, fund.json()["id"].as_i64().expect("fund id"))
}
