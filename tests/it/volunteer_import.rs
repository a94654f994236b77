//! Importing a commune's list of volunteers and a school's list of pupils:
//! a bad row imports nothing and is named by row and column; registered
//! persons are reused; the same file twice adds nobody; the exported list
//! imports back cleanly.

use axum::http::StatusCode;
use serde_json::Value;

use crate::imports::{commit, wait_for, workbook, X};
use crate::support::members::count_at;
use crate::support::people::add_person;
use crate::support::units::*;
use crate::support::{Client, TestApp};

async fn upload(client: &mut Client, kind: &str, unit: &str, file: &[u8]) -> (StatusCode, Value) {
    let response = client
        .upload(
            "/api/v1/imports",
            &[("kind", kind), ("unit", unit)],
            "danhsach.xlsx",
            file,
        )
        .await;
    let status = response.status;
    let body = response.json();
    if status != StatusCode::CREATED {
        return (status, body);
    }
    let id = body["id"].as_i64().expect("id");
    (status, wait_for(client, id, "preview").await)
}

fn errors(view: &Value) -> Vec<(i64, String)> {
    view["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap_or(0),
                e["column"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn volunteers_file(skill_of_third: &'static str) -> Vec<u8> {
    let t = X::T;
    workbook(&[
        vec![
            t("STT"),
            t("Họ và tên"),
            t("Năm sinh"),
            t("Giới tính"),
            t("Điện thoại"),
            t("Kỹ năng"),
            t("Người liên hệ khẩn cấp"),
            t("Điện thoại khẩn cấp"),
        ],
        vec![
            X::N(1.0),
            t("Ngô Thị Cũ"),
            t("1985"),
            t("Nữ"),
            t("0912000001"),
            t("Sơ cấp cứu"),
            t(""),
            t(""),
        ],
        vec![
            X::N(2.0),
            t("Vương Văn Mới"),
            t("1999"),
            t("Nam"),
            t("0912000002"),
            t("Lái xe, IT"),
            t("Vương Thị Mẹ"),
            t("0912000003"),
        ],
        vec![
            X::N(3.0),
            t("Khúc Thị Ba"),
            t("2001"),
            t("Nữ"),
            t("0912000004"),
            t(skill_of_third),
            t(""),
            t(""),
        ],
    ])
}

#[tokio::test]
async fn a_volunteer_list_reuses_registered_persons_and_imports_all_or_nothing() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let known = add_person(&mut staff, "Ngô Thị Cũ", BA_DINH, 1).await;
    let before = app.count("SELECT COUNT(*) FROM persons").await;
    // The registered person's birth must match for the name to match.
    app.sql(&format!(
        "UPDATE persons SET birth_year = 1985, birth_date = NULL WHERE id = {known}"
    ))
    .await
    .expect("birth");

    let (_, view) = upload(&mut staff, "volunteers", BA_DINH, &volunteers_file("bay lượn")).await;
    assert_eq!(errors(&view), [(7, "skills".to_owned())], "{view}");
    let refused = staff
        .post_json(
            &format!("/api/v1/imports/{}/commit", view["id"]),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) FROM volunteers").await, 0, "nothing written");

    let (_, view) = upload(&mut staff, "volunteers", BA_DINH, &volunteers_file("Nấu ăn")).await;
    assert_eq!(view["error_count"], 0, "{view}");
    let done = commit(&mut staff, view["id"].as_i64().expect("id")).await;
    assert_eq!(done["created_count"], 3, "{done}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM persons").await,
        before + 2,
        "Ngô Thị Cũ was reused"
    );
    assert_eq!(count_at(&app, "volunteers", BA_DINH).await, 3);
    let listed = staff.get("/api/v1/volunteers?skill=driving").await.json();
    assert_eq!(listed["items"][0]["full_name"], "Vương Văn Mới");
    assert_eq!(listed["items"][0]["emergency_phone"], "0912000003");

    // The same file again adds nobody; the exported list comes back clean.
    let (_, again) = upload(&mut staff, "volunteers", BA_DINH, &volunteers_file("Nấu ăn")).await;
    assert_eq!(again["duplicate_count"], 3, "{again}");
    let again = commit(&mut staff, again["id"].as_i64().expect("id")).await;
    assert_eq!(again["created_count"], 0, "{again}");
    let exported = staff.get(&format!("/volunteers/export.xlsx?unit={BA_DINH}")).await;
    let (_, back) = upload(&mut staff, "volunteers", BA_DINH, &exported.bytes).await;
    assert_eq!(back["error_count"], 0, "{back}");
    assert_eq!(back["duplicate_count"], 3, "{back}");
    assert_eq!(app.count("SELECT COUNT(*) FROM volunteers").await, 3);

    // Two rows naming one registered person are refused, by row.
    let t = X::T;
    let twice = workbook(&[
        vec![t("Họ và tên"), t("Năm sinh"), t("Giới tính")],
        vec![t("Ngô Thị Cũ"), t("1985"), t("Nữ")],
        vec![t("Ngô Thị Cũ"), t("1985"), t("Nữ")],
    ]);
    let other = open_branch(&mut staff, BA_DINH, "Chi hội Tổ 9").await;
    let member = add_person(&mut staff, "Phí Văn Hai", BA_DINH, 9).await;
    app.sql(&format!(
        "UPDATE persons SET birth_year = 1977, birth_date = NULL WHERE id = {member}"
    ))
    .await
    .expect("birth");
    let rows = workbook(&[
        vec![t("Họ và tên"), t("Năm sinh"), t("Giới tính"), t("Ngày vào Hội")],
        vec![t("Phí Văn Hai"), t("1977"), t("Nam"), t("01/01/2020")],
        vec![t("Phí Văn Hai"), t("1977"), t("Nam"), t("01/01/2020")],
    ]);
    let (_, view) = upload(&mut staff, "members", &other, &rows).await;
    assert_eq!(errors(&view), [(6, "full_name".to_owned())], "{view}");
    let (_, view) = upload(&mut staff, "volunteers", BA_DINH, &twice).await;
    assert_eq!(view["duplicate_count"], 2, "already volunteers: {view}");

    // Volunteers go into a commune or a branch.
    let (status, _) = upload(&mut staff, "volunteers", HA_NOI, &volunteers_file("Nấu ăn")).await;
    assert!(status.is_client_error());
}

#[tokio::test]
async fn a_school_imports_its_pupils_with_class_and_year() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let school = open_branch_of(&mut staff, BA_DINH, "Chi hội Trường THCS Thăng Long", "school").await;
    let t = X::T;
    let mut rows = vec![
        vec![
            t("STT"),
            t("Họ và tên"),
            t("Ngày sinh"),
            t("Giới tính"),
            t("Lớp"),
            t("Năm học"),
        ],
        vec![
            X::N(1.0),
            t("Hồ Gia Bảo"),
            t("12/03/2012"),
            t("Nam"),
            t("8A1"),
            t("2025-2026"),
        ],
        vec![
            X::N(2.0),
            t("Mạc Thanh Hương"),
            t("05/11/2012"),
            t("Nữ"),
            t("8A1"),
            t("2025-2027"),
        ],
    ];
    let (_, view) = upload(&mut staff, "youth", &school, &workbook(&rows)).await;
    assert_eq!(errors(&view), [(6, "school_year".to_owned())], "{view}");
    rows[2][5] = t("2025-2026");
    let (_, view) = upload(&mut staff, "youth", &school, &workbook(&rows)).await;
    let done = commit(&mut staff, view["id"].as_i64().expect("id")).await;
    assert_eq!(done["created_count"], 2, "{done}");
    assert_eq!(count_at(&app, "youth_members", &school).await, 2);
    // Pupils go into a school branch only.
    let (status, _) = upload(&mut staff, "youth", BA_DINH, &workbook(&rows)).await;
    assert!(status.is_client_error());
}
