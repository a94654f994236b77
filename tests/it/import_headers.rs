//! Lists laid out as offices print them: a header over two rows (a group
//! title over merged cells), a row numbering the columns, the birth year
//! written under "Nam" or "Nữ", and sex ticked in one of two columns.

use axum::http::StatusCode;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::json;

use crate::imports::{commit, upload, wait_for};
use crate::support::units::*;
use crate::support::TestApp;

/// A two-row header: "Năm sinh" merged over "Nam | Nữ", "Giới tính"
/// merged over "Nam | Nữ" ticks, a numbering row, then `rows`.
fn split_by_sex(rows: &[[&str; 7]]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let plain = Format::new();
    sheet.write_string(0, 0, "DANH SÁCH HỘ CẦN HỖ TRỢ").unwrap();
    sheet.merge_range(2, 0, 3, 0, "STT", &plain).unwrap();
    sheet.merge_range(2, 1, 3, 1, "Họ và tên", &plain).unwrap();
    sheet.merge_range(2, 2, 2, 3, "Năm sinh", &plain).unwrap();
    sheet.merge_range(2, 4, 2, 5, "Giới tính", &plain).unwrap();
    sheet.merge_range(2, 6, 3, 6, "Thôn/Tổ dân phố", &plain).unwrap();
    for (c, title) in ["Nam", "Nữ", "Nam", "Nữ"].iter().enumerate() {
        sheet.write_string(3, c as u16 + 2, *title).unwrap();
    }
    for c in 0..7u16 {
        sheet.write_string(4, c, format!("({})", c + 1)).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r as u32 + 5, c as u16, *cell).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_two_row_header_with_births_and_ticks_under_the_sex_imports_each_person_right() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let file = split_by_sex(&[
        ["1", "Lê Văn Tám", "1958", "", "x", "", "Tổ 3"],
        ["2", "Phạm Thị Chín", "", "1961", "", "x", "Tổ 4"],
        // Born under "Nam", ticked "Nữ": the sheet contradicts itself.
        ["3", "Đỗ Thị Mười", "1970", "", "", "x", ""],
    ]);
    let view = upload(&mut staff, BA_DINH, "ho-ngheo.xlsx", &file).await;
    assert_eq!(view["header_row"], 3, "{view}");
    assert_eq!(view["row_count"], 3, "the numbering row is not a person: {view}");
    let keys: Vec<&str> = view["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        keys,
        [
            "",
            "full_name",
            "birth_date+sex@Nam",
            "birth_date+sex@Nữ",
            "sex@Nam",
            "sex@Nữ",
            "address_detail"
        ]
    );
    assert_eq!(view["columns"][3]["header"], "Năm sinh Nữ");
    let errors = view["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{view}");
    assert_eq!(
        (errors[0]["row"].as_i64(), errors[0]["column"].as_str()),
        (Some(8), Some("sex"))
    );

    let id = view["id"].as_i64().unwrap();
    let page = staff.get(&format!("/imports/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for shown in [
        "<option value=\"birth_date+sex@Nữ\" selected>Ngày sinh (ghi ở cột Giới tính: Nữ)</option>",
        "<option value=\"sex@Nam\" selected>Giới tính: Nam (ô đánh dấu)</option>",
    ] {
        assert!(page.body.contains(shown), "{shown} in {}", page.body);
    }

    // Ticks mapped away by hand: the births alone say the sex.
    let mut mapping: Vec<serde_json::Value> = keys.iter().map(|k| json!(k)).collect();
    mapping[0] = json!(null);
    mapping[4] = json!(null);
    mapping[5] = json!(null);
    let response = staff
        .put_json(&format!("/api/v1/imports/{id}/mapping"), &json!({ "mapping": mapping }))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let view = wait_for(&mut staff, id, "preview").await;
    assert_eq!(view["error_count"], 0, "{view}");
    commit(&mut staff, id).await;
    let born = |name: &str, sex: &str, year: i64| {
        format!("SELECT COUNT(*) FROM persons WHERE full_name = '{name}' AND sex = '{sex}' AND birth_year = {year}")
    };
    assert_eq!(app.count(&born("Lê Văn Tám", "M", 1958)).await, 1);
    assert_eq!(app.count(&born("Phạm Thị Chín", "F", 1961)).await, 1);
    assert_eq!(app.count(&born("Đỗ Thị Mười", "M", 1970)).await, 1);
}

#[tokio::test]
async fn a_mapping_may_name_only_the_values_a_column_declares() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let file = split_by_sex(&[["1", "Lê Văn Tám", "1958", "", "x", "", "Tổ 3"]]);
    let view = upload(&mut staff, BA_DINH, "ho-ngheo.xlsx", &file).await;
    let id = view["id"].as_i64().unwrap();
    for bad in [
        "sex@Khác",
        "cccd+sex@Khác",
        "religion+sex@Nam",
        "birth_date@Nam",
        "@Nam",
    ] {
        let mapping = json!([null, "full_name", bad, null, null, null, null]);
        let response = staff
            .put_json(&format!("/api/v1/imports/{id}/mapping"), &json!({ "mapping": mapping }))
            .await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            response.body
        );
    }
    let after = staff.get(&format!("/api/v1/imports/{id}")).await.json();
    assert_eq!(after["columns"], view["columns"], "a refused mapping changes nothing");
}
