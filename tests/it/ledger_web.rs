//! The ledger through HTTP: who may open accounts and funds, record and
//! reverse entries (one test per route family), and the public appeal
//! page and downloads, which need no login, find a gift by an unaccented
//! name, show no phone or account number of a private person, and verify.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::units::*;
use crate::support::{Client, TestApp};

async fn open_appeal(staff: &mut Client) -> (i64, i64) {
    crate::support::ledger::open_appeal(staff, NGOC_HA).await
}

fn gift(donor: &str, amount: &str, description: &str) -> Value {
    json!({"kind": "donation", "on_date": "02/09/2024", "amount": amount, "counterparty": donor,
           "description": description, "reference": "5241.83107"})
}

#[tokio::test]
async fn accounts_funds_and_entries_follow_the_units_access() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let (account, fund) = open_appeal(&mut staff).await;
    let entries = format!("/api/v1/ledger/funds/{fund}/entries");
    let recorded = staff
        .post_json(&entries, &gift("Trần Văn Bình", "500.000", "ung ho"))
        .await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.body);
    let entry = recorded.json()["id"].as_i64().unwrap();

    // Another province's staff learn nothing and change nothing.
    let mut outsider = app.signed_in("haiphong", "staff", HAI_PHONG).await;
    assert_eq!(
        outsider.get(&format!("/api/v1/ledger/funds/{fund}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(outsider.get(&entries).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        outsider.post_json(&entries, &gift("X", "1.000", "")).await.status,
        StatusCode::NOT_FOUND
    );
    let into_ngoc_ha = json!({"kind": "cash", "name": "Két", "unit": NGOC_HA});
    assert_eq!(
        outsider
            .post_json("/api/v1/ledger/accounts", &into_ngoc_ha)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        outsider.get(&format!("/api/v1/ledger?unit={NGOC_HA}")).await.status,
        StatusCode::NOT_FOUND
    );
    // A reader of the commune reads but does not write.
    let mut viewer = app.signed_in("ngocha.xem", "viewer", NGOC_HA).await;
    let shown = viewer.get(&format!("/api/v1/ledger/funds/{fund}")).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.json()["totals"]["raised"], 500_000);
    assert!(shown.json()["vietqr"]
        .as_str()
        .unwrap()
        .contains("0006970436011010175956000208QRIBFTTA"));
    assert_eq!(
        viewer.post_json(&entries, &gift("X", "1.000", "")).await.status,
        StatusCode::FORBIDDEN
    );
    let reversal = format!("{entries}/{entry}/reversal");
    assert_eq!(
        viewer.post_json(&reversal, &json!({"reason": "nhầm"})).await.status,
        StatusCode::FORBIDDEN
    );
    // A fund paid into another unit's account, or money recorded into one, is refused.
    let mut province = app.signed_in("hanoi", "staff", HA_NOI).await;
    let elsewhere = province
        .post_json(
            "/api/v1/ledger/accounts",
            &json!({"kind": "cash", "name": "Két Giảng Võ", "unit": GIANG_VO}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let crossed = province
        .post_json(
            "/api/v1/ledger/funds",
            &json!({"kind": "general", "name": "Quỹ", "account_id": elsewhere, "unit": NGOC_HA}),
        )
        .await;
    assert_eq!(crossed.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", crossed.body);
    let into_elsewhere = json!({"kind": "donation", "on_date": "02/09/2024", "amount": "1.000",
        "counterparty": "A", "account_id": elsewhere});
    assert_eq!(
        province.post_json(&entries, &into_elsewhere).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let listed = viewer.get(&format!("/api/v1/ledger?unit={NGOC_HA}")).await.json();
    assert_eq!(listed["accounts"][0]["id"], account);
    // Nobody signed in: nothing.
    let mut anonymous = app.client();
    assert_eq!(anonymous.get(&entries).await.status, StatusCode::UNAUTHORIZED);

    // A mistake is undone once, by a reversal; the totals follow.
    assert_eq!(
        staff.post_json(&reversal, &json!({"reason": "ghi nhầm"})).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        staff.post_json(&reversal, &json!({"reason": "lần nữa"})).await.status,
        StatusCode::CONFLICT
    );
    let shown = staff.get(&format!("/api/v1/ledger/funds/{fund}")).await.json();
    assert_eq!(shown["totals"]["raised"], 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM ledger_entries").await, 2);
}

#[tokio::test]
async fn bad_entries_say_which_field_and_write_nothing() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let (_, fund) = open_appeal(&mut staff).await;
    let entries = format!("/api/v1/ledger/funds/{fund}/entries");
    let bad = staff
        .post_json(
            &entries,
            &json!({"kind": "donation", "on_date": "31/02/2024", "amount": "1,5", "counterparty": ""}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    for field in ["on_date", "amount", "counterparty"] {
        assert!(
            bad.json()["error"]["fields"][field].is_string(),
            "{field}: {}",
            bad.body
        );
    }
    let unknown = staff
        .post_json(&entries, &json!({"kind": "donation", "surprise": 1}))
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let fund_errors = staff
        .post_json("/api/v1/ledger/funds", &json!({"kind": "appeal", "name": "X", "unit": NGOC_HA, "closes_on": "01/01/2020", "opens_on": "02/01/2020", "purpose": "p"}))
        .await;
    assert_eq!(fund_errors.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) FROM ledger_entries").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM ledger_funds").await, 1);
}

#[tokio::test]
async fn the_public_page_finds_a_gift_without_accents_and_shows_no_private_numbers() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let (_, fund) = open_appeal(&mut staff).await;
    let entries = format!("/api/v1/ledger/funds/{fund}/entries");
    for (donor, amount, text) in [
        ("Nguyễn Thị Hồng Đào", "200.000", "Ủng hộ miền Bắc, gọi lại 0912345678"),
        ("Lê Văn Tám", "1.000.000", "CT tu 0101001222009 LE VAN TAM"),
        ("Phạm Đức", "50.000", "ung ho"),
    ] {
        let r = staff.post_json(&entries, &gift(donor, amount, text)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let anonymous_gift = json!({"kind": "donation", "on_date": "03/09/2024", "amount": "300.000",
        "counterparty": "Hoàng Minh", "anonymous": true, "description": "Hoàng Minh 0987654321"});
    assert_eq!(
        staff.post_json(&entries, &anonymous_gift).await.status,
        StatusCode::CREATED
    );

    let mut public = app.client();
    let page = public.get(&format!("/p/quyen-gop/{fund}?q=hong+dao")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Nguyễn Thị Hồng Đào") && !page.body.contains("Lê Văn Tám"),
        "{}",
        page.body
    );
    // The appeal closed on 30/09/2024: donors are no longer offered its code.
    assert!(
        page.body.contains("appeal-closed") && !page.body.contains("<svg"),
        "{}",
        page.body
    );
    let all = public.get(&format!("/p/quyen-gop/{fund}")).await.body;
    for private in ["0912345678", "0101001222009", "0987654321", "Hoàng Minh", "1017595600"] {
        assert!(!all.contains(private), "{private} published");
    }
    assert!(all.contains("Ẩn danh"));
    let by_amount = public
        .get(&format!(
            "/p/quyen-gop/{fund}/entries.json?min=100.000&max=500.000&sort=largest"
        ))
        .await
        .json();
    let amounts: Vec<i64> = by_amount["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(amounts, vec![300_000, 200_000]);
    assert_eq!(
        public.get(&format!("/p/quyen-gop/{fund}?min=abc")).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(public.get("/p/quyen-gop/999999").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_public_download_verifies_offline_and_a_changed_copy_does_not() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let (_, fund) = open_appeal(&mut staff).await;
    let entries = format!("/api/v1/ledger/funds/{fund}/entries");
    for i in 1..=3 {
        let r = staff
            .post_json(
                &entries,
                &gift("Đỗ Đức Lợi", &format!("{i}0.000"), "=HYPERLINK(\"x\") 0912345678"),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let mut public = app.client();
    let dir = tempfile::tempdir().unwrap();
    for format in ["json", "csv"] {
        let got = public.get(&format!("/p/so-cai/{NGOC_HA}/ledger.{format}")).await;
        assert_eq!(got.status, StatusCode::OK);
        assert!(!got.body.contains("0912345678"));
        let path = dir.path().join(format!("ledger.{format}"));
        std::fs::write(&path, &got.body).unwrap();
        let ok = std::process::Command::new(env!("CARGO_BIN_EXE_nhanai"))
            .args(["ledger", "verify"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(ok.status.success(), "{format}: {}", String::from_utf8_lossy(&ok.stderr));
        let changed = got.body.replacen("20000", "20001", 1);
        std::fs::write(&path, changed).unwrap();
        let caught = std::process::Command::new(env!("CARGO_BIN_EXE_nhanai"))
            .args(["ledger", "verify"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(!caught.status.success(), "{format}: a changed amount verified");
    }
    // A unit that publishes no appeal has no public ledger.
    assert_eq!(
        public.get(&format!("/p/so-cai/{GIANG_VO}/ledger.json")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_ledger_page_opens_funds_and_records_money_from_forms() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let page = staff.get("/ledger").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("new-account"), "staff may open accounts");
    let opened = staff
        .post_form(
            "/ledger/accounts",
            &[
                ("unit", NGOC_HA),
                ("kind", "bank"),
                ("name", "TK cứu trợ"),
                ("bank_name", "Vietcombank"),
                ("bank_bin", "970436"),
                ("account_no", "1017595600"),
            ],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let account = app.count("SELECT MAX(id) FROM ledger_accounts").await.to_string();
    let fund = staff
        .post_form(
            "/ledger/funds",
            &[
                ("unit", NGOC_HA),
                ("kind", "appeal"),
                ("name", "Ủng hộ bão Yagi"),
                ("purpose", "Cứu trợ"),
                ("target", ""),
                ("opens_on", "01/09/2024"),
                ("closes_on", ""),
                ("account_id", &account),
            ],
        )
        .await;
    assert_eq!(fund.status, StatusCode::SEE_OTHER, "{}", fund.body);
    let fund = app.count("SELECT MAX(id) FROM ledger_funds").await;
    let form = format!("/ledger/funds/{fund}/entries");
    let bad = staff
        .post_form(
            &form,
            &[
                ("kind", "donation"),
                ("on_date", "02/09/2024"),
                ("amount", "năm trăm"),
                ("counterparty", "An"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("ledger-refused") && bad.body.contains("Số tiền"),
        "{}",
        bad.body
    );
    let good = staff
        .post_form(
            &form,
            &[
                ("kind", "donation"),
                ("on_date", "02/09/2024"),
                ("amount", "500.000"),
                ("counterparty", "An"),
                ("anonymous", "true"),
            ],
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
    let page = staff.get(&format!("/ledger?unit={NGOC_HA}")).await.body;
    assert!(page.contains("500.000"), "{page}");
    // A reader sees the totals but no form; an outsider sees nothing.
    let mut viewer = app.signed_in("ngocha.xem", "viewer", NGOC_HA).await;
    let seen = viewer.get(&format!("/ledger?unit={NGOC_HA}")).await.body;
    assert!(seen.contains("500.000") && !seen.contains("new-account"));
    let mut outsider = app.signed_in("haiphong", "staff", HAI_PHONG).await;
    assert_eq!(
        outsider.get(&format!("/ledger?unit={NGOC_HA}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        outsider
            .post_form(&form, &[("kind", "donation"), ("amount", "1.000")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_entry_above_the_approval_amount_waits_for_another_person() {
    let app = TestApp::new().await;
    app.sql("UPDATE ledger_policy SET approval_above = 1000000")
        .await
        .unwrap();
    let mut author = app.signed_in("ngocha.a", "staff", NGOC_HA).await;
    let (_, fund) = open_appeal(&mut author).await;
    let entries = format!("/api/v1/ledger/funds/{fund}/entries");
    let small = author.post_json(&entries, &gift("An", "1.000.000", "")).await;
    assert_eq!(small.status, StatusCode::CREATED, "at the amount: no approval");
    let large = author
        .post_json(&entries, &gift("Công ty An Phát", "2.000.000", ""))
        .await;
    assert_eq!(large.status, StatusCode::ACCEPTED, "{}", large.body);
    let draft = large.json()["draft"].as_i64().unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM ledger_entries").await, 1);
    let decide = format!("/api/v1/ledger/drafts/{draft}");
    let own = author.post_json(&decide, &json!({"approve": true})).await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{}", own.body);
    let mut viewer = app.signed_in("ngocha.xem", "viewer", NGOC_HA).await;
    assert_eq!(
        viewer.post_json(&decide, &json!({"approve": true})).await.status,
        StatusCode::FORBIDDEN
    );
    let mut outsider = app.signed_in("haiphong", "staff", HAI_PHONG).await;
    assert_eq!(
        outsider.post_json(&decide, &json!({"approve": true})).await.status,
        StatusCode::NOT_FOUND
    );
    let mut second = app.signed_in("ngocha.b", "staff", NGOC_HA).await;
    let waiting = second.get(&format!("/api/v1/ledger/funds/{fund}/drafts")).await.json();
    assert_eq!(waiting[0]["amount"], 2_000_000);
    let approved = second.post_json(&decide, &json!({"approve": true})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert!(approved.json()["id"].is_i64());
    assert_eq!(
        second.post_json(&decide, &json!({"approve": true})).await.status,
        StatusCode::NOT_FOUND
    );
    let shown = second.get(&format!("/api/v1/ledger/funds/{fund}")).await.json();
    assert_eq!(shown["totals"]["raised"], 3_000_000);
    // A rejected draft appends nothing.
    let another = author.post_json(&entries, &gift("B", "5.000.000", "")).await.json()["draft"]
        .as_i64()
        .unwrap();
    let rejected = second
        .post_json(&format!("/api/v1/ledger/drafts/{another}"), &json!({"approve": false}))
        .await;
    assert_eq!(rejected.status, StatusCode::OK);
    assert_eq!(app.count("SELECT COUNT(*) FROM ledger_entries").await, 2);
}

#[tokio::test]
async fn a_receipt_says_the_amount_in_words_for_the_funds_staff_only() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let (_, fund) = open_appeal(&mut staff).await;
    let entries = format!("/api/v1/ledger/funds/{fund}/entries");
    let gift = json!({"kind": "donation", "on_date": "02/09/2024", "amount": "1.200.000",
        "counterparty": "Trần Thị Bích", "anonymous": true});
    let id = staff.post_json(&entries, &gift).await.json()["id"].as_i64().unwrap();
    let receipt = format!("/ledger/entries/{id}/receipt.pdf");
    let pdf = staff.get(&receipt).await;
    assert_eq!(pdf.status, StatusCode::OK);
    let text = crate::print::pdftotext(&pdf.bytes);
    for said in [
        "GIẤY BIÊN NHẬN",
        "Trần Thị Bích",
        "1.200.000",
        "Một triệu hai trăm nghìn đồng",
    ] {
        assert!(text.contains(said), "{said}: {text}");
    }
    assert!(staff
        .get(&format!("/ledger?unit={NGOC_HA}"))
        .await
        .body
        .contains(&receipt));
    let mut viewer = app.signed_in("ngocha.xem", "viewer", NGOC_HA).await;
    assert_eq!(viewer.get(&receipt).await.status, StatusCode::FORBIDDEN);
    let mut outsider = app.signed_in("haiphong", "staff", HAI_PHONG).await;
    assert_eq!(outsider.get(&receipt).await.status, StatusCode::NOT_FOUND);
}

/// The cells of the first sheet of an `.xlsx`, as text.
fn sheet(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an .xlsx");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("sheet");
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[tokio::test]
async fn a_quarters_donors_and_recipients_download_as_a_spreadsheet() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let (_, fund) = open_appeal(&mut staff).await;
    let entries = format!("/api/v1/ledger/funds/{fund}/entries");
    for (day, donor) in [
        ("02/09/2024", "Lê Văn Tám"),
        ("30/09/2024", "Phạm Thị Hoa"),
        ("01/10/2024", "Đỗ An"),
    ] {
        let gift = json!({"kind": "donation", "on_date": day, "amount": "100.000", "counterparty": donor});
        assert_eq!(staff.post_json(&entries, &gift).await.status, StatusCode::CREATED);
    }
    let q3 = staff
        .get(&format!("/ledger/funds/{fund}/list.xlsx?year=2024&quarter=3"))
        .await;
    assert_eq!(q3.status, StatusCode::OK);
    let rows = sheet(&q3.bytes);
    let names: Vec<&str> = rows.iter().skip(1).map(|r| r[2].as_str()).collect();
    assert_eq!(names, ["Lê Văn Tám", "Phạm Thị Hoa"]);
    let year = sheet(
        &staff
            .get(&format!("/ledger/funds/{fund}/list.xlsx?year=2024&quarter="))
            .await
            .bytes,
    );
    assert_eq!(year.len(), 4, "a header and three gifts");
    assert_eq!(
        staff
            .get(&format!("/ledger/funds/{fund}/list.xlsx?year=2024&quarter=5"))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut outsider = app.signed_in("haiphong", "staff", HAI_PHONG).await;
    assert_eq!(
        outsider
            .get(&format!("/ledger/funds/{fund}/list.xlsx?year=2024"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn only_the_centres_supervisors_set_the_approval_amount() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("ngocha", "staff", NGOC_HA).await;
    assert_eq!(
        staff.get("/api/v1/ledger/policy").await.json()["approval_above"],
        50_000_000
    );
    let body = json!({"approval_above": "10.000.000"});
    assert_eq!(
        staff.put_json("/api/v1/ledger/policy", &body).await.status,
        StatusCode::FORBIDDEN
    );
    let mut province = app.signed_in("hanoi.admin", "admin", HA_NOI).await;
    assert_eq!(
        province.put_json("/api/v1/ledger/policy", &body).await.status,
        StatusCode::FORBIDDEN
    );
    let mut centre = app.signed_in("tw.admin", "admin", TW).await;
    let bad = centre
        .put_json("/api/v1/ledger/policy", &json!({"approval_above": "mười triệu"}))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = centre.put_json("/api/v1/ledger/policy", &body).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(
        staff.get("/api/v1/ledger/policy").await.json()["approval_above"],
        10_000_000
    );
    let (_, fund) = open_appeal(&mut staff).await;
    let waits = staff
        .post_json(
            &format!("/api/v1/ledger/funds/{fund}/entries"),
            &gift("An", "20.000.000", ""),
        )
        .await;
    assert_eq!(waits.status, StatusCode::ACCEPTED);
}
