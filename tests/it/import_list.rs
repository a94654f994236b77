//! "My imports": the uploads a user made, where each stands and until when
//! one left uncommitted is kept; such uploads are discarded with their
//! rows; and a kind's template, filled in, imports without mapping.

use axum::http::StatusCode;
use calamine::{Data, Reader};
use rust_xlsxwriter::Workbook;

use crate::imports::{upload, workbook, X};
use crate::support::units::*;
use crate::support::TestApp;

fn persons_file() -> Vec<u8> {
    workbook(&[
        vec![X::T("Họ và tên"), X::T("Năm sinh"), X::T("Giới tính")],
        vec![X::T("Kiều Văn Nhập"), X::N(1970.0), X::T("Nam")],
    ])
}

#[tokio::test]
async fn my_imports_lists_only_my_uploads_into_units_i_may_still_write_in() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let mut neighbour = app.signed_in("ngocha", "staff", NGOC_HA).await;
    let mut viewer = app.signed_in("xem", "viewer", BA_DINH).await;
    let view = upload(&mut staff, BA_DINH, "danh-sach-to-7.xlsx", &persons_file()).await;
    assert_eq!(view["status"], "preview");

    let mine = staff.get("/api/v1/imports").await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    let mine = mine.json();
    let listed = mine.as_array().expect("a list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["file_name"], "danh-sach-to-7.xlsx");
    assert_eq!(listed[0]["unit"], BA_DINH);
    assert_eq!(listed[0]["row_count"], 1);
    let expires = listed[0]["expires_at"].as_str().expect("an uncommitted upload expires");
    assert!(expires > listed[0]["created_at"].as_str().unwrap_or_default());

    let page = staff.get("/imports").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("danh-sach-to-7.xlsx"), "{}", page.body);
    assert!(page.body.contains("Chờ xác nhận"));
    assert!(page.body.contains("hủy lúc"));
    assert!(page.body.contains("/imports/template.xlsx?kind=members"));

    // Another ward's staff and a viewer see none of it.
    let theirs = neighbour.get("/api/v1/imports").await.json();
    assert_eq!(theirs.as_array().map(Vec::len), Some(0));
    assert!(!neighbour.get("/imports").await.body.contains("danh-sach-to-7.xlsx"));
    assert_eq!(
        viewer.get("/api/v1/imports").await.json().as_array().map(Vec::len),
        Some(0)
    );

    let anonymous = app.client().get("/api/v1/imports").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn my_imports_are_not_crowded_out_by_newer_ones_out_of_my_reach() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let mine = upload(&mut staff, BA_DINH, "cua-toi.xlsx", &persons_file()).await;
    assert_eq!(mine["status"], "preview");
    // Then 200 newer uploads into a ward this user no longer writes in
    // (as if moved away from it since).
    let made = app
        .sql(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) \
             INSERT INTO imports (kind, unit_id, user_id, file_name, file_hash, status, header_row, \
             headers, mapping, row_count, created_at) \
             SELECT 'persons', (SELECT id FROM units WHERE code = '{NGOC_HA}'), \
             (SELECT id FROM users WHERE username = 'badinh'), 'xa-cu.xlsx', 'h', 'committed', 1, '[]', '[]', 1, \
             '2026-01-01T00:00:00Z' FROM n"
        ))
        .await
        .unwrap();
    assert_eq!(made, 200);
    let listed = staff.get("/api/v1/imports").await.json();
    let names: Vec<&str> = listed
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|i| i["file_name"].as_str())
        .collect();
    assert_eq!(names, ["cua-toi.xlsx"]);
}

#[tokio::test]
async fn an_upload_left_uncommitted_for_a_week_is_discarded_with_its_rows() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let old = upload(&mut staff, BA_DINH, "cu.xlsx", &persons_file()).await;
    let fresh = upload(
        &mut staff,
        BA_DINH,
        "moi.xlsx",
        &workbook(&[
            vec![X::T("Họ và tên"), X::T("Năm sinh")],
            vec![X::T("Kiều Thị Mới"), X::N(1980.0)],
        ]),
    )
    .await;
    let stuck = upload(
        &mut staff,
        BA_DINH,
        "ket.xlsx",
        &workbook(&[
            vec![X::T("Họ và tên"), X::T("Năm sinh")],
            vec![X::T("Kiều Thị Kẹt"), X::N(1981.0)],
        ]),
    )
    .await;
    let (old, fresh) = (old["id"].as_i64().unwrap(), fresh["id"].as_i64().unwrap());
    let stuck = stuck["id"].as_i64().unwrap();
    // Uploaded, and last checked, long ago.
    for id in [old, stuck] {
        let long_ago = "created_at = '2026-01-01T00:00:00.000Z'";
        let import = format!("UPDATE imports SET {long_ago} WHERE id = {id}");
        let job = format!("UPDATE jobs SET {long_ago} WHERE id = (SELECT job_id FROM imports WHERE id = {id})");
        app.sql(&import).await.unwrap();
        app.sql(&job).await.unwrap();
    }
    // A check still running is never cut short, however old.
    app.sql(&format!("UPDATE imports SET status = 'checking' WHERE id = {stuck}"))
        .await
        .unwrap();
    let stuck_job = |status: &str| {
        format!("UPDATE jobs SET status = '{status}' WHERE id = (SELECT job_id FROM imports WHERE id = {stuck})")
    };
    app.sql(&stuck_job("running")).await.unwrap();

    assert_eq!(nhanai::toolkit::import::expire(&app.db).await.unwrap(), 1);
    assert_eq!(nhanai::toolkit::import::expire(&app.db).await.unwrap(), 0, "idempotent");
    let stuck_rows = format!("SELECT COUNT(*) FROM import_rows WHERE import_id = {stuck}");
    assert_eq!(app.count(&stuck_rows).await, 1);
    // Once its job has failed, an upload stuck in its check goes too.
    app.sql(&stuck_job("failed")).await.unwrap();
    assert_eq!(nhanai::toolkit::import::expire(&app.db).await.unwrap(), 1);
    assert_eq!(app.count(&stuck_rows).await, 0);

    let rows = |id: i64| format!("SELECT COUNT(*) FROM import_rows WHERE import_id = {id}");
    assert_eq!(app.count(&rows(old)).await, 0, "its people's data is gone");
    assert_eq!(app.count(&rows(fresh)).await, 1, "a recent upload stays");
    let view = staff.get(&format!("/api/v1/imports/{old}")).await.json();
    assert_eq!(view["status"], "discarded");
    assert!(
        view["message"].as_str().unwrap_or_default().contains("7 ngày"),
        "{view}"
    );
    let commit = staff
        .post_json(&format!("/api/v1/imports/{old}/commit"), &serde_json::json!({}))
        .await;
    assert_eq!(commit.status, StatusCode::CONFLICT);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM persons WHERE full_name = 'Kiều Văn Nhập'")
            .await,
        0
    );
}

/// The headers of a downloaded template.
fn template_headers(bytes: &[u8]) -> Vec<String> {
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an .xlsx");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    sheet
        .rows()
        .next()
        .expect("a header row")
        .iter()
        .map(|c| match c {
            Data::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

#[tokio::test]
async fn a_members_template_filled_in_imports_without_mapping() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let branch = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 3").await;
    let template = staff.get("/imports/template.xlsx?kind=members").await;
    assert_eq!(template.status, StatusCode::OK);
    let headers = template_headers(&template.bytes);
    assert!(headers.iter().any(|h| h == "Họ và tên (bắt buộc)"), "{headers:?}");
    assert!(headers.iter().any(|h| h == "Ngày vào Hội (bắt buộc)"), "{headers:?}");
    assert!(headers.iter().any(|h| h == "Số thẻ hội viên"), "{headers:?}");
    assert_eq!(
        staff.get("/imports/template.xlsx?kind=nothing").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, header) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, header).unwrap();
        let value = match header.split(" (").next().unwrap_or_default() {
            "Họ và tên" => "Kiều Văn Mẫu",
            "Ngày sinh" => "12/05/1981",
            "Giới tính" => "Nam",
            "Số CCCD" => "001081000123",
            "Ngày vào Hội" => "01/03/2024",
            "Số thẻ hội viên" => "HN-777",
            _ => "",
        };
        sheet.write_string(1, c as u16, value).unwrap();
    }
    let file = book.save_to_buffer().unwrap();
    let response = staff
        .upload(
            "/api/v1/imports",
            &[("kind", "members"), ("unit", &branch)],
            "mau.xlsx",
            &file,
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let id = response.json()["id"].as_i64().unwrap();
    let view = crate::imports::wait_for(&mut staff, id, "preview").await;
    assert_eq!(view["error_count"], 0, "{view}");
    let unmapped = view["columns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["key"].is_null())
        .count();
    assert_eq!(unmapped, 0, "{view}");
    crate::imports::commit(&mut staff, id).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM members WHERE member_no = 'HN-777'")
            .await,
        1
    );
}
