//! Bank statements through the toolkit's import, as a commune's accountant
//! uploads them: title rows before the table, a date on a group's first
//! row, descriptions over several rows; gifts routed by payment code or
//! to the account's appeal, the rest queued; all or nothing; and the same
//! or an overlapping statement adding nothing twice — not even when
//! identical rows are different gifts.

use axum::http::StatusCode;
use nhanai::ledger::describe::payment_code;
use serde_json::{json, Value};

use crate::imports::{commit, wait_for};
use crate::support::units::*;
use crate::support::{Client, TestApp};

async fn upload(client: &mut Client, account: i64, name: &str, file: &str) -> Value {
    let response = client
        .upload(
            "/api/v1/imports",
            &[
                ("kind", "statement"),
                ("unit", NGOC_HA),
                ("target", &account.to_string()),
            ],
            name,
            file.as_bytes(),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    wait_for(client, response.json()["id"].as_i64().unwrap(), "preview").await
}

fn statement(rows: &[&str]) -> String {
    let mut text = String::from(
        "NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM\nSAO KÊ TÀI KHOẢN 1017595600\nTừ ngày 01/09/2024 đến ngày 10/09/2024\n\
         Ngày GD,Số CT,Ghi nợ,Ghi có,Nội dung\n",
    );
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}

async fn raised(client: &mut Client, fund: i64) -> i64 {
    client.get(&format!("/api/v1/ledger/funds/{fund}")).await.json()["totals"]["raised"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_statement_imports_once_routes_gifts_and_queues_the_rest() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let (account, appeal) = crate::support::ledger::open_appeal(&mut staff, NGOC_HA).await;
    let other = staff
        .post_json(
            "/api/v1/ledger/funds",
            &json!({"kind": "red_cross", "name": "Quỹ Chữ thập đỏ", "unit": NGOC_HA}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let code = payment_code(other);
    let first = statement(&[
        "01/09/2024,5241.83107,,29.000,MBVCB.6916176124.CAO VIET TUAN chuyen tien",
        ",,,,.CT tu 0101001222009 CAO VIET TUAN toi 1017595600",
        ",5090.85797,,\"1.250.000\",272986.010924.101858.DO DUC LOI ung ho",
        &format!("02/09/2024,5213.45946,,50.000,NGUYEN VAN A ung ho {code}"),
        "02/09/2024,5213.45947,\"2.000.000\",,Chi ho tro ho gia dinh",
        // Two identical rows: two people gave the same on the same day.
        "02/09/2024,5213.1,,20.000,ung ho",
        "02/09/2024,5213.1,,20.000,ung ho",
    ]);
    let preview = upload(&mut staff, account, "saoke-1.csv", &first).await;
    assert_eq!(preview["error_count"], 0, "{preview}");
    let done = commit(&mut staff, preview["id"].as_i64().unwrap()).await;
    assert_eq!(done["created_count"], 6, "{done}");
    assert_eq!(raised(&mut staff, appeal).await, 29_000 + 1_250_000 + 40_000);
    assert_eq!(raised(&mut staff, other).await, 50_000);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM ledger_unmatched").await,
        1,
        "the debit waits"
    );

    // The donor's name was read from the bank's words; the account number is not published.
    let mut public = app.client();
    let page = public.get(&format!("/p/quyen-gop/{appeal}?q=cao+viet+tuan")).await.body;
    assert!(
        page.contains("CAO VIET TUAN") && !page.contains("0101001222009"),
        "{page}"
    );

    // The same file again adds nothing.
    let again = upload(&mut staff, account, "saoke-1-lan-2.csv", &first).await;
    let again = commit(&mut staff, again["id"].as_i64().unwrap()).await;
    assert_eq!(again["created_count"], 0, "{again}");

    // An overlapping statement: its old rows are known, its new ones added,
    // and a third identical gift counts as new.
    let overlapping = statement(&[
        "02/09/2024,5213.1,,20.000,ung ho",
        "02/09/2024,5213.1,,20.000,ung ho",
        "02/09/2024,5213.1,,20.000,ung ho",
        "03/09/2024,6000.1,,100.000,LE THI HOA ung ho mien Bac",
    ]);
    let next = upload(&mut staff, account, "saoke-2.csv", &overlapping).await;
    let next = commit(&mut staff, next["id"].as_i64().unwrap()).await;
    assert_eq!(next["created_count"], 2, "{next}");
    assert_eq!(raised(&mut staff, appeal).await, 29_000 + 1_250_000 + 60_000 + 100_000);
    let verified = nhanai::ledger::service::verify(&app.db, Default::default())
        .await
        .unwrap();
    assert_eq!(verified.entries, 7);
}

#[tokio::test]
async fn a_bad_row_names_its_row_and_column_and_nothing_is_imported() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let (account, _) = crate::support::ledger::open_appeal(&mut staff, NGOC_HA).await;
    let bad = statement(&[
        "01/09/2024,1,,29.000,ung ho",
        "31/02/2024,2,,10.000,ung ho",
        "01/09/2024,3,,10.0,ung ho",
    ]);
    let preview = upload(&mut staff, account, "loi.csv", &bad).await;
    assert_eq!(preview["error_count"], 2, "{preview}");
    let errors: Vec<(i64, String)> = preview["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap().to_owned()))
        .collect();
    // Three title rows, the header on row 4: the bad rows are 6 and 7.
    assert_eq!(errors, vec![(6, "date".to_owned()), (7, "credit".to_owned())]);
    let refused = staff
        .post_json(&format!("/api/v1/imports/{}/commit", preview["id"]), &json!({}))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM ledger_entries").await, 0);
}

#[tokio::test]
async fn a_statement_goes_only_into_a_bank_account_of_the_unit() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let file = statement(&["01/09/2024,1,,29.000,ung ho"]);
    let mut province = app.signed_in("hanoi", "staff", HA_NOI).await;
    let (elsewhere, _) = crate::support::ledger::open_appeal(&mut province, GIANG_VO).await;
    for target in ["", "abc", &elsewhere.to_string()] {
        let refused = staff
            .upload(
                "/api/v1/imports",
                &[("kind", "statement"), ("unit", NGOC_HA), ("target", target)],
                "s.csv",
                file.as_bytes(),
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{target}: {}",
            refused.body
        );
        assert!(refused.json()["error"]["fields"]["target"].is_string());
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM imports").await, 0);
}

#[tokio::test]
async fn queued_transactions_are_recorded_into_a_fund_once_by_the_units_staff() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let (account, appeal) = crate::support::ledger::open_appeal(&mut staff, NGOC_HA).await;
    // A second fund into the same account: gifts without a code cannot be told apart.
    staff
        .post_json(
            "/api/v1/ledger/funds",
            &json!({"kind": "general", "name": "Quỹ chung", "account_id": account, "unit": NGOC_HA}),
        )
        .await;
    let file = statement(&[
        "01/09/2024,1,,29.000,MBVCB.1.CAO VIET TUAN chuyen tien.CT tu 0101001222009 CAO VIET TUAN toi 1",
        "02/09/2024,2,\"3.000.000\",,Chi ho tro ho ong Nguyen Van An",
    ]);
    let preview = upload(&mut staff, account, "s.csv", &file).await;
    commit(&mut staff, preview["id"].as_i64().unwrap()).await;
    let queue = format!("/api/v1/ledger/accounts/{account}/unmatched");
    let lines = staff.get(&queue).await.json();
    assert_eq!(lines.as_array().unwrap().len(), 2, "{lines}");
    let (credit, debit) = (lines[0]["id"].as_i64().unwrap(), lines[1]["id"].as_i64().unwrap());

    let mut viewer = app.signed_in("ngocha.xem", "viewer", NGOC_HA).await;
    let assign = |line: i64| format!("/api/v1/ledger/unmatched/{line}");
    assert_eq!(
        viewer.post_json(&assign(credit), &json!({"fund": appeal})).await.status,
        StatusCode::FORBIDDEN
    );
    let mut outsider = app.signed_in("haiphong", "staff", HAI_PHONG).await;
    assert_eq!(outsider.get(&queue).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        outsider
            .post_json(&assign(credit), &json!({"fund": appeal}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // On the queue's page, the accountant records the credit into the appeal.
    let page = staff.get(&format!("/ledger/accounts/{account}/unmatched")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(&format!("line-{credit}")) && page.body.contains("CAO VIET TUAN"),
        "{}",
        page.body
    );
    assert_eq!(
        viewer
            .get(&format!("/ledger/accounts/{account}/unmatched"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let by_form = staff
        .post_form(&format!("/ledger/unmatched/{credit}"), &[("fund", &appeal.to_string())])
        .await;
    assert_eq!(by_form.status, StatusCode::SEE_OTHER, "{}", by_form.body);
    assert_eq!(
        staff.post_json(&assign(credit), &json!({"fund": appeal})).await.status,
        StatusCode::NOT_FOUND
    );
    let page = staff.get(&format!("/ledger/accounts/{account}/unmatched")).await.body;
    assert!(
        !page.contains(&format!("line-{credit}")),
        "recorded lines leave the queue"
    );
    let no_kind = staff.post_json(&assign(debit), &json!({"fund": appeal})).await;
    assert_eq!(no_kind.status, StatusCode::UNPROCESSABLE_ENTITY);
    let paid = json!({"fund": appeal, "kind": "disbursement", "counterparty": "Nguyễn Văn An"});
    assert_eq!(staff.post_json(&assign(debit), &paid).await.status, StatusCode::CREATED);
    let shown = staff.get(&format!("/api/v1/ledger/funds/{appeal}")).await.json();
    assert_eq!(
        (shown["totals"]["raised"].as_i64(), shown["totals"]["spent"].as_i64()),
        (Some(29_000), Some(3_000_000))
    );
    let page = app.client().get(&format!("/p/quyen-gop/{appeal}")).await.body;
    assert!(
        page.contains("Nguyễn V. A.") && !page.contains("Nguyễn Văn An"),
        "{page}"
    );
    assert!(staff.get(&queue).await.json().as_array().unwrap().is_empty());
}

#[tokio::test]
async fn gifts_are_not_guessed_into_a_closed_appeal_or_another_units_fund() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let (account, appeal) = crate::support::ledger::open_appeal(&mut staff, NGOC_HA).await;
    let mut province = app.signed_in("hanoi", "staff", HA_NOI).await;
    let (_, elsewhere) = crate::support::ledger::open_appeal(&mut province, GIANG_VO).await;
    let file = statement(&[
        "29/09/2024,1,,10.000,ung ho",
        "05/10/2024,2,,20.000,ung ho sau khi ket thuc",
        &format!("02/09/2024,3,,30.000,ung ho {}", payment_code(elsewhere)),
    ]);
    let preview = upload(&mut staff, account, "s.csv", &file).await;
    let done = commit(&mut staff, preview["id"].as_i64().unwrap()).await;
    assert_eq!(done["created_count"], 3, "{done}");
    assert_eq!(raised(&mut staff, appeal).await, 10_000);
    let queued = staff
        .get(&format!("/api/v1/ledger/accounts/{account}/unmatched"))
        .await
        .json();
    let amounts: Vec<i64> = queued
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["credit"].as_i64().unwrap())
        .collect();
    assert_eq!(amounts, vec![20_000, 30_000]);
    assert_eq!(raised(&mut province, elsewhere).await, 0);
}
