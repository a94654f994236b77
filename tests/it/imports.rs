//! Importing persons from spreadsheets: header rows below a title block,
//! office spellings, Excel dates and numbers, the preview with errors by
//! row and column, duplicates within the user's scope, all-or-nothing
//! commits that a second commit of the same file does not repeat, and a
//! downloaded `.xlsx` that imports back to the same records.

use axum::http::StatusCode;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{json, Value};

use crate::support::people::{add_person, cccd};
use crate::support::units::*;
use crate::support::{Client, TestApp};

pub enum X {
    T(&'static str),
    N(f64),
    D(u16, u8, u8),
}

/// An `.xlsx` with a title block, then `rows` from row 4 on.
pub fn workbook(rows: &[Vec<X>]) -> Vec<u8> {
    let mut book = Workbook::new();
    let day = Format::new().set_num_format("dd/mm/yyyy");
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "HỘI CHỮ THẬP ĐỎ PHƯỜNG BA ĐÌNH").unwrap();
    sheet.write_string(1, 0, "DANH SÁCH NGƯỜI CẦN HỖ TRỢ NĂM 2026").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 3, c as u16);
            match cell {
                X::T(s) => sheet.write_string(r, c, *s).map(drop).unwrap(),
                X::N(n) => sheet.write_number(r, c, *n).map(drop).unwrap(),
                X::D(y, m, d) => sheet
                    .write_datetime_with_format(r, c, ExcelDateTime::from_ymd(*y, *m, *d).unwrap(), &day)
                    .map(drop)
                    .unwrap(),
            }
        }
    }
    book.save_to_buffer().unwrap()
}

fn header() -> Vec<X> {
    [
        "STT",
        "Họ và tên",
        "Ngày/tháng/năm sinh",
        "Nam/Nữ",
        "CCCD/CMND",
        "SĐT",
        "Xã/Phường",
        "Thôn/Tổ dân phố",
    ]
    .into_iter()
    .map(X::T)
    .collect()
}

/// Uploads through the API and waits for the check.
pub async fn upload(client: &mut Client, unit: &str, name: &str, file: &[u8]) -> Value {
    let response = client
        .upload("/api/v1/imports", &[("kind", "persons"), ("unit", unit)], name, file)
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    let id = response.json()["id"].as_i64().unwrap();
    wait_for(client, id, "preview").await
}

pub async fn wait_for(client: &mut Client, id: i64, status: &str) -> Value {
    for _ in 0..400 {
        let view = client.get(&format!("/api/v1/imports/{id}")).await.json();
        if view["status"] == status && view["job"]["status"] != "running" && view["job"]["status"] != "queued" {
            return view;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("import {id} never became {status}");
}

pub async fn commit(client: &mut Client, id: i64) -> Value {
    let response = client
        .post_json(&format!("/api/v1/imports/{id}/commit"), &json!({}))
        .await;
    assert_eq!(response.status, StatusCode::ACCEPTED, "{}", response.body);
    wait_for(client, id, "committed").await
}

#[tokio::test]
async fn a_list_below_a_title_block_imports_with_dates_zeros_and_old_commune_names() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let a = cccd(false, 1985, 11);
    let a: &'static str = Box::leak(a.into_boxed_str());
    let file = workbook(&[
        header(),
        vec![
            X::N(1.0),
            X::T("Nguyễn Văn Ẩn"),
            X::D(1985, 3, 7),
            X::T("Nam"),
            X::T(a),
            X::N(912_345_678.0),
            X::T("Phường Ba Đình"),
            X::T("Tổ 5"),
        ],
        vec![
            X::N(2.0),
            X::T("Lê Thị Hoa"),
            X::T("05/11/1962"),
            X::T("Nữ"),
            X::T(""),
            X::T("0987654321"),
            X::T("Phúc Xá"),
            X::T(""),
        ],
        vec![
            X::N(3.0),
            X::T("Trần Đức"),
            X::N(1990.0),
            X::T("nam"),
            X::T(""),
            X::T(""),
            X::T(""),
            X::T(""),
        ],
    ]);
    let view = upload(&mut staff, BA_DINH, "ds.xlsx", &file).await;
    assert_eq!(view["header_row"], 4, "{view}");
    assert_eq!(view["row_count"], 3);
    assert_eq!(view["errors"], json!([]), "{view}");
    let keys: Vec<Value> = view["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].clone())
        .collect();
    assert_eq!(
        keys,
        vec![
            json!(null),
            json!("full_name"),
            json!("birth_date"),
            json!("sex"),
            json!("cccd"),
            json!("phone"),
            json!("address_commune"),
            json!("address_detail")
        ]
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM persons").await,
        0,
        "nothing before the commit"
    );
    let id = view["id"].as_i64().unwrap();
    let done = commit(&mut staff, id).await;
    assert_eq!(done["created_count"], 3);

    let found = staff.get("/api/v1/persons?q=nguyen%20van%20an").await.json();
    let an = &found["items"][0];
    assert_eq!(an["birth_date"], "1985-03-07");
    assert_eq!(an["cccd"], a, "leading zeros kept");
    assert_eq!(an["phone"], "0912345678", "a phone typed as a number keeps its zero");
    let hoa = &staff.get("/api/v1/persons?q=le%20thi%20hoa").await.json()["items"][0];
    assert_eq!(hoa["birth_date"], "1962-11-05");
    assert_eq!(hoa["sex"], "F");
    assert_eq!(
        hoa["address"]["commune"]["code"], "00097",
        "Phúc Xá (before 2025) is now Phường Hồng Hà: {hoa}"
    );
    let duc = &staff.get("/api/v1/persons?q=tran%20duc").await.json()["items"][0];
    assert_eq!(duc["birth_date"], "1990");

    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'import'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND entity = 'person'")
            .await,
        3
    );
    let hash = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'import' AND after_json LIKE '%\"file_hash\":\"%' AND after_json LIKE '%\"rows\":3%'")
        .await;
    assert_eq!(hash, 1, "the import's entry names the file's hash and rows");
    assert_eq!(app.count("SELECT value FROM unit_counts WHERE counter = 'persons' AND unit_id = (SELECT id FROM units WHERE code = '00004')").await, 3);

    // The same file again: every row is a known person, and the file is known.
    let again = upload(&mut staff, BA_DINH, "ds.xlsx", &file).await;
    assert_eq!(again["duplicate_count"], 3, "{again}");
    assert!(
        again["message"].as_str().unwrap_or_default().contains("đã được nhập"),
        "{again}"
    );
    let done = commit(&mut staff, again["id"].as_i64().unwrap()).await;
    assert_eq!(done["created_count"], 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM persons").await,
        3,
        "committing twice creates nothing"
    );
}

#[tokio::test]
async fn one_bad_row_imports_nothing_and_names_its_row_and_column() {
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let csv = "Họ tên;Năm sinh;Giới tính\nAn;1980;Nam\nBình;31/02/1990;Nữ\nChi;1975;Nữ\n";
    let view = upload(&mut staff, BA_DINH, "ds.csv", csv.as_bytes()).await;
    assert_eq!(view["error_count"], 1, "{view}");
    assert_eq!(view["errors"][0]["row"], 3);
    assert_eq!(view["errors"][0]["column"], "birth_date");
    let id = view["id"].as_i64().unwrap();
    let refused = staff
        .post_json(&format!("/api/v1/imports/{id}/commit"), &json!({}))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("3.birth_date"), "{}", refused.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM persons").await, 0);

    // The page names the row and the column too, and offers the errors as .xlsx.
    let page = staff.get(&format!("/imports/{id}")).await;
    assert!(page.body.contains("Ngày sinh không có thật"), "{}", page.body);
    let errors = staff.get(&format!("/imports/{id}/errors.xlsx")).await;
    assert_eq!(errors.status, StatusCode::OK);
    assert!(errors.bytes.starts_with(b"PK"));

    // A file without a name column: mapped by hand, then remembered.
    let csv = "Người nhận;Năm sinh;Giới tính\nAn;1980;Nam\n";
    let view = upload(&mut staff, BA_DINH, "x.csv", csv.as_bytes()).await;
    assert_eq!(view["errors"][0]["message"], "import.error.column_missing", "{view}");
    let id = view["id"].as_i64().unwrap();
    let mapped = staff
        .send(
            axum::http::Method::PUT,
            &format!("/api/v1/imports/{id}/mapping"),
            Some("application/json"),
            json!({"mapping": ["full_name", "birth_date", "sex"]}).to_string(),
            true,
        )
        .await;
    assert_eq!(mapped.status, StatusCode::OK, "{}", mapped.body);
    let view = wait_for(&mut staff, id, "preview").await;
    assert_eq!(view["error_count"], 0, "{view}");
    let next = upload(&mut staff, BA_DINH, "y.csv", csv.as_bytes()).await;
    assert_eq!(
        next["columns"][0]["key"], "full_name",
        "remembered for the unit: {next}"
    );
}

#[tokio::test]
async fn duplicates_are_linked_only_inside_the_users_scope() {
    let app = TestApp::new().await;
    let mut badinh = app.signed_in("badinh", "staff", BA_DINH).await;
    let known = add_person(&mut badinh, "Phạm Văn Cũ", BA_DINH, 7).await;
    let number = cccd(false, 1980, 7);
    let csv = format!("Họ tên;Ngày sinh;Giới tính;Số CCCD\nPhạm Văn Cũ;15/06/1980;Nam;{number}\n");
    let own = upload(&mut badinh, BA_DINH, "a.csv", csv.as_bytes()).await;
    assert_eq!(own["duplicates"][0]["record_id"], known, "{own}");
    assert_eq!(own["duplicates"][0]["label"], "Phạm Văn Cũ");

    let mut other = app.signed_in("thanhdong", "staff", THANH_DONG).await;
    let theirs = upload(&mut other, THANH_DONG, "a.csv", csv.as_bytes()).await;
    assert_eq!(theirs["duplicate_count"], 1, "{theirs}");
    assert_eq!(theirs["duplicates"][0]["record_id"], Value::Null, "{theirs}");
    assert_eq!(theirs["duplicates"][0]["label"], "");
    assert!(!theirs.to_string().contains("Phạm Văn Cũ") || theirs["file_name"] == "a.csv");
    let page = other.get(&format!("/imports/{}", theirs["id"])).await;
    assert!(
        !page.body.contains(&format!("/persons/{known}")),
        "no link out of scope"
    );

    // The same name, birth and commune in another person's scope is no duplicate.
    let csv = "Họ tên;Ngày sinh;Giới tính\nPhạm Văn Cũ;15/06/1980;Nam\n";
    let theirs = upload(&mut other, THANH_DONG, "b.csv", csv.as_bytes()).await;
    assert_eq!(theirs["duplicate_count"], 0, "{theirs}");
    // … but in one's own, it is (a household member with another name is not).
    let csv = "Họ tên;Ngày sinh;Giới tính\nPhạm Văn Cũ;15/06/1980;Nam\nPhạm Thị Mới;15/06/1980;Nữ\n";
    let own = upload(&mut badinh, BA_DINH, "c.csv", csv.as_bytes()).await;
    assert_eq!(own["duplicate_count"], 1, "{own}");
    assert_eq!(own["duplicates"][0]["row"], 2);
}

#[tokio::test]
async fn viewers_cannot_import_and_files_that_are_not_lists_get_a_clear_4xx() {
    let app = TestApp::new().await;
    let mut viewer = app.signed_in("xem", "viewer", BA_DINH).await;
    let csv = b"Ho ten;Nam sinh;Gioi tinh\nAn;1980;Nam\n";
    let refused = viewer
        .upload(
            "/api/v1/imports",
            &[("kind", "persons"), ("unit", BA_DINH)],
            "a.csv",
            csv,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let fields = [("kind", "persons"), ("unit", BA_DINH)];
    let png = [
        0x89u8, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff, 0xfe,
    ];
    let response = staff.upload("/api/v1/imports", &fields, "a.png", &png).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.body);
    assert!(response.body.contains("không phải bảng tính"), "{}", response.body);
    let response = staff
        .upload("/api/v1/imports", &fields, "a.xlsx", b"PK\x03\x04broken")
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.body);
    let big = vec![b'a'; 17 * 1024 * 1024];
    let response = staff.upload("/api/v1/imports", &fields, "big.csv", &big).await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    let response = staff
        .upload("/api/v1/imports", &[("kind", "tanks"), ("unit", BA_DINH)], "a.csv", csv)
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    let response = staff
        .upload(
            "/api/v1/imports",
            &[("kind", "persons"), ("unit", THANH_DONG)],
            "a.csv",
            csv,
        )
        .await;
    assert_eq!(
        response.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a unit out of reach reads as unknown"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM imports").await, 0);

    // Someone else's import does not exist for another user.
    let view = upload(&mut staff, BA_DINH, "a.csv", csv).await;
    let mut colleague = app.signed_in("badinh2", "staff", BA_DINH).await;
    let id = view["id"].as_i64().unwrap();
    assert_eq!(
        colleague.get(&format!("/api/v1/imports/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let job = view["job"]["id"].as_i64().unwrap();
    assert_eq!(
        colleague.get(&format!("/api/v1/jobs/{job}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        colleague.delete(&format!("/api/v1/imports/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        staff.delete(&format!("/api/v1/imports/{id}")).await.status,
        StatusCode::NO_CONTENT
    );
    let response = staff
        .post_json(&format!("/api/v1/imports/{id}/commit"), &json!({}))
        .await;
    assert_eq!(
        response.status,
        StatusCode::CONFLICT,
        "a discarded import cannot be committed"
    );
}

#[tokio::test]
async fn a_downloaded_xlsx_imports_back_to_the_same_records() {
    use calamine::{Data, Reader};
    let app = TestApp::new().await;
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    for (i, name) in ["Vũ Thị Lan", "Hồ Văn Nam", "Đoàn Minh Châu"].iter().enumerate() {
        add_person(&mut staff, name, BA_DINH, 20 + i as u32).await;
    }
    let before = staff.get(&format!("/api/v1/persons?unit={BA_DINH}")).await.json();
    let download = staff.get(&format!("/persons/export.xlsx?unit={BA_DINH}")).await;
    assert_eq!(download.status, StatusCode::OK);
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(download.bytes.clone())).unwrap();
    let name = book.sheet_names()[0].clone();
    let sheet = book.worksheet_range(&name).unwrap();
    assert_eq!(sheet.get((0, 1)), Some(&Data::String("Họ và tên".into())));
    assert!(
        matches!(sheet.get((1, 3)), Some(Data::DateTime(_))),
        "births are dates: {:?}",
        sheet.get((1, 3))
    );
    assert!(
        matches!(sheet.get((1, 4)), Some(Data::String(s)) if s.starts_with("001")),
        "CCCD as text"
    );

    app.sql("DELETE FROM persons").await.unwrap();
    app.sql("UPDATE unit_counts SET value = 0").await.unwrap();
    let view = upload(&mut staff, BA_DINH, "nguoi.xlsx", &download.bytes).await;
    assert_eq!(view["error_count"], 0, "{view}");
    commit(&mut staff, view["id"].as_i64().unwrap()).await;
    let after = staff.get(&format!("/api/v1/persons?unit={BA_DINH}")).await.json();
    let fields = |v: &Value| -> Vec<Value> {
        let mut rows: Vec<Value> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                json!([
                    p["full_name"],
                    p["sex"],
                    p["birth_date"],
                    p["cccd"],
                    p["phone"],
                    p["address"],
                    p["unit"]
                ])
            })
            .collect();
        rows.sort_by_key(|r| r.to_string());
        rows
    };
    assert_eq!(fields(&after), fields(&before));
}

/// The XML of an exported workbook's first sheet.
fn sheet_xml(xlsx: &[u8]) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut sheet = archive.by_name("xl/worksheets/sheet1.xml").unwrap();
    let mut xml = String::new();
    sheet.read_to_string(&mut xml).unwrap();
    xml
}

#[tokio::test]
async fn every_list_downloads_as_xlsx_with_a_frozen_filtered_header() {
    use calamine::{Data, Reader};
    let app = TestApp::new().await;
    let mut admin = app.signed_in("hanoi", "admin", HA_NOI).await;
    add_person(&mut admin, "Tô Thị Mười", BA_DINH, 31).await;
    for (path, header) in [
        (format!("/persons/export.xlsx?unit={BA_DINH}"), "Họ và tên"),
        (format!("/units/{HA_NOI}/children.xlsx"), "Người: 70+"),
        ("/audit/export.xlsx".to_owned(), "Thời điểm"),
    ] {
        let download = admin.get(&path).await;
        assert_eq!(download.status, StatusCode::OK, "{path}");
        let xml = sheet_xml(&download.bytes);
        assert!(
            xml.contains("ySplit=\"1\"") && xml.contains("state=\"frozen\""),
            "{path}: frozen header"
        );
        assert!(xml.contains("<autoFilter"), "{path}: filters");
        let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(download.bytes)).unwrap();
        let name = book.sheet_names()[0].clone();
        let sheet = book.worksheet_range(&name).unwrap();
        let headers: Vec<String> = sheet.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
        assert!(headers.iter().any(|h| h == header), "{path}: {headers:?}");
        assert!(sheet.height() >= 2, "{path}: rows");
    }
    // The unit list counts persons as numbers, by sex and age band too.
    let download = admin.get(&format!("/units/{HA_NOI}/children.xlsx")).await;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(download.bytes)).unwrap();
    let name = book.sheet_names()[0].clone();
    let sheet = book.worksheet_range(&name).unwrap();
    let ba_dinh = sheet
        .rows()
        .find(|r| r[0] == Data::String(BA_DINH.into()))
        .expect("Ba Đình's row");
    assert_eq!(ba_dinh[5], Data::Float(1.0), "one person: {ba_dinh:?}");
    // The viewer of a commune may not download the province's units.
    let mut viewer = app.signed_in("xem", "viewer", BA_DINH).await;
    assert_eq!(
        viewer.get(&format!("/units/{HA_NOI}/children.xlsx")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(viewer.get("/audit/export.xlsx").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_file_cannot_probe_many_cccds_registered_elsewhere() {
    let app = TestApp::new().await;
    let mut other = app.signed_in("thanhdong", "staff", THANH_DONG).await;
    let mut csv = String::from("Họ tên;Năm sinh;Giới tính;Số CCCD\n");
    for serial in 0..25u32 {
        add_person(&mut other, "Hà Văn Xa", THANH_DONG, 100 + serial).await;
        csv.push_str(&format!("Hà Văn Gần;1980;Nam;{}\n", cccd(false, 1980, 100 + serial)));
    }
    let mut staff = app.signed_in("badinh", "staff", BA_DINH).await;
    let view = upload(&mut staff, BA_DINH, "probe.csv", csv.as_bytes()).await;
    assert_eq!(
        view["duplicate_count"], 0,
        "past the limit nothing is told row by row: {view}"
    );
    assert_eq!(view["error_count"], 25);
    assert_eq!(view["errors"][0]["message"], "import.error.cccd_unchecked");
    assert!(!view.to_string().contains("Hà Văn Xa"));
    let audited = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'cccd_refused' AND after_json LIKE '%\"count\":25%'")
        .await;
    assert_eq!(audited, 1, "the probe is in the audit trail");
}
